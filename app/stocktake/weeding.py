"""Weeding: which copies to retire, withdrawing them (제적) with a reason, what became of
them (폐기, or passed on), putting one back, and this year's withdrawals against the cap.

Korean law lets a library remove up to a share of its collection a year without a
committee (도서관법 시행령: 7% a year); the share is a setting. A copy changes state only
through the desk's service (app.circulation.copies.set_copy_state), the one write path
whose effects (campaign tallies, holds) the tests check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.circulation.copies import mark_available, set_copy_state
from app.circulation.lookups import ready_hold_for_copy
from app.core import audit
from app.core.settings import store, stored
from app.core.text import nfc
from app.core.timebuckets import local_day_start, local_today
from app.errors import InvalidInput, NothingSelected, NotWithdrawn, UnknownCopy
from app.extensions import db, savepoint
from app.models import (
    Book,
    Copy,
    CopyStatus,
    Disposition,
    Hold,
    Loan,
    Member,
    Withdrawal,
    WithdrawalReason,
)

CAP_SETTING = "weeding.cap_percent"
DEFAULT_CAP_PERCENT = 7.0
# The most candidates one page lists.
CANDIDATE_LIMIT = 500


# ---------------------------------------------------------------------------
# The yearly cap
# ---------------------------------------------------------------------------


def cap_percent() -> float:
    """Return the share of the collection that may be withdrawn in a year (percent)."""
    value = stored(CAP_SETTING)
    try:
        return float(value) if value is not None else DEFAULT_CAP_PERCENT
    except (TypeError, ValueError):
        return DEFAULT_CAP_PERCENT


def set_cap_percent(value: float, *, by: Member, now: datetime) -> float:
    """Change the yearly cap (0-100 percent)."""
    if not 0 <= value <= 100:
        raise InvalidInput(_l("The cap is a percentage from 0 to 100."))
    store(CAP_SETTING, value, now=now)
    audit.record("weeding.cap", actor=by, entity="setting", now=now, value=value)
    return value


@dataclass(frozen=True)
class YearFigure:
    """This year's withdrawals against the collection at the start of the year."""

    year: int
    at_start: int
    withdrawn: int
    cap_percent: float

    @property
    def allowed(self) -> int:
        """Return how many copies the cap allows this year."""
        return int(self.at_start * self.cap_percent / 100)

    @property
    def percent(self) -> float:
        """Return this year's withdrawals as a share of the collection at its start."""
        return 100 * self.withdrawn / self.at_start if self.at_start else 0.0

    @property
    def over(self) -> bool:
        """Tell whether this year's withdrawals are past the cap."""
        return self.withdrawn > self.allowed

    @property
    def remaining(self) -> int:
        """Return how many more copies may be withdrawn this year within the cap."""
        return max(0, self.allowed - self.withdrawn)

    def would_pass(self, more: int) -> bool:
        """Tell whether withdrawing `more` copies would take the year past the cap."""
        return self.withdrawn + more > self.allowed


def year_figure(*, now: datetime) -> YearFigure:
    """Return this (local) year's withdrawals and the collection at the start of the year.

    A copy counts as withdrawn when it is withdrawn now, and in the year in which its state
    last changed: one put back is no longer counted. The collection at the start of the
    year is the copies made before it less those withdrawn before it.
    """
    today = local_today(now)
    start = local_day_start(date(today.year, 1, 1))
    withdrawn = Copy.status == CopyStatus.WITHDRAWN
    made, gone_before, this_year = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(Copy).where(Copy.created_at < start)
        .scalar_subquery(),
        sa.select(sa.func.count()).select_from(Copy)
        .where(withdrawn, Copy.status_changed_at < start).scalar_subquery(),
        sa.select(sa.func.count()).select_from(Copy)
        .where(withdrawn, Copy.status_changed_at >= start).scalar_subquery(),
    )).one()
    return YearFigure(year=today.year, at_start=made - gone_before, withdrawn=this_year,
                      cap_percent=cap_percent())


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateQuery:
    """What makes a copy a candidate (any of them), within a class when given."""

    unborrowed_years: int | None = None
    damaged: bool = False
    copies_over: int | None = None
    kdc_class: str | None = None

    @property
    def is_empty(self) -> bool:
        """Tell whether no criterion is set."""
        return not (self.unborrowed_years or self.damaged or self.copies_over)


