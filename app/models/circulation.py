"""Loan rules, loans and holds."""

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Role
from app.models.base import UTCDateTime, enum_column, utcnow


class LoanRules(db.Model):
    """A site's loan rules: settings a coordinator changes, applied to new loans."""

    __tablename__ = "loan_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), unique=True)
    loan_days: Mapped[int] = mapped_column(default=14)
    max_renewals: Mapped[int] = mapped_column(default=1)
    renewal_days: Mapped[int] = mapped_column(default=7)
    max_loans: Mapped[int] = mapped_column(default=20)
    max_holds: Mapped[int] = mapped_column(default=5)
    hold_shelf_days: Mapped[int] = mapped_column(default=7)
    overdue_blocks: Mapped[bool] = mapped_column(default=True)
    # A loan overdue by more than this many days can no longer be renewed.
    renew_overdue_days: Mapped[int] = mapped_column(default=0)
    self_checkout: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.CheckConstraint("loan_days BETWEEN 1 AND 365", name="loan_days_range"),
        sa.CheckConstraint("max_renewals BETWEEN 0 AND 20", name="max_renewals_range"),
        sa.CheckConstraint("renewal_days BETWEEN 1 AND 365", name="renewal_days_range"),
        sa.CheckConstraint("max_loans BETWEEN 1 AND 200", name="max_loans_range"),
        sa.CheckConstraint("max_holds BETWEEN 0 AND 200", name="max_holds_range"),
        sa.CheckConstraint("hold_shelf_days BETWEEN 1 AND 60", name="hold_shelf_days_range"),
        sa.CheckConstraint("renew_overdue_days BETWEEN 0 AND 365", name="renew_overdue_range"),
    )


class Loan(db.Model):
    """A copy lent to a member; the member link is dropped on return unless kept by choice."""

    __tablename__ = "loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(sa.ForeignKey("copy.id"), index=True)
    # The copy's book (a copy never changes book): the reports count loans per book from
    # the index on (checked_out_at, book_id) alone, without joining every loan to its copy.
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("book.id"))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    checked_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date]
    renewals: Mapped[int] = mapped_column(default=0)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    checked_out_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )
    returned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )
    # A pseudonym for statistics (distinct borrowers per month) that survives the
    # dropped member link: a keyed hash of member and month, not reversible.
    borrower_key: Mapped[str | None] = mapped_column(sa.String(32))

    copy: Mapped["Copy"] = relationship()  # noqa: F821
    member: Mapped["Member | None"] = relationship(foreign_keys=[member_id])  # noqa: F821

    __table_args__ = (
        # The database's last word: one copy has at most one open loan.
        sa.Index(
            "uq_loan_open_copy",
            "copy_id",
            unique=True,
            sqlite_where=sa.text("returned_at IS NULL"),
            postgresql_where=sa.text("returned_at IS NULL"),
        ),
        sa.CheckConstraint("renewals >= 0", name="renewals_positive"),
        # Covering index: the reports count loans, their books and distinct borrowers
        # per month from the index alone, without reading a loan row.
        sa.Index("ix_loan_checked_out_at_book_id", "checked_out_at", "book_id",
                 "borrower_key", "member_id"),
    )

    @property
    def is_open(self) -> bool:
        """Tell whether the copy is still out."""
        return self.returned_at is None

    def is_overdue(self, today: date) -> bool:
        """Tell whether the loan is open and past its due date."""
        return self.is_open and today > self.due_on

    def days_overdue(self, today: date) -> int:
        """Return how many days past due the loan is (0 when not overdue)."""
        return max(0, (today - self.due_on).days) if self.is_open else 0

    def is_borrowed_by(self, member) -> bool:
        """Tell whether `member` is this loan's borrower."""
        return member is not None and self.member_id is not None and self.member_id == member.id

    def can_renew(self, actor) -> bool:
        """Tell whether `actor` may ask to renew this loan (the borrower or desk staff)."""
        return self.is_borrowed_by(actor) or actor.has_role(Role.VOLUNTEER)

    def mark_returned(self, at: datetime, by, *, keep_member: bool) -> None:
        """Close the loan; drop the member link unless the member keeps a history."""
        self.returned_at = at
        self.returned_by_id = by.id if by is not None else None
        if not keep_member:
            self.member_id = None

    def extend(self, today: date, days: int) -> None:
        """Renew: the new due date counts from the due date (or today, if later)."""
        self.due_on = max(self.due_on, today) + timedelta(days=days)
        self.renewals += 1


class HoldStatus(enum.StrEnum):
    """A hold waits in the queue, is ready on the hold shelf, then ends one way or another."""

    WAITING = "waiting"
    READY = "ready"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_active(self) -> bool:
        """Tell whether the hold still counts (waiting or ready)."""
        return self in (HoldStatus.WAITING, HoldStatus.READY)


class Hold(db.Model):
    """A member's request for a book (a title), filled by the next returned copy."""

    __tablename__ = "hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("book.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    status: Mapped[HoldStatus] = mapped_column(
        enum_column(HoldStatus), default=HoldStatus.WAITING, index=True
    )
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    copy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("copy.id"))
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pickup_by: Mapped[date | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    book: Mapped["Book"] = relationship()  # noqa: F821
    member: Mapped["Member | None"] = relationship()  # noqa: F821
    copy: Mapped["Copy | None"] = relationship()  # noqa: F821

    __table_args__ = (
        # One active hold per member and book.
        sa.Index(
            "uq_hold_active_member_book",
            "member_id",
            "book_id",
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'ready')"),
            postgresql_where=sa.text("status IN ('waiting', 'ready')"),
        ),
        # A copy on the hold shelf is kept for one hold only.
        sa.Index(
            "uq_hold_ready_copy",
            "copy_id",
            unique=True,
            sqlite_where=sa.text("status = 'ready'"),
            postgresql_where=sa.text("status = 'ready'"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Hold {self.id} {self.status}>"

    @property
    def is_active(self) -> bool:
        """Tell whether the hold still counts (waiting or on the hold shelf)."""
        return self.status.is_active

    def is_held_by(self, member) -> bool:
        """Tell whether `member` placed this hold."""
        return member is not None and self.member_id is not None and self.member_id == member.id

    def can_cancel(self, actor) -> bool:
        """Tell whether `actor` may cancel this hold (the holder or desk staff, while active)."""
        return self.is_active and (self.is_held_by(actor) or actor.has_role(Role.VOLUNTEER))

    def mark_ready(self, copy, at: datetime, pickup_by: date) -> None:
        """Put a copy on the hold shelf for this hold."""
        self.status = HoldStatus.READY
        self.copy_id = copy.id
        self.copy = copy
        self.ready_at = at
        self.pickup_by = pickup_by

    def back_to_waiting(self) -> None:
        """Take the copy away again (lost or damaged on the shelf); the hold keeps its place."""
        self.status = HoldStatus.WAITING
        self.copy_id = None
        self.copy = None
        self.ready_at = None
        self.pickup_by = None

    def close(self, status: HoldStatus, at: datetime) -> None:
        """End the hold as fulfilled, cancelled or expired."""
        if status.is_active:
            raise ValueError(f"cannot close a hold as {status}")
        self.status = status
        self.closed_at = at

    def is_past_pickup(self, today: date) -> bool:
        """Tell whether a hold on the shelf was not picked up in time."""
        return (
            self.status is HoldStatus.READY and self.pickup_by is not None
            and today > self.pickup_by
        )
