"""Report queries: each one aggregates in the database and returns a few small rows.

Months are the café's local months (Asia/Seoul); a date range covers whole local days,
both ends included. Range conditions compare the raw timestamp columns with UTC
bounds, so the indexes on loan.checked_out_at, loan.returned_at and copy.created_at
serve them; only the few rows' bucket labels are computed per row.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.campaigns.services import unknown_last
from app.extensions import db
from app.models import Book, Copy, CopyStatus, Loan, Member
from app.timebuckets import in_local_days, month_of, months_between


@dataclass(frozen=True)
class OverdueLoan:
    """An open loan past its due date."""

    loan_id: int
    barcode: str
    title: str
    member_name: str | None
    member_card: str | None
    due_on: date
    days_overdue: int


def _per_month(column, start: date, end: date, value=None) -> dict[str, int]:
    month = month_of(column)
    value = sa.func.count() if value is None else value
    return dict(db.session.execute(
        sa.select(month, value).where(in_local_days(column, start, end)).group_by(month)
    ).all())


def loans_per_month(start: date, end: date) -> list[tuple[str, int, int]]:
    """Return (month, loans made, copies returned) for every month of the range."""
    loans = _per_month(Loan.checked_out_at, start, end)
    returns = _per_month(Loan.returned_at, start, end)
    return [(m, loans.get(m, 0), returns.get(m, 0)) for m in months_between(start, end)]


def borrower_identity():
    """The pseudonymous borrower of a loan: borrower_key, else the member link if kept."""
    return sa.func.coalesce(
        Loan.borrower_key, sa.literal("member:") + sa.cast(Loan.member_id, sa.String)
    )


def active_members_per_month(start: date, end: date) -> list[tuple[str, int]]:
    """Return (month, distinct members who borrowed) for every month of the range."""
    counts = _per_month(Loan.checked_out_at, start, end,
                        sa.func.count(sa.distinct(borrower_identity())))
    return [(m, counts.get(m, 0)) for m in months_between(start, end)]


def new_members_per_month(start: date, end: date) -> list[tuple[str, int]]:
    """Return (month, accounts created) for every month of the range."""
    counts = _per_month(Member.created_at, start, end)
    return [(m, counts.get(m, 0)) for m in months_between(start, end)]


def most_borrowed(start: date, end: date, *, limit: int = 20) -> list[tuple[int, str, int]]:
    """Return (book id, title, loans) of the books lent most in the range."""
    loans = sa.func.count(Loan.id)
    top = (
        sa.select(Copy.book_id.label("book_id"), loans.label("loans"))
        .select_from(Loan).join(Copy, Loan.copy_id == Copy.id)
        .where(in_local_days(Loan.checked_out_at, start, end))
        .group_by(Copy.book_id)
        .order_by(loans.desc(), Copy.book_id)
        .limit(limit)
        .subquery()
    )
    return [tuple(r) for r in db.session.execute(
        sa.select(Book.id, Book.title, top.c.loans).join(top, top.c.book_id == Book.id)
        .order_by(top.c.loans.desc(), Book.title, Book.id)
    )]


def overdue_count(today: date) -> int:
    """Return how many open loans are past due today."""
    return db.session.scalar(
        sa.select(sa.func.count(Loan.id))
        .where(Loan.returned_at.is_(None), Loan.due_on < today)
    ) or 0


def overdue_now(today: date, *, limit: int = 500) -> list[OverdueLoan]:
    """Return the open loans past due today, longest overdue first."""
    rows = db.session.execute(
        sa.select(Loan.id, Copy.barcode, Book.title, Member.name, Member.card_barcode,
                  Loan.due_on)
        .select_from(Loan)
        .join(Copy, Loan.copy_id == Copy.id)
        .join(Book, Copy.book_id == Book.id)
        .outerjoin(Member, Loan.member_id == Member.id)
        .where(Loan.returned_at.is_(None), Loan.due_on < today)
        .order_by(Loan.due_on, Loan.id)
        .limit(limit)
    ).all()
    return [OverdueLoan(lid, barcode, title, name, card, due, (today - due).days)
            for lid, barcode, title, name, card, due in rows]


def collection_by_subject() -> list[tuple[str | None, int]]:
    """Return (KDC main class digit or None, copies) of the collection, without withdrawn."""
    rows = db.session.execute(
        sa.select(Book.kdc_class, sa.func.count(Copy.id))
        .select_from(Copy).join(Book, Copy.book_id == Book.id)
        .where(Copy.status != CopyStatus.WITHDRAWN)
        .group_by(Book.kdc_class).order_by(Book.kdc_class)
    ).all()
    return unknown_last(rows)


def collection_by_status() -> list[tuple[CopyStatus, int]]:
    """Return (status, copies) for every copy status, in the enum's order."""
    counts = dict(db.session.execute(
        sa.select(Copy.status, sa.func.count(Copy.id)).group_by(Copy.status)
    ).all())
    return [(status, counts.get(status, 0)) for status in CopyStatus]


def catalogued_per_volunteer(start: date, end: date) -> list[tuple[str | None, int]]:
    """Return (volunteer name or None when unknown, copies catalogued) in the range."""
    copies = sa.func.count(Copy.id)
    return [tuple(r) for r in db.session.execute(
        sa.select(Member.name, copies)
        .select_from(Copy).outerjoin(Member, Copy.created_by_id == Member.id)
        .where(in_local_days(Copy.created_at, start, end))
        .group_by(Member.id, Member.name)
        .order_by(copies.desc(), Member.name)
    )]
