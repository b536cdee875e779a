"""Donation campaigns and donations: who gave which copies, when, for what campaign."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column, utcnow


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

    @property
    def is_open(self) -> bool:
        """Tell whether donations may be counted towards it (active and not closed)."""
        return self.is_active and self.closed_at is None


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


class CampaignBook(db.Model):
    """A campaign's copies of one book and their loans: the campaign page's running totals.

    Kept by triggers in the database (installed by migration e8b2c5d7a913; see
    app/campaigns/tally.py), in the same transaction as
    every write that changes them: a copy added, removed, withdrawn or moved, a loan, a
    donation moved to another campaign, a book's class or reader group edited.
    """

    __tablename__ = "campaign_book"

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    book_id: Mapped[int] = mapped_column(
        sa.ForeignKey("book.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The book's KDC main class and add-on reader group, copied for the breakdown.
    kdc_class: Mapped[str | None] = mapped_column(sa.String(1))
    reader_group: Mapped[str | None] = mapped_column(sa.String(1))
    copies: Mapped[int] = mapped_column(default=0)  # withdrawn copies too: gifts received
    kept: Mapped[int] = mapped_column(default=0)  # copies not withdrawn
    loans: Mapped[int] = mapped_column(default=0)  # loans of those copies, ever

    __table_args__ = (
        # The most-borrowed list reads the top of this index.
        sa.Index("ix_campaign_book_campaign_id_loans", "campaign_id", "loans"),
        # The table is read by campaign: on SQLite its rows sit in primary-key order.
        {"sqlite_with_rowid": False},
    )


class ItemOutcome(enum.StrEnum):
    """What became of a donated item at intake."""

    KEPT = "kept"  # a copy in the collection
    PASSED_ON = "passed_on"  # given to another institution (passed_to says which)
    DECLINED = "declined"  # not taken (returned to the donor, or recycled)


class Partner(db.Model):
    """An institution the café passes declined gifts on to (a coordinator keeps the list)."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name!r}>"


class DonationItem(db.Model):
    """A donated item that intake held back (the copy cap or a decline rule), with its outcome.

    The copies a scan adds at once are the donation's other items (outcome kept): the
    donation's lines are its copies and these rows (a row kept anyway names its copy).
    """

    __tablename__ = "donation_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("donation.id", ondelete="CASCADE"), index=True)
    book_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("book.id", ondelete="SET NULL"), index=True)
    isbn13: Mapped[str | None] = mapped_column(sa.String(13))
    title: Mapped[str | None] = mapped_column(sa.String(500))
    # Why intake held it back: copy_cap, old_reference, damaged, set.
    held_for: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[ItemOutcome] = mapped_column(enum_column(ItemOutcome))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    partner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner.id", ondelete="SET NULL"))
    passed_to: Mapped[str | None] = mapped_column(sa.String(200))  # the partner's name then
    copy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("copy.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))

    donation: Mapped[Donation] = relationship()
    book: Mapped["Book | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("outcome <> 'passed_on' OR passed_to IS NOT NULL",
                           name="passed_on_says_where"),
    )

    def __repr__(self) -> str:
        return f"<DonationItem {self.id} {self.outcome}>"
