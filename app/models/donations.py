"""Donation campaigns and donations: who gave which copies, when, for what campaign."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Campaign(db.Model):
    """A book-donation campaign with a goal in books."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    goal_books: Mapped[int | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    # The campaign intake preselects; at most one.
    is_default: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )

    donations: Mapped[list["Donation"]] = relationship(back_populates="campaign")

    __table_args__ = (
        sa.CheckConstraint("goal_books IS NULL OR goal_books > 0", name="goal_positive"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        sa.Index(
            "uq_campaign_default",
            "is_default",
            unique=True,
            sqlite_where=sa.text("is_default = 1"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name!r}>"


class Donation(db.Model):
    """One hand-over of books by a donor (a member, or anonymous)."""

    __tablename__ = "donation"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(sa.String(500))

    donor: Mapped["Member | None"] = relationship(foreign_keys=[donor_id])  # noqa: F821
    received_by: Mapped["Member | None"] = relationship(  # noqa: F821
        foreign_keys=[received_by_id]
    )
    campaign: Mapped[Campaign | None] = relationship(back_populates="donations")
    copies: Mapped[list["Copy"]] = relationship(back_populates="donation")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Donation {self.id}>"
