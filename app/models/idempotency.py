"""Idempotency keys: the first answer to a write, kept so that a resend is answered, not redone."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime


class IdempotencyKey(db.Model):
    """A client's key for one write of one member, with the answer it got (kept a day)."""

    __tablename__ = "idempotency_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # sha256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # None while the first request is still being answered.
    status: Mapped[int | None]
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    body: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("member_id", "key"),)
