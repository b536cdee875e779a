"""Report queries: each one aggregates in the database and returns a few small rows.

Months are the café's local months (Asia/Seoul); a date range covers whole local days,
both ends included. Range conditions compare the raw timestamp columns with UTC
bounds, so the indexes on loan.checked_out_at, loan.returned_at and copy.created_at
serve them. Per-month counts are one scalar subquery per month between that month's
UTC bounds (computed in Python from Asia/Seoul), not a GROUP BY over a per-row date
expression: on 100k loans that is an index range count instead of a function call per
row and a sort (about 10x faster on SQLite). Rows are counted with count(*), not
count(id): PostgreSQL's indexes do not hold the id, and counting it would read every
row's table page instead of the index alone.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.campaigns.services import unknown_last
from app.core.timebuckets import in_local_days, month_bounds
from app.extensions import db
from app.models import Book, Copy, CopyStatus, Loan, Member
from app.reports.sqlorder import bytewise


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


def _per_month(column, start: date, end: date, value=None, where=None) -> list[tuple[str, int]]:
    """Return (month, value...) for each local month of the range, in one query.

    One scalar subquery per month and value, each bounded by the month's UTC instants:
    index range scans, the same on SQLite and PostgreSQL (see timebuckets.month_bounds).
    """
    value = sa.func.count() if value is None else value
    bounds = month_bounds(start, end)
    columns = []
    for _label, lo, hi in bounds:
        query = sa.select(value).where(column >= lo, column < hi)
        columns.append((query if where is None else query.where(where)).scalar_subquery())
    row = db.session.execute(sa.select(*columns)).one()
    return [(label, n or 0) for (label, _lo, _hi), n in zip(bounds, row, strict=True)]


def loans_per_month(start: date, end: date) -> list[tuple[str, int, int]]:
    """Return (month, loans made, copies returned) for every month of the range."""
    loans = _per_month(Loan.checked_out_at, start, end)
    returns = _per_month(Loan.returned_at, start, end)
    return [(month, n, r) for (month, n), (_m, r) in zip(loans, returns, strict=True)]


def active_members_per_month(start: date, end: date) -> list[tuple[str, int]]:
    """Return (month, distinct members who borrowed) for every month of the range.

    A member is counted by the loan's borrower_key (a pseudonym per member and month
    that survives the dropped member link); loans without a key yet count by the member
    link they still have. (A member with both kinds of loans in one month would count
    twice: only while keys are being introduced.)
    """
    keyed = _per_month(Loan.checked_out_at, start, end,
                       sa.func.count(sa.distinct(bytewise(Loan.borrower_key))))
    unkeyed = _per_month(Loan.checked_out_at, start, end,
                         sa.func.count(sa.distinct(Loan.member_id)),
                         where=Loan.borrower_key.is_(None))
    return [(month, a + b) for (month, a), (_m, b) in zip(keyed, unkeyed, strict=True)]


def new_members_per_month(start: date, end: date) -> list[tuple[str, int]]:
    """Return (month, accounts created) for every month of the range."""
    return _per_month(Member.created_at, start, end)


def most_borrowed(start: date, end: date, *, limit: int = 20) -> list[tuple[int, str, int]]:
    """Return (book id, title, loans) of the books lent most in the range."""
    # Count the loans per book in the covering index on loan(checked_out_at, book_id),
    # then read the titles of the few books on the list.
    loans = sa.func.count()
    top = (
        sa.select(Loan.book_id.label("book_id"), loans.label("loans"))
        .where(in_local_days(Loan.checked_out_at, start, end))
        .group_by(Loan.book_id)
        .order_by(loans.desc(), Loan.book_id)
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
        sa.select(sa.func.count())
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


@dataclass(frozen=True)
class Collection:
    """The collection now: copies by subject (without withdrawn ones) and by status."""

    by_subject: list[tuple[str | None, int]]  # (KDC main class digit or None, copies)
    by_status: list[tuple[CopyStatus, int]]  # every status, in the enum's order


def collection() -> Collection:
    """Return the collection's copies by subject and by status."""
    if db.session.get_bind().dialect.name == "postgresql":
        # One hash join of the copies and their books, grouped by (class, status).
        per_class: dict[str | None, int] = {}
        per_status: dict[CopyStatus, int] = {}
        for code, status, n in db.session.execute(
            sa.select(Book.kdc_class, Copy.status, sa.func.count())
            .select_from(Copy).join(Book, Copy.book_id == Book.id)
            .group_by(Book.kdc_class, Copy.status)
        ):
            status = CopyStatus(status)
            per_status[status] = per_status.get(status, 0) + n
            if status is not CopyStatus.WITHDRAWN:
                per_class[code] = per_class.get(code, 0) + n
    else:
        # SQLite has no hash aggregate: grouping by (class, status) would sort every copy.
        # Each figure in index order instead: every copy per class from the indexes alone
        # (book by class, copy by book), minus the few withdrawn ones; copies by status.
        def by_class(where=None) -> dict[str | None, int]:
            query = (
                sa.select(Book.kdc_class, sa.func.count())
                .select_from(Copy).join(Book, Copy.book_id == Book.id)
                .group_by(Book.kdc_class)
            )
            return dict(db.session.execute(query if where is None else query.where(where)).all())

        withdrawn = by_class(Copy.status == CopyStatus.WITHDRAWN)
        per_class = {code: n - withdrawn.get(code, 0) for code, n in by_class().items()}
        per_status = {CopyStatus(status): n for status, n in db.session.execute(
            sa.select(Copy.status, sa.func.count()).group_by(Copy.status))}
    return Collection(
        unknown_last(sorted(((code, n) for code, n in per_class.items() if n),
                            key=lambda row: row[0] or "")),
        [(status, per_status.get(status, 0)) for status in CopyStatus],
    )


def collection_by_subject() -> list[tuple[str | None, int]]:
    """Return (KDC main class digit or None, copies) of the collection, without withdrawn."""
    return collection().by_subject


def collection_by_status() -> list[tuple[CopyStatus, int]]:
    """Return (status, copies) for every copy status, in the enum's order."""
    return collection().by_status


def catalogued_per_volunteer(start: date, end: date) -> list[tuple[str | None, int]]:
    """Return (volunteer name or None when unknown, copies catalogued) in the range."""
    # Count per cataloguer in the covering index first, then look up each volunteer once.
    per_member = (
        sa.select(Copy.created_by_id.label("member_id"), sa.func.count().label("copies"))
        .where(in_local_days(Copy.created_at, start, end))
        .group_by(Copy.created_by_id)
        .subquery()
    )
    return [tuple(r) for r in db.session.execute(
        sa.select(Member.name, per_member.c.copies)
        .select_from(per_member)
        .outerjoin(Member, Member.id == per_member.c.member_id)
        .order_by(per_member.c.copies.desc(), Member.name)
    )]
