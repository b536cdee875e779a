"""Account use cases: register, authenticate, roles, passwords, API tokens."""

import functools
import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.numbering import next_member_card
from app.core.text import nfc
from app.errors import (
    AccountInactive,
    EmailTaken,
    InvalidCredentials,
    LastCoordinator,
    NotFound,
    TooManyAttempts,
)
from app.extensions import db
from app.models import ApiToken, LoginAttempt, Member, Role, utcnow

# Failed logins allowed per account (or per address) within the window.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
TOKEN_USE_PRECISION = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    """Return the email in the form it is stored (trimmed, lower case)."""
    return unicodedata.normalize("NFC", email).strip().lower()


normalise_text = nfc


def member_by_email(email: str) -> Member | None:
    """Return the member with this email, if any."""
    return db.session.scalar(sa.select(Member).where(Member.email == normalise_email(email)))


def create_member(
    *,
    name: str,
    email: str | None,
    password: str | None,
    role: Role = Role.MEMBER,
    phone: str | None = None,
    locale: str = "ko",
    keep_history: bool = False,
    donor_named: bool = False,
    by: Member | None = None,
    now: datetime,
) -> Member:
    """Create an account with a new card barcode."""
    email = normalise_email(email) if email else None
    if email and member_by_email(email) is not None:
        raise EmailTaken()
    member = Member(
        name=normalise_text(name),
        email=email,
        phone=normalise_text(phone),
        role=role,
        locale=locale,
        keep_history=keep_history,
        donor_named=donor_named,
        card_barcode=next_member_card(),
        created_at=now,
        privacy_accepted_at=now if by is None else None,
    )
    if password:
        member.set_password(password)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "member.create", actor=by or member, entity="member", entity_id=member.id,
        now=now, role=str(role),
    )
    return member


def _failures(key: str, now: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            LoginAttempt.key == key,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > now - LOGIN_WINDOW,
        )
    )


def reserve_login_attempt(email: str, *, address: str, now: datetime) -> list[LoginAttempt]:
    """Count this login attempt as a failure until it succeeds (for the account and address).

    The caller commits before checking the password, so that attempts racing on other
    workers see each other: of N simultaneous guesses, the last to commit counts all N, so
    a burst never gets past the limit (checking first and recording after let it through).
    A guess still in flight counts as a failure, so a burst may stop a little before.
    """
    attempts = [LoginAttempt(key=key, at=now, success=False)
                for key in ("email:" + normalise_email(email), "ip:" + (address or "unknown"))]
    db.session.add_all(attempts)
    db.session.flush()
    return attempts


def authenticate(email: str, password: str, reserved: list[LoginAttempt], *,
                 now: datetime) -> Member:
    """Return the member for these credentials, or raise; throttles repeated failures.

    `reserved` are this attempt's rows from reserve_login_attempt, already committed.
    """
    account, address = reserved
    if (
        _failures(account.key, now) > MAX_FAILURES_PER_ACCOUNT
        or _failures(address.key, now) > MAX_FAILURES_PER_ADDRESS
    ):
        # Refused unseen: a refused try does not lengthen the wait.
        for attempt in reserved:
            db.session.delete(attempt)
        raise TooManyAttempts(minutes=int(LOGIN_WINDOW.total_seconds() // 60))
    member = member_by_email(email)
    if member is None or not member.check_password(password):
        raise InvalidCredentials()
    if not member.is_active:
        raise AccountInactive()
    # A success clears the account's failures and is not one for the address either.
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.key == account.key))
    db.session.delete(address)
    member.last_login_at = now
    return member


def change_role(member: Member, role: Role, *, by: Member, now: datetime) -> None:
    """Give a member another role (the last coordinator keeps theirs)."""
    if member.role == role:
        return
    if member.role == Role.COORDINATOR and active_coordinators() <= 1:
        raise LastCoordinator()
    old = member.role
    member.role = role
    member.rotate_session()
    audit.record(
        "member.role", actor=by, entity="member", entity_id=member.id, now=now,
        old=str(old), new=str(role),
    )


