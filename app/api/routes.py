"""API endpoints for accounts: tokens and the current member."""

from typing import Annotated, Literal

from flask import current_app, g
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from app.accounts import services as accounts
from app.api import bp
from app.api.spec import DateTime, operation
from app.core.access import ANYONE, access
from app.core.validation import Text
from app.errors import InvalidInput
from app.extensions import db
from app.models import Role, utcnow


class TokenRequest(BaseModel):
    """An account's email and password."""

    email: Text(254)
    # As typed: its hash was made from exactly these characters (forms keep them too).
    password: Annotated[str, Field(min_length=1, max_length=200)]


class Token(BaseModel):
    """A bearer token: send it as `Authorization: Bearer <token>`."""

    token: str
    expires_at: DateTime


class Member(BaseModel):
    """The member a request is authenticated as."""

    id: int
    name: str
    email: str
    role: Role
    card: str
    locale: str


class Health(BaseModel):
    """The app answers."""

    status: Literal["ok"]


@bp.route("/tokens", methods=["POST"])
@access(ANYONE)
@operation("createToken", tag="accounts", body=TokenRequest, responses={
    201: (Token, "A new token."),
    401: "Wrong email or password (invalid_credentials).",
    403: "The account is deactivated (account_inactive).",
    429: "Too many failed attempts (too_many_attempts).",
})
def create_token(body: TokenRequest):
    """Exchange email and password for a bearer token."""
    now = utcnow()
    reserved = accounts.reserve_login_attempt(body.email, address=accounts.client_address(),
                                              now=now)
    db.session.commit()  # seen by attempts racing on other workers
    try:
        member = accounts.authenticate(body.email, body.password, reserved, now=now)
    except Exception:
        db.session.commit()  # keep the failed attempt for throttling
        raise
    raw, token = accounts.issue_token(member, days=current_app.config["API_TOKEN_DAYS"], now=now)
    db.session.commit()
    return Token(token=raw, expires_at=token.expires_at), 201


@bp.route("/tokens/current", methods=["DELETE"])
@access(Role.MEMBER)
@operation("revokeCurrentToken", tag="accounts", responses={
    204: "Revoked; the token now gets 401.",
    400: "The request was not made with a bearer token (invalid_input).",
})
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
@operation("revokeToken", tag="accounts", params={"token_id": "The token's id (listed on the "
                                                               "account settings page)."},
           responses={204: "Revoked (or already revoked).",
                      404: "No such token among the caller's own."})
def revoke_token(token_id: int):
    """Revoke one of the caller's own tokens by its id."""
    accounts.revoke_token(current_user, token_id, now=utcnow())
    db.session.commit()
    return "", 204


@bp.route("/me", methods=["GET"])
@access(Role.MEMBER)
@operation("getMe", tag="accounts", responses={200: (Member, "The member.")})
def me():
    """The member the request is authenticated as."""
    return Member(id=current_user.id, name=current_user.name, email=current_user.email,
                  role=current_user.role, card=current_user.card_barcode,
                  locale=current_user.locale)


@bp.route("/health", methods=["GET"])
@access(ANYONE)
@operation("getHealth", tag="meta", responses={200: (Health, "The app answers.")})
def health():
    """Tell that the app answers (no database work): for monitoring and benchmarks."""
    return Health(status="ok")
