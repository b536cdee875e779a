"""Loans: check out (at the desk or by the member), check in, renew.

Every function takes the actor and the time (`by`, `now`), flushes and never commits;
a refusal is a DomainError the desk, the member's page and the API all show.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.circulation.copies import NOT_FOUND_STATES, set_status, shelve_or_release, write_status
from app.circulation.holds import expire_hold_for_copy
from app.circulation.lookups import open_loan, open_loans, ready_hold_for_copy
from app.circulation.privacy import borrower_key, mask_name
from app.circulation.rules import local_date, rules_for
from app.core import audit
from app.core.i18n import sentence_date
from app.errors import (
    BookOnHold,
    CopyNotAvailable,
    DomainError,
    HeldForOther,
    LoanClosed,
    LoanLimitReached,
    LoanOverdue,
    MemberBlocked,
    NotOnLoan,
    RenewalLimitReached,
    SelfCheckoutOff,
    UnknownLoan,
)
from app.extensions import begin_write, db
from app.models import AuditEvent, Copy, CopyStatus, Hold, HoldStatus, Loan, Member

# A check-in of a copy returned this recently is a double scan, not an error.
DOUBLE_SCAN_WINDOW = timedelta(seconds=10)


@dataclass
class Checkout:
    """What a checkout did: the loan, and whether it was new (False for a double scan)."""

    loan: Loan
    created: bool
    hold: Hold | None = None


def _not_available(copy: Copy, loan: Loan | None) -> CopyNotAvailable:
    """Return the refusal for a copy that cannot be lent, saying why."""
    if loan is not None:
        return CopyNotAvailable(
            _l("This copy is already on loan to someone else (due %(due)s). Check it in "
               "first."), due=sentence_date(loan.due_on))
    reasons = {
        CopyStatus.LOST: _l("This copy is marked lost. Check it in to put it back."),
        CopyStatus.MISSING: _l("This copy is marked missing (not found at a stocktake). Check "
                               "it in to put it back."),
        CopyStatus.DAMAGED: _l("This copy is marked damaged and is not lent."),
        CopyStatus.WITHDRAWN: _l("This copy is withdrawn from the collection."),
    }
    return CopyNotAvailable(reasons.get(copy.status))


def check_out(copy: Copy, member: Member, *, by: Member, now: datetime) -> Checkout:
    """Lend a copy to a member (a repeated scan answers with the same loan)."""
    # A copy on the shelf has no open loan: one statement fewer per checkout. (Should one
    # exist all the same, the unique index on open loans refuses the new loan below.)
    lendable = copy.status in (CopyStatus.AVAILABLE, CopyStatus.ON_HOLD_SHELF)
    loan = None if lendable else open_loan(copy)
    if loan is not None:
        if loan.is_borrowed_by(member):
            return Checkout(loan, created=False)
        raise _not_available(copy, loan)
    rules = rules_for(copy)
    if copy.status not in (CopyStatus.AVAILABLE, CopyStatus.ON_HOLD_SHELF):
        raise _not_available(copy, None)
    if not member.is_active:
        raise MemberBlocked(_l("%(name)s's account is deactivated."), name=member.name)
    hold = None
    if copy.status is CopyStatus.ON_HOLD_SHELF:
        hold = expire_hold_for_copy(copy, now=now)
        if hold is not None and not hold.is_held_by(member):
            raise HeldForOther(holder=mask_name(hold.member.name if hold.member else None))
    if hold is None:
        # Taken from the open shelf: it fulfils the member's own waiting hold, if any.
        hold = db.session.scalar(
            sa.select(Hold).where(Hold.book_id == copy.book_id, Hold.member_id == member.id,
                                  Hold.status == HoldStatus.WAITING)
        )
    today = local_date(now)
    loans = open_loans(member)
    overdue = [existing for existing in loans if existing.is_overdue(today)]
    if overdue and rules.overdue_blocks:
        raise MemberBlocked(
            _l("%(name)s has %(count)d overdue book(s) and cannot borrow until they are "
               "returned."), name=member.name, count=len(overdue))
    if len(loans) >= rules.max_loans:
        raise LoanLimitReached(name=member.name, count=len(loans))
    values = dict(
        copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=copy.site_id,
        checked_out_at=now, due_on=today + timedelta(days=rules.loan_days), renewals=0,
        returned_at=None, checked_out_by_id=by.id, returned_by_id=None,
        borrower_key=borrower_key(member, now),
    )
    begin_write()
    # The unique index on open loans is the last word when two desks race: the losing
    # desk's INSERT adds nothing (no row comes back) and it says who has the copy.
    # Plain statements, not the session's flush: the desk's hottest write.
    loan_id = db.session.execute(_loan_insert(), values).scalar()
    if loan_id is None:
        db.session.expire(copy)
        winner = _winning_loan(copy)
        if winner is not None and winner.is_borrowed_by(member):
            return Checkout(winner, created=False)
        raise _not_available(copy, winner) from None
    write_status(copy, CopyStatus.ON_LOAN, now)
    # The session learns the loan as if it had read it back (no query, nothing to flush).
    loan = Loan(id=loan_id, **values)
    make_transient_to_detached(loan)
    db.session.add(loan)
    if hold is not None:
        hold.close(HoldStatus.FULFILLED, now)
        hold.copy_id = copy.id
    audit.insert("loan.checkout", actor=by, entity="loan", entity_id=loan.id, now=now,
                 copy=copy.barcode)
    return Checkout(loan, created=True, hold=hold)


def _loan_insert() -> sa.Insert:
    """INSERT of a loan that adds nothing when the copy has an open loan already."""
    return _loan_insert_for(db.session.get_bind().dialect.name)


@functools.cache
def _loan_insert_for(dialect: str) -> sa.Insert:
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Loan.__table__)
    return insert.on_conflict_do_nothing().returning(Loan.__table__.c.id)


def _winning_loan(copy: Copy) -> Loan | None:
    """Return the open loan that another request committed first."""
    return db.session.scalar(
        sa.select(Loan).where(Loan.copy_id == copy.id, Loan.returned_at.is_(None))
    )


def self_check_out(copy: Copy, member: Member, *, now: datetime) -> Checkout:
    """Let a logged-in member check out a copy themselves, when the rules allow it."""
    if not rules_for(copy).self_checkout:
        raise SelfCheckoutOff()
    return check_out(copy, member, by=member, now=now)


@dataclass
class Return:
    """What a check-in did."""

    copy: Copy
    loan: Loan | None
    hold: Hold | None = None
    repeated: bool = False
    found: bool = False
    expired: bool = False


def return_copy(copy: Copy, *, by: Member, now: datetime) -> Return:
    """Check a copy in; it goes to the hold shelf for the next in line, or back on the shelf."""
    rules = rules_for(copy)
    loan = open_loan(copy)
    if loan is None:
        if copy.status in NOT_FOUND_STATES:
            # A lost or missing copy found again comes back into the collection.
            audit.record("copy.found", actor=by, entity="copy", entity_id=copy.id, now=now)
            hold = shelve_or_release(copy, now=now, rules=rules)
            return Return(copy, None, hold=hold, found=True)
        recent = db.session.scalar(
            sa.select(Loan)
            .where(Loan.copy_id == copy.id, Loan.returned_at >= now - DOUBLE_SCAN_WINDOW)
            .order_by(Loan.returned_at.desc())
            .limit(1)
        )
        if recent is not None:
            return Return(copy, recent, hold=ready_hold_for_copy(copy), repeated=True)
        if _found_since(copy, now - DOUBLE_SCAN_WINDOW):
            return Return(copy, None, hold=ready_hold_for_copy(copy), repeated=True, found=True)
        if copy.status is CopyStatus.ON_HOLD_SHELF:
            # Tidying the hold shelf: an uncollected hold expires and the copy moves on.
            kept = ready_hold_for_copy(copy)
            current = expire_hold_for_copy(copy, now=now)
            if kept is not None and current is kept:
                raise NotOnLoan(
                    _l("This copy is on the hold shelf for %(holder)s until %(date)s."),
                    holder=mask_name(kept.member.name if kept.member else None),
                    date=sentence_date(kept.pickup_by))
            if kept is not None:
                return Return(copy, None, hold=current, expired=True)
        raise NotOnLoan()
    member = loan.member
    keep = bool(member is not None and member.keep_history)
    # A conditional update, so two desks returning the same copy close it only once.
    # On the table, not the ORM entity (its bulk-update bookkeeping is not needed here).
    loans = Loan.__table__
    begin_write()
    closed = db.session.execute(
        sa.update(loans)
        .where(loans.c.id == loan.id, loans.c.returned_at.is_(None))
        .values(returned_at=now, returned_by_id=by.id,
                member_id=loan.member_id if keep else None)
    ).rowcount
    if closed == 0:
        db.session.refresh(loan)  # another desk closed it: show what it wrote
        return Return(copy, loan, hold=ready_hold_for_copy(copy), repeated=True)
    # Our update closed it: the loan now holds what we wrote (no need to read it back).
    for name, value in (("returned_at", now.astimezone(UTC)), ("returned_by_id", by.id),
                        ("member_id", loan.member_id if keep else None),
                        ("member", member if keep else None)):
        set_committed_value(loan, name, value)
    audit.insert("loan.return", actor=by, entity="loan", entity_id=loan.id, now=now,
                 copy=copy.barcode)
    if copy.status in (CopyStatus.DAMAGED, CopyStatus.WITHDRAWN):
        return Return(copy, loan)
    hold = shelve_or_release(copy, now=now, rules=rules)
    return Return(copy, loan, hold=hold)


def _found_since(copy: Copy, since: datetime) -> bool:
    """Tell whether a lost copy was found (checked in) since `since`: a double scan."""
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "copy.found", AuditEvent.entity == "copy",
            AuditEvent.entity_id == copy.id, AuditEvent.at >= since,
        )
    ) > 0


def renewal_refusal(loan: Loan, *, now: datetime) -> DomainError | None:
    """Return why an open loan cannot be renewed now, or None if it can.

    The same checks renew makes, so /me disables the button with the reason beside it.
    """
    rules = rules_for(loan.copy)
    today = local_date(now)
    if loan.renewals >= rules.max_renewals:
        return RenewalLimitReached(count=loan.renewals)
    if loan.days_overdue(today) > rules.renew_overdue_days:
        return LoanOverdue(days=loan.days_overdue(today))
    waiting = db.session.scalar(
        sa.select(sa.func.count(Hold.id)).where(
            Hold.book_id == loan.copy.book_id,
            Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]),
            sa.or_(Hold.member_id.is_(None), Hold.member_id != loan.member_id),
        )
    )
    if waiting:
        return BookOnHold()
    return None


def renew(loan: Loan, *, by: Member, now: datetime) -> Loan:
    """Extend a loan by the renewal days, unless a rule says no (the reason is given)."""
    if not loan.can_renew(by):
        raise UnknownLoan()
    if not loan.is_open:
        raise LoanClosed()
    refusal = renewal_refusal(loan, now=now)
    if refusal is not None:
        raise refusal
    rules = rules_for(loan.copy)
    today = local_date(now)
    old = loan.due_on
    loan.extend(today, rules.renewal_days)
    db.session.flush()
    audit.record("loan.renew", actor=by, entity="loan", entity_id=loan.id, now=now,
                 old=old.isoformat(), new=loan.due_on.isoformat())
    return loan


# How long after a return the desk's Undo still puts the loan back.
UNDO_WINDOW = timedelta(minutes=10)


def undo_return(loan: Loan, member: Member, *, by: Member, now: datetime) -> Loan:
    """Put back a loan that the desk just closed by mistake: the same loan, the same due date.

    Only within UNDO_WINDOW, only for the member it was lent to (the loan may have dropped
    its member link for privacy; its monthly pseudonym tells it was theirs), and only while
    the copy has not moved on to another loan. A hold the return made ready waits again.
    """
    if loan.returned_at is None or loan.returned_at < now - UNDO_WINDOW:
        raise LoanClosed(_l("This return can no longer be undone."))
    if not (loan.member_id == member.id
            or loan.borrower_key == borrower_key(member, loan.checked_out_at)):
        raise UnknownLoan()
    copy = loan.copy
    if open_loan(copy) is not None or copy.status not in (CopyStatus.AVAILABLE,
                                                          CopyStatus.ON_HOLD_SHELF):
        raise _not_available(copy, open_loan(copy))
    hold = ready_hold_for_copy(copy)
    if hold is not None:
        hold.back_to_waiting()
    loan.returned_at = None
    loan.returned_by_id = None
    loan.member_id = member.id
    set_status(copy, CopyStatus.ON_LOAN, now)
    db.session.flush()
    audit.record("loan.undo_return", actor=by, entity="loan", entity_id=loan.id, now=now,
                 copy=copy.barcode)
    return loan
