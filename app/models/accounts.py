"""Members (every account is a member), their roles, API tokens and login attempts."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    """What an account may do; each role includes the ones before it."""

    MEMBER = "member"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"

    @property
    def rank(self) -> int:
        """Return the role's place in the order member < volunteer < coordinator."""
        return list(Role).index(self)

    def includes(self, other: "Role") -> bool:
        """Tell whether this role may do what `other` may do."""
        return self.rank >= other.rank


class Member(UserMixin, db.Model):
    """A person with an account: a member, a volunteer or a coordinator."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    card_barcode: Mapped[str] = mapped_column(sa.String(32), unique=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="ko")
    keep_history: Mapped[bool] = mapped_column(default=False)
    donor_named: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Changing it logs the member out everywhere (it is part of the session id).
    session_token: Mapped[str] = mapped_column(
        sa.String(32), default=lambda: secrets.token_hex(16)
    )
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    card_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_member_name", "name"),)

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.role}>"

    def get_id(self) -> str:
        """Return the session id: the member id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active and self.anonymised_at is None

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password (scrypt unless configured otherwise)."""
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_session(self) -> None:
        """Invalidate every existing session of this member."""
        self.session_token = secrets.token_hex(16)

    def has_role(self, role: Role) -> bool:
        """Tell whether this member's role includes `role`."""
        return self.role.includes(role)


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(back_populates="tokens")

    def is_valid(self, now: datetime) -> bool:
        """Tell whether the token may still be used."""
        return self.revoked_at is None and self.expires_at > now and self.member.is_active


class LoginAttempt(db.Model):
    """A login attempt, kept briefly to throttle guessing (shared by all workers)."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.Index("ix_login_attempt_key_at", "key", "at"),)
