"""Volunteer shifts: dated hours a funder pays expenses against, once a coordinator approves."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column, utcnow


class ShiftActivity(enum.StrEnum):
    """What a volunteer did in a shift."""

    INTAKE = "intake"
    DESK = "desk"
    STOCKTAKE = "stocktake"
    LABELS = "labels"
    OTHER = "other"


class VolunteerShift(db.Model):
    """One shift: who, from when to when (open while ended_at is empty), doing what."""

    __tablename__ = "volunteer_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activity: Mapped[ShiftActivity] = mapped_column(enum_column(ShiftActivity))
    note: Mapped[str | None] = mapped_column(sa.String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped["Member"] = relationship(foreign_keys=[member_id])  # noqa: F821

    __table_args__ = (
        sa.Index("ix_volunteer_shift_member_started", "member_id", "started_at"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="ends_after_start"),
    )

    @property
    def minutes(self) -> int:
        """Return the shift's length in whole minutes (0 while it is open)."""
        if self.ended_at is None:
            return 0
        return int((self.ended_at - self.started_at).total_seconds() // 60)
