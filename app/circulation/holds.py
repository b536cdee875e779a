"""Holds: a member's place in a book's queue, and the hold shelf (expiry, cancelling)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.circulation.copies import shelve_or_release
from app.circulation.lookups import open_loans, ready_hold_for_copy
from app.circulation.rules import local_date, rules_for
from app.core import audit
from app.errors import (
    AlreadyBorrowed,
    BookAvailable,
    DomainError,
    Forbidden,
    HoldExists,
    HoldLimitReached,
    HoldNotActive,
    MemberBlocked,
    NoCopies,
)
from app.extensions import db, savepoint
from app.models import Book, Copy, CopyStatus, Hold, HoldStatus, Member, Role

_LENDABLE = (CopyStatus.AVAILABLE, CopyStatus.ON_LOAN, CopyStatus.ON_HOLD_SHELF)


def _expire(hold: Hold, *, now: datetime) -> Hold | None:
    """Expire one uncollected hold; return the hold the copy passed to, if any."""
    copy = hold.copy
    hold.close(HoldStatus.EXPIRED, now)
    hold.copy_id = None
    db.session.flush()
    audit.record("hold.expire", actor=None, entity="hold", entity_id=hold.id, now=now)
    if copy is None or copy.status is not CopyStatus.ON_HOLD_SHELF:
        return None
    return shelve_or_release(copy, now=now, rules=rules_for(copy))


def expire_holds(*, now: datetime) -> list[Hold]:
    """Expire every hold not picked up in time, passing each copy to the next in line."""
    today = local_date(now)
    expired = list(
        db.session.scalars(
            sa.select(Hold)
            .where(Hold.status == HoldStatus.READY, Hold.pickup_by < today)
            .order_by(Hold.pickup_by, Hold.id)
        )
    )
    for hold in expired:
        _expire(hold, now=now)
    return expired


def expire_hold_for_copy(copy: Copy, *, now: datetime) -> Hold | None:
    """Expire the copy's hold if its pickup time has passed (the desk does it lazily)."""
    hold = ready_hold_for_copy(copy)
    if hold is not None and hold.is_past_pickup(local_date(now)):
        _expire(hold, now=now)
    return ready_hold_for_copy(copy)


def hold_refusal(book: Book, member: Member) -> DomainError | None:
    """Return why the member cannot place a hold on the book now, or None if they can.

    The same checks place_hold makes, so a page offers the button only where it works.
    """
    rules = rules_for()
    if not member.is_active:
        return MemberBlocked(name=member.name)
    existing = db.session.scalar(
        sa.select(Hold).where(
            Hold.book_id == book.id, Hold.member_id == member.id,
            Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]),
        )
    )
    if existing is not None:
        return HoldExists()
    if any(loan.copy.book_id == book.id for loan in open_loans(member)):
        return AlreadyBorrowed()
    copies = [c for c in book.copies if c.status in _LENDABLE]
    if not copies:
        return NoCopies()
    if any(c.status is CopyStatus.AVAILABLE for c in copies):
        return BookAvailable()
    count = db.session.scalar(
        sa.select(sa.func.count(Hold.id)).where(
            Hold.member_id == member.id,
            Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]),
        )
    )
    if count >= rules.max_holds:
        return HoldLimitReached(count=count)
    return None


def place_hold(book: Book, member: Member, *, now: datetime) -> Hold:
    """Put the member in the queue for a book (filled by the next returned copy)."""
    refusal = hold_refusal(book, member)
    if refusal is not None:
        raise refusal
    copies = [c for c in book.copies if c.status in _LENDABLE]
    hold = Hold(book_id=book.id, member_id=member.id, site_id=copies[0].site_id,
                status=HoldStatus.WAITING, placed_at=now)
    try:
        with savepoint():
            db.session.add(hold)
    except IntegrityError:
        raise HoldExists() from None  # a second click raced the first
    audit.record("hold.place", actor=member, entity="hold", entity_id=hold.id, now=now,
                 book_id=book.id)
    return hold


def cancel_hold(hold: Hold, *, by: Member, now: datetime) -> None:
    """Cancel a hold; a copy kept on the shelf for it passes to the next in line."""
    if not (hold.is_held_by(by) or by.has_role(Role.VOLUNTEER)):
        raise Forbidden()
    if not hold.is_active:
        raise HoldNotActive()
    copy = hold.copy if hold.status is HoldStatus.READY else None
    hold.close(HoldStatus.CANCELLED, now)
    hold.copy_id = None
    db.session.flush()
    audit.record("hold.cancel", actor=by, entity="hold", entity_id=hold.id, now=now)
    if copy is not None and copy.status is CopyStatus.ON_HOLD_SHELF:
        shelve_or_release(copy, now=now, rules=rules_for(copy))