@dataclass
class Candidate:
    """A copy that may be retired, and why."""

    copy: Copy
    loans: int
    last_loan: datetime | None
    copies_of_title: int
    reasons: list[str] = field(default_factory=list)


def _years_before(now: datetime, years: int) -> datetime:
    today = local_today(now)
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return local_day_start(day)


def weeding_candidates(query: CandidateQuery, *, now: datetime,
                       limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
    """Return copies that meet any criterion of the query, least recently used first."""
    if query.is_empty:
        return []
    loans = (sa.select(Loan.copy_id, sa.func.count().label("n"),
                       sa.func.max(Loan.checked_out_at).label("last"))
             .group_by(Loan.copy_id).subquery("loans"))
    in_collection = (sa.select(Copy.book_id, sa.func.count().label("copies"))
                     .where(Copy.status != CopyStatus.WITHDRAWN)
                     .group_by(Copy.book_id).subquery("titles"))
    last_use = sa.func.coalesce(loans.c.last, Copy.created_at)
    criteria = []
    cutoff = None
    if query.unborrowed_years:
        cutoff = _years_before(now, query.unborrowed_years)
        criteria.append(last_use < cutoff)
    if query.damaged:
        criteria.append(Copy.status == CopyStatus.DAMAGED)
    if query.copies_over:
        criteria.append(in_collection.c.copies > query.copies_over)
    select = (
        sa.select(Copy, sa.func.coalesce(loans.c.n, 0), loans.c.last, in_collection.c.copies)
        .join(Book, Book.id == Copy.book_id)
        .join(in_collection, in_collection.c.book_id == Copy.book_id)
        .outerjoin(loans, loans.c.copy_id == Copy.id)
        .where(Copy.status.not_in([CopyStatus.WITHDRAWN, CopyStatus.ON_LOAN]), sa.or_(*criteria))
        .options(joinedload(Copy.book, innerjoin=True))
        .order_by(last_use, Copy.id).limit(limit)
    )
    if query.kdc_class:
        select = select.where(Book.kdc_class == query.kdc_class)
    found = []
    for copy, n, last, copies in db.session.execute(select):
        reasons = []
        if cutoff is not None and (last or copy.created_at) < cutoff:
            reasons.append("unborrowed")
        if query.damaged and copy.status is CopyStatus.DAMAGED:
            reasons.append("damaged")
        if query.copies_over and copies > query.copies_over:
            reasons.append("duplicate")
        found.append(Candidate(copy, n, last, copies, reasons))
    return found


# ---------------------------------------------------------------------------
# Withdrawal, disposition, reinstatement
# ---------------------------------------------------------------------------


def _check_disposition(disposition: Disposition, passed_to: str | None) -> str | None:
    passed_to = nfc(passed_to)
    if disposition is Disposition.PASSED_ON and not passed_to:
        raise InvalidInput(_l("Say which library or institution the copies go to."))
    return passed_to if disposition is Disposition.PASSED_ON else None


def copies_by_id(copy_ids: list[int]) -> list[Copy]:
    """Return the copies with these ids (all of them, or raise UnknownCopy)."""
    ids = sorted(set(copy_ids))
    if not ids:
        raise NothingSelected()
    copies = list(db.session.scalars(sa.select(Copy).where(Copy.id.in_(ids))
                                     .order_by(Copy.id)))
    if len(copies) != len(ids):
        raise UnknownCopy()
    return copies


def withdraw(copies: list[Copy], *, reason: WithdrawalReason,
             disposition: Disposition = Disposition.PENDING, passed_to: str | None = None,
             note: str | None = None, by: Member, now: datetime) -> list[Withdrawal]:
    """Withdraw copies from the collection (제적), saying why and what becomes of them.

    A copy already withdrawn is left as it is (a form sent twice). A copy on loan is
    refused (CopyOnLoan): it is withdrawn once it is back.
    """
    if not copies:
        raise NothingSelected()
    passed_to = _check_disposition(disposition, passed_to)
    made = []
    for copy in copies:
        if copy.status is CopyStatus.WITHDRAWN:
            continue
        set_copy_state(copy, CopyStatus.WITHDRAWN, by=by, now=now)
        withdrawal = Withdrawal(
            copy_id=copy.id, reason=reason, note=nfc(note), withdrawn_at=now,
            withdrawn_by_id=by.id, disposition=disposition, passed_to=passed_to,
            disposed_at=None if disposition is Disposition.PENDING else now)
        try:
            with savepoint():
                db.session.add(withdrawal)
        except IntegrityError:
            continue  # a simultaneous request withdrew it first
        audit.record("copy.withdraw", actor=by, entity="copy", entity_id=copy.id, now=now,
                     reason=reason.value, disposition=disposition.value)
        made.append(withdrawal)
    return made


def get_withdrawal(withdrawal_id: int) -> Withdrawal:
    """Return a withdrawal by id, or raise NotWithdrawn."""
    withdrawal = db.session.get(Withdrawal, withdrawal_id) if 0 < withdrawal_id < 2**31 \
        else None
    if withdrawal is None:
        raise NotWithdrawn()
    return withdrawal


def record_disposition(withdrawal: Withdrawal, disposition: Disposition, *,
                       passed_to: str | None = None, by: Member, now: datetime) -> Withdrawal:
    """Record what became of a withdrawn copy: disposed of (폐기) or passed on (where)."""
    if not withdrawal.is_active:
        raise NotWithdrawn()
    withdrawal.passed_to = _check_disposition(disposition, passed_to)
    withdrawal.disposition = disposition
    withdrawal.disposed_at = None if disposition is Disposition.PENDING else now
    db.session.flush()
    audit.record("copy.dispose", actor=by, entity="copy", entity_id=withdrawal.copy_id,
                 now=now, disposition=disposition.value)
    return withdrawal


def reinstate(copy: Copy, *, by: Member, now: datetime) -> Hold | None:
    """Put a withdrawn copy back into the collection; return the hold it was trapped for."""
    if copy.status is not CopyStatus.WITHDRAWN:
        raise NotWithdrawn()
    mark_available(copy, by=by, now=now)
    standing = db.session.scalar(sa.select(Withdrawal).where(
        Withdrawal.copy_id == copy.id, Withdrawal.reinstated_at.is_(None)))
    if standing is not None:
        standing.reinstated_at = now
        standing.reinstated_by_id = by.id
    db.session.flush()
    audit.record("copy.reinstate", actor=by, entity="copy", entity_id=copy.id, now=now)
    return ready_hold_for_copy(copy)


def withdrawals_of_year(*, now: datetime, limit: int = 1000) -> list[Withdrawal]:
    """Return this year's standing withdrawals, newest first, and older undecided ones."""
    start = local_day_start(date(local_today(now).year, 1, 1))
    return list(db.session.scalars(
        sa.select(Withdrawal)
        .where(Withdrawal.reinstated_at.is_(None),
               sa.or_(Withdrawal.withdrawn_at >= start,
                      Withdrawal.disposition == Disposition.PENDING))
        .options(joinedload(Withdrawal.copy).joinedload(Copy.book),
                 joinedload(Withdrawal.withdrawn_by))
        .order_by(Withdrawal.withdrawn_at.desc(), Withdrawal.id.desc()).limit(limit)))


# ---------------------------------------------------------------------------
# The least-borrowed report
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LeastBorrowed:
    """A title in the collection and how little it was borrowed."""

    book_id: int
    title: str
    authors: str | None
    kdc_class: str | None
    copies: int
    loans: int
    last_loan: datetime | None


def least_borrowed(*, years: int, now: datetime, kdc_class: str | None = None,
                   limit: int = 200) -> list[LeastBorrowed]:
    """Return the titles in the collection borrowed least in the last `years` years."""
    since = _years_before(now, years)
    loans = (sa.select(Loan.book_id,
                       sa.func.count().filter(Loan.checked_out_at >= since).label("recent"),
                       sa.func.max(Loan.checked_out_at).label("last"))
             .group_by(Loan.book_id).subquery("loans"))
    copies = (sa.select(Copy.book_id, sa.func.count().label("copies"))
              .where(Copy.status != CopyStatus.WITHDRAWN)
              .group_by(Copy.book_id).subquery("copies"))
    recent = sa.func.coalesce(loans.c.recent, 0)
    select = (
        sa.select(Book.id, Book.title, Book.authors, Book.kdc_class, copies.c.copies, recent,
                  loans.c.last)
        .join(copies, copies.c.book_id == Book.id)
        .outerjoin(loans, loans.c.book_id == Book.id)
        .order_by(recent, loans.c.last.is_not(None), loans.c.last, Book.id)
        .limit(limit)
    )
    if kdc_class:
        select = select.where(Book.kdc_class == kdc_class)
    return [LeastBorrowed(*row) for row in db.session.execute(select)]