def set_active(member: Member, active: bool, *, by: Member, now: datetime) -> None:
    """Deactivate or reactivate an account; deactivation ends its sessions and tokens."""
    if member.active == active:
        return
    if not active and member.role == Role.COORDINATOR and active_coordinators() <= 1:
        raise LastCoordinator()
    member.active = active
    if not active:
        member.rotate_session()
        revoke_all_tokens(member, now=now)
    audit.record(
        "member.activate" if active else "member.deactivate",
        actor=by, entity="member", entity_id=member.id, now=now,
    )


def active_coordinators() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Member.id)).where(
            Member.role == Role.COORDINATOR, Member.active.is_(True)
        )
    )


def _new_password(member: Member, password: str, *, now: datetime) -> None:
    # Whoever knew the old password may have logged in or made an API token with it:
    # every session ends (the route logs its own back in) and every token is revoked.
    member.set_password(password)
    member.rotate_session()
    revoke_all_tokens(member, now=now)


def reset_password(member: Member, *, by: Member, now: datetime) -> str:
    """Give the member a new random password, returned once to tell them."""
    password = secrets.token_urlsafe(9)
    _new_password(member, password, now=now)
    audit.record("member.password_reset", actor=by, entity="member", entity_id=member.id, now=now)
    return password


def change_settings(member: Member, *, name: str, phone: str | None, locale: str,
                    keep_history: bool, donor_named: bool) -> None:
    """Change one's own name, phone, language and privacy choices."""
    member.name = normalise_text(name)
    member.phone = normalise_text(phone)
    member.locale = locale
    member.keep_history = keep_history
    member.donor_named = donor_named


def change_password(member: Member, current: str, new: str, *, now: datetime) -> None:
    """Change one's own password after checking the current one; sessions and tokens end."""
    if not member.check_password(current):
        raise InvalidCredentials()
    _new_password(member, new, now=now)
    audit.record("member.password_change", actor=member, entity="member",
                 entity_id=member.id, now=now)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(member: Member, *, days: int, now: datetime) -> tuple[str, ApiToken]:
    """Create an API token; the raw token is returned once and only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        member=member, token_hash=_hash_token(raw), created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    audit.record("token.issue", actor=member, entity="member", entity_id=member.id, now=now)
    return raw, token


def active_tokens(member: Member, *, now: datetime) -> list[ApiToken]:
    """Return a member's tokens that may still be used, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.member_id == member.id, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def own_token(member: Member, token_id: int) -> ApiToken | None:
    """Return one of the member's own tokens (another member's is none)."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.member_id == member.id else None


def revoke_token(member: Member, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one of the member's own tokens; another member's token is 'not found'."""
    token = own_token(member, token_id)
    if token is None:
        raise NotFound(_l("There is no such API token."))
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record("token.revoke", actor=member, entity="api_token", entity_id=token.id,
                     now=now)
    return token


def revoke_all_tokens(member: Member, *, now: datetime) -> None:
    """Revoke every token of a member."""
    for token in member.tokens:
        if token.revoked_at is None:
            token.revoked_at = now


def load_session_member(session_id: str) -> Member | None:
    """Flask-Login user loader: the member, if the session token still matches."""
    member_id, _sep, token = session_id.partition(":")
    if not member_id.isdigit() or not token:
        return None
    member = db.session.get(Member, int(member_id))
    if member is None or not member.is_active:
        return None
    if not secrets.compare_digest(member.session_token, token):
        return None
    return member


@functools.cache
def _token_query() -> sa.Select:
    # Built once and run with its parameter: every API request asks it.
    return (
        sa.select(ApiToken)
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
        .options(joinedload(ApiToken.member, innerjoin=True))
    )


def load_token_member(req) -> Member | None:
    """Flask-Login request loader: the member of a valid Bearer token, if given."""
    header = req.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    g.bearer = True
    # One indexed lookup by the token's SHA-256, with its member in the same query.
    token = db.session.scalar(_token_query(), {"token_hash": _hash_token(raw.strip())})
    now = utcnow()
    if token is None or not token.is_valid(now):
        g.token_error = _("The API token is not valid, has expired or was revoked.")
        return None
    g.api_token_id = token.id
    # "Last used" to the minute is enough, and spares a write on every call.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_PRECISION:
        token.last_used_at = now
        g.token_touched = True
    return token.member


def client_address() -> str:
    """Return the client's address (the proxy's X-Forwarded-For is trusted only via ProxyFix)."""
    return request.remote_addr or "unknown"
