"""Who may use which route: every view declares it; one hook enforces it.

A view without a declaration is refused (default deny), and a test walks the URL map
to make sure none is left undeclared.
"""

from collections.abc import Callable

from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Role

ANYONE = "anyone"


def access(who: str | Role) -> Callable:
    """Declare who may use a view: ANYONE, or a role (which includes the roles above it)."""
    if who != ANYONE and not isinstance(who, Role):
        raise ValueError(f"unknown access level {who!r}")

    def decorate(view: Callable) -> Callable:
        view._access = who
        return view

    return decorate


def is_api_request() -> bool:
    """Tell whether the current request is to the JSON API."""
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, **extra):
    """Return the JSON API's error answer (`extra`: more fields, such as the request id)."""
    response = jsonify({"error": {"code": code, "message": str(message), **extra}})
    response.status_code = status
    return response


def declared_access(endpoint: str | None):
    """Return the access declaration of an endpoint's view, or None."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "_access", None)


def enforce_access():
    """Refuse the request when the current user may not use the matched view."""
    if request.endpoint is None:
        return None  # routing failed; the 404/405 handler answers
    who = declared_access(request.endpoint)
    if who is None:
        current_app.logger.error("route %s declares no access; refused", request.endpoint)
        return _refuse(403)
    if who == ANYONE:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            if getattr(g, "token_error", None):
                return api_error(401, "invalid_token", g.token_error)
            return api_error(401, "authentication_required", _("Please log in first."))
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not current_user.has_role(who):
        return _refuse(403)
    return None


def _refuse(status: int):
    if is_api_request():
        return api_error(status, "forbidden", _("You are not allowed to do this."))
    abort(status)
