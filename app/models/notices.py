"""Notices to members: the outbox (one row per thing to tell, per channel) and each
member's choices of channels and kinds."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Notice(db.Model):
    """One thing to tell a member by one channel. Rows of one member and channel that are
    due together go out as ONE message; `key` makes a second build of the same thing
    (a second run, a second machine) add nothing."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(24))
    channel: Mapped[str] = mapped_column(sa.String(8))
    # What makes it unique for the member and channel: "overdue:2026-03-02", "hold_ready:17".
    key: Mapped[str] = mapped_column(sa.String(64))
    # The items it covers: [{"title": ..., "date": "2026-03-02", "loan_id"/"hold_id": ...}].
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    state: Mapped[str] = mapped_column(sa.String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What was sent (sms, lms, ata, email) to which address, and the provider's answer.
    sent_as: Mapped[str | None] = mapped_column(sa.String(8))
    recipient: Mapped[str | None] = mapped_column(sa.String(254))
    answer: Mapped[str | None] = mapped_column(sa.String(500))

    member: Mapped["Member"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("member_id", "channel", "key", name="uq_notice_member_channel_key"),
        sa.Index("ix_notice_state_next", "state", "next_attempt_at"),
    )


class NoticePreference(db.Model):
    """A member's choices: which channels, which kinds not, and the mobile number for texts.
    A member without a row gets email only."""

    __tablename__ = "notice_preference"

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    by_email: Mapped[bool] = mapped_column(default=True)
    by_text: Mapped[bool] = mapped_column(default=False)
    # Korean mobile number, digits only (01012345678).
    mobile: Mapped[str | None] = mapped_column(sa.String(11))
    kinds_off: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
