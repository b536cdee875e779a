"""Where a copy is: its status, back on the open shelf or on the hold shelf for the next
in line, and the states put by hand at the desk (lost, damaged, withdrawn, in service)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.circulation.lookups import open_loan, ready_hold_for_copy
from app.circulation.rules import local_date, rules_for
from app.core import audit
from app.errors import CopyOnLoan, InvalidInput
from app.extensions import db
from app.models import Copy, CopyStatus, Hold, HoldStatus, LoanRules, Member

# States a copy can be put into by hand at the desk.
MANUAL_STATES = (CopyStatus.LOST, CopyStatus.DAMAGED, CopyStatus.WITHDRAWN, CopyStatus.AVAILABLE,
                 CopyStatus.MISSING)
# States of a copy that is not where it should be: checking it in brings it back.
NOT_FOUND_STATES = (CopyStatus.LOST, CopyStatus.MISSING)


def set_status(copy: Copy, status: CopyStatus, now: datetime) -> None:
    """Move a copy to `status`, noting when (unchanged if it is there already)."""
    if copy.status != status:
        copy.status = status
        copy.status_changed_at = now


def write_status(copy: Copy, status: CopyStatus, now: datetime) -> None:
    """Move a copy to `status` at once, with a plain UPDATE (the desk's hot path: nothing
    for the session to flush); the copy holds the new values as if read back."""
    if copy.status == status:
        return
    db.session.execute(sa.update(Copy.__table__).where(Copy.__table__.c.id == copy.id)
                       .values(status=status, status_changed_at=now))
    set_committed_value(copy, "status", status)
    set_committed_value(copy, "status_changed_at", now)


def _next_waiting(book_id: int) -> Hold | None:
    return db.session.scalar(
        sa.select(Hold)
        .where(Hold.book_id == book_id, Hold.status == HoldStatus.WAITING)
        .order_by(Hold.placed_at, Hold.id)
        .limit(1)
    )


def shelve_or_release(copy: Copy, *, now: datetime, rules: LoanRules) -> Hold | None:
    """Put a copy that came back on the hold shelf for the next in line, or on the shelf."""
    hold = _next_waiting(copy.book_id)
    while hold is not None and (hold.member is None or not hold.member.is_active):
        hold.close(HoldStatus.CANCELLED, now)  # the holder left; skip them
        hold = _next_waiting(copy.book_id)
    if hold is None:
        write_status(copy, CopyStatus.AVAILABLE, now)
        return None
    hold.mark_ready(copy, now, local_date(now) + timedelta(days=rules.hold_shelf_days))
    set_status(copy, CopyStatus.ON_HOLD_SHELF, now)
    db.session.flush()
    from app.notices.services import hold_became_ready  # the notices area's hook

    hold_became_ready(hold, now=now)
    return hold


def set_copy_state(copy: Copy, status: CopyStatus, *, by: Member, now: datetime) -> Copy:
    """Mark a copy lost, missing, damaged or withdrawn, or put it back in service."""
    if status not in MANUAL_STATES:
        raise InvalidInput()
    if copy.status == status:
        return copy
    loan = open_loan(copy)
    if loan is not None:
        if status is not CopyStatus.LOST:
            raise CopyOnLoan()
        # Lost while on loan: the loan ends (the café settles with the member in person).
        member = loan.member
        loan.mark_returned(now, by, keep_member=bool(member and member.keep_history))
    hold = ready_hold_for_copy(copy)
    if hold is not None:
        hold.back_to_waiting()  # the holder keeps their place for the next copy
    old = copy.status
    db.session.flush()
    if status is CopyStatus.AVAILABLE:
        shelve_or_release(copy, now=now, rules=rules_for(copy))
    else:
        set_status(copy, status, now)
    db.session.flush()
    audit.record("copy.status", actor=by, entity="copy", entity_id=copy.id, now=now,
                 old=str(old), new=str(copy.status))
    return copy


def mark_lost(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Mark a copy lost (an open loan on it ends)."""
    return set_copy_state(copy, CopyStatus.LOST, by=by, now=now)


def mark_damaged(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Mark a copy damaged: it is no longer lent."""
    return set_copy_state(copy, CopyStatus.DAMAGED, by=by, now=now)


def mark_withdrawn(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Withdraw a copy from the collection."""
    return set_copy_state(copy, CopyStatus.WITHDRAWN, by=by, now=now)


def mark_available(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Put a damaged, withdrawn, lost or missing copy back in service."""
    return set_copy_state(copy, CopyStatus.AVAILABLE, by=by, now=now)
