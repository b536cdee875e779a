"""Copy states set at the desk: lost (and found again), damaged, withdrawn, back in service."""

import pytest

from app.circulation.copies import mark_available, mark_damaged, mark_lost, mark_withdrawn
from app.circulation.holds import place_hold
from app.circulation.loans import return_copy
from app.circulation.lookups import queue_position
from app.errors import CopyOnLoan, NotOnLoan
from app.extensions import db
from app.models import CopyStatus, HoldStatus
from tests.circulation.conftest import back, out


def test_lost_copy_ends_its_loan_and_checks_back_in_when_found(copy, member, volunteer,
                                                               clock):
    loan = out(copy, member, volunteer, clock)
    mark_lost(copy, by=volunteer, now=clock())
    db.session.commit()
    assert copy.status is CopyStatus.LOST and not loan.is_open and loan.member_id is None
    clock.advance(days=30)
    found = back(copy, volunteer, clock)
    assert found.found and found.loan is None and copy.status is CopyStatus.AVAILABLE
    clock.advance(seconds=2)
    again = back(copy, volunteer, clock)  # a double scan changes nothing
    assert again.repeated and again.found and copy.status is CopyStatus.AVAILABLE
    clock.advance(seconds=20)
    with pytest.raises(NotOnLoan):
        return_copy(copy, by=volunteer, now=clock())


def test_found_copy_goes_to_the_hold_shelf_when_someone_waits(make_titles, make_member,
                                                              member, other, volunteer, clock):
    book, (copy, second) = make_titles(2)
    out(copy, member, volunteer, clock)
    out(second, other, volunteer, clock)
    mark_lost(copy, by=volunteer, now=clock())
    db.session.commit()
    hold = place_hold(book, make_member(password=""), now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    assert hold.status is HoldStatus.READY and copy.status is CopyStatus.ON_HOLD_SHELF


def test_damaged_or_withdrawn_needs_the_copy_checked_in(copy, member, volunteer, clock):
    out(copy, member, volunteer, clock)
    with pytest.raises(CopyOnLoan):
        mark_damaged(copy, by=volunteer, now=clock())
    back(copy, volunteer, clock)
    mark_damaged(copy, by=volunteer, now=clock())
    assert copy.status is CopyStatus.DAMAGED
    mark_withdrawn(copy, by=volunteer, now=clock())
    assert copy.status is CopyStatus.WITHDRAWN
    mark_available(copy, by=volunteer, now=clock())
    assert copy.status is CopyStatus.AVAILABLE


def test_a_copy_lost_from_the_hold_shelf_puts_the_hold_back_in_line(make_titles, member,
                                                                    other, volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    hold = place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    mark_lost(copy, by=volunteer, now=clock())
    db.session.commit()
    assert hold.status is HoldStatus.WAITING and hold.copy_id is None
    assert queue_position(hold) == 1
