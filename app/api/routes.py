"""API endpoints for accounts: tokens and the current member."""

from flask import current_app, g, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services as accounts
from app.api import bp
from app.api.util import field, iso, json_body
from app.core.access import ANYONE, access
from app.errors import InvalidInput
from app.extensions import db
from app.models import Role, utcnow


@bp.route("/tokens", methods=["POST"])
@access(ANYONE)
def create_token():
    """Exchange email and password for a bearer token."""
    data = json_body()
    email = field(data, "email", str, max_length=254)
    password = field(data, "password", str, max_length=200)
    now = utcnow()
    reserved = accounts.reserve_login_attempt(email, address=accounts.client_address(), now=now)
    db.session.commit()  # seen by attempts racing on other workers
    try:
        member = accounts.authenticate(email, password, reserved, now=now)
    except Exception:
        db.session.commit()  # keep the failed attempt for throttling
        raise
    raw, token = accounts.issue_token(member, days=current_app.config["API_TOKEN_DAYS"], now=now)
    db.session.commit()
    return jsonify({"token": raw, "expires_at": iso(token.expires_at)}), 201


@bp.route("/tokens/current", methods=["DELETE"])
@access(Role.MEMBER)
def revoke_current_token():
    """Revoke the bearer token this request is made with."""
    token_id = g.get("api_token_id")
    if token_id is None:
        raise InvalidInput(_("This request was not made with an API token."))
    accounts.revoke_token(current_user, token_id, now=utcnow())
    db.session.commit()
    return "", 204


@bp.route("/tokens/<int(max=2147483647):token_id>", methods=["DELETE"])
@access(Role.MEMBER)
def revoke_token(token_id: int):
    """Revoke one of the caller's own tokens by its id."""
    accounts.revoke_token(current_user, token_id, now=utcnow())
    db.session.commit()
    return "", 204


def member_json(member) -> dict:
    """Return the API's view of a member."""
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "role": member.role.value,
        "card": member.card_barcode,
        "locale": member.locale,
    }


@bp.route("/me", methods=["GET"])
@access(Role.MEMBER)
def me():
    """The member the request is authenticated as."""
    return jsonify(member_json(current_user))


@bp.route("/health", methods=["GET"])
@access(ANYONE)
def health():
    """Tell that the app answers (no database work): for monitoring and benchmarks."""
    return jsonify({"status": "ok"})
