"""The JSON API under /api/v1 (see shared API.md)."""

from flask import Blueprint, g, request
from flask_login import current_user

from app.extensions import csrf

bp = Blueprint("api", __name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def _csrf_for_cookie_sessions():
    """Writes from a logged-in browser need the CSRF token; Bearer-token calls do not."""
    if request.method in SAFE_METHODS or request.endpoint == "api.create_token":
        return None
    if current_user.is_authenticated and not g.get("bearer"):
        csrf.protect()
    return None


from app.api import (  # noqa: E402,F401
    books,
    callnumbers,
    campaigns,
    circulation,
    donations,
    intake,
    labels,
    routes,
    stocktake,
)
