"""Holds with a fixed clock: refusals, queue order, the hold shelf, expiry, cancelling."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import errors
from app.circulation.holds import cancel_hold, expire_holds, place_hold
from app.circulation.loans import check_out, return_copy
from app.circulation.lookups import queue_position
from app.circulation.privacy import mask_name
from app.extensions import db
from app.models import CopyStatus, Hold, HoldStatus
from tests.circulation.conftest import TODAY, back, out


def test_place_hold_refusals(make_titles, member, other, volunteer, clock, set_rules):
    book, (copy,) = make_titles(1)
    with pytest.raises(errors.BookAvailable):
        place_hold(book, member, now=clock())
    out(copy, other, volunteer, clock)
    hold = place_hold(book, member, now=clock())
    db.session.commit()
    assert hold.status is HoldStatus.WAITING and queue_position(hold) == 1
    with pytest.raises(errors.HoldExists):
        place_hold(book, member, now=clock())
    with pytest.raises(errors.AlreadyBorrowed):
        place_hold(book, other, now=clock())
    empty = make_titles(0)[0]
    with pytest.raises(errors.NoCopies):
        place_hold(empty, member, now=clock())
    set_rules(max_holds=1)
    second, (copy2,) = make_titles(1)
    out(copy2, other, volunteer, clock)
    with pytest.raises(errors.HoldLimitReached):
        place_hold(second, member, now=clock())


def test_queue_positions_follow_the_order_of_placing(make_titles, make_member, volunteer,
                                                      clock):
    book, (copy,) = make_titles(1)
    borrower = make_member(password="")
    out(copy, borrower, volunteer, clock)
    holds = []
    for _ in range(3):
        clock.advance(minutes=1)
        holds.append(place_hold(book, make_member(password=""), now=clock()))
    db.session.commit()
    assert [queue_position(h) for h in holds] == [1, 2, 3]
    cancel_hold(holds[0], by=holds[0].member, now=clock())
    assert [queue_position(h) for h in holds[1:]] == [1, 2]


def test_check_in_fills_the_first_hold(make_titles, member, other, make_member, volunteer,
                                       clock, rules):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = place_hold(book, other, now=clock())
    clock.advance(minutes=5)
    second = place_hold(book, make_member(password=""), now=clock())
    db.session.commit()
    clock.advance(days=2)
    done = back(copy, volunteer, clock)
    assert done.hold.id == first.id
    assert first.status is HoldStatus.READY and first.copy_id == copy.id
    assert first.pickup_by == TODAY + timedelta(days=2 + rules.hold_shelf_days)
    assert second.status is HoldStatus.WAITING
    assert copy.status is CopyStatus.ON_HOLD_SHELF
    assert mask_name(other.name) == "이OO"


def test_a_copy_on_the_hold_shelf_is_only_for_its_holder(make_titles, member, other,
                                                          make_member, volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    hold = place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    stranger = make_member(name="박민수", password="")
    with pytest.raises(errors.HeldForOther, match="이OO"):
        check_out(copy, stranger, by=volunteer, now=clock())
    done = check_out(copy, other, by=volunteer, now=clock())
    db.session.commit()
    assert done.created and done.hold.id == hold.id
    assert hold.status is HoldStatus.FULFILLED and copy.status is CopyStatus.ON_LOAN


def test_borrowing_from_the_shelf_fulfils_ones_own_waiting_hold(make_titles, make_copy,
                                                                  member, other, volunteer,
                                                                  clock):
    book, (first,) = make_titles(1)
    out(first, other, volunteer, clock)
    hold = place_hold(book, member, now=clock())
    db.session.commit()
    new_copy = make_copy(book)  # a donated copy arrives on the open shelf
    done = check_out(new_copy, member, by=volunteer, now=clock())
    db.session.commit()
    assert done.hold.id == hold.id and hold.status is HoldStatus.FULFILLED


def test_uncollected_hold_expires_and_passes_to_the_next(make_titles, member, other,
                                                         make_member, volunteer, clock,
                                                         set_rules):
    set_rules(hold_shelf_days=3)
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = place_hold(book, other, now=clock())
    clock.advance(minutes=1)
    second = place_hold(book, make_member(password=""), now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    assert first.pickup_by == TODAY + timedelta(days=3)
    clock.advance(days=3)  # the last day to pick it up
    assert expire_holds(now=clock()) == []
    clock.advance(days=1)
    expired = expire_holds(now=clock())
    db.session.commit()
    assert [h.id for h in expired] == [first.id]
    assert first.status is HoldStatus.EXPIRED and first.copy_id is None
    assert second.status is HoldStatus.READY and second.copy_id == copy.id
    assert second.pickup_by == TODAY + timedelta(days=4 + 3)
    assert copy.status is CopyStatus.ON_HOLD_SHELF
    clock.advance(days=4)
    expire_holds(now=clock())
    db.session.commit()
    assert second.status is HoldStatus.EXPIRED and copy.status is CopyStatus.AVAILABLE


def test_the_desk_expires_a_hold_lazily_when_it_touches_the_copy(make_titles, member, other,
                                                                 make_member, volunteer,
                                                                 clock, set_rules):
    set_rules(hold_shelf_days=2)
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    hold = place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    clock.advance(days=3)
    stranger = make_member(password="")
    done = check_out(copy, stranger, by=volunteer, now=clock())
    db.session.commit()
    assert done.created and hold.status is HoldStatus.EXPIRED


def test_cancelling_a_ready_hold_passes_the_copy_on(make_titles, member, other, make_member,
                                                    volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = place_hold(book, other, now=clock())
    clock.advance(minutes=1)
    nextone = make_member(password="")
    second = place_hold(book, nextone, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    with pytest.raises(errors.Forbidden):
        cancel_hold(first, by=nextone, now=clock())
    cancel_hold(first, by=other, now=clock())
    db.session.commit()
    assert first.status is HoldStatus.CANCELLED
    assert second.status is HoldStatus.READY and copy.status is CopyStatus.ON_HOLD_SHELF
    with pytest.raises(errors.HoldNotActive):
        cancel_hold(first, by=other, now=clock())
    cancel_hold(second, by=volunteer, now=clock())  # the desk may cancel too
    db.session.commit()
    assert copy.status is CopyStatus.AVAILABLE


def test_hold_rows_keep_one_active_hold_per_member_and_book(make_titles, member, other,
                                                            volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, other, volunteer, clock)
    place_hold(book, member, now=clock())
    db.session.commit()
    active = db.session.scalars(sa.select(Hold).where(Hold.member_id == member.id)).all()
    assert len(active) == 1


def test_scanning_a_hold_shelf_copy_expires_an_old_hold_lazily(make_titles, member, other,
                                                               make_member, volunteer, clock,
                                                               set_rules):
    set_rules(hold_shelf_days=2)
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    clock.advance(minutes=1)
    with pytest.raises(errors.NotOnLoan, match="hold shelf for 이OO"):
        return_copy(copy, by=volunteer, now=clock())
    nextone = make_member(password="")
    second = place_hold(book, nextone, now=clock())
    db.session.commit()
    clock.advance(days=3)
    done = back(copy, volunteer, clock)
    assert done.expired and done.hold.id == second.id
    assert first.status is HoldStatus.EXPIRED and second.status is HoldStatus.READY
    clock.advance(days=3)
    done = back(copy, volunteer, clock)
    assert done.expired and done.hold is None and copy.status is CopyStatus.AVAILABLE
