"""Circulation rules, each with a fixed clock: limits, blocks, renewals, holds, expiry."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.circulation import services
from app.errors import (
    AlreadyBorrowed,
    BookAvailable,
    BookOnHold,
    CopyNotAvailable,
    CopyOnLoan,
    Forbidden,
    HeldForOther,
    HoldExists,
    HoldLimitReached,
    HoldNotActive,
    LoanClosed,
    LoanLimitReached,
    LoanOverdue,
    MemberBlocked,
    NoCopies,
    NotOnLoan,
    RenewalLimitReached,
    SelfCheckoutOff,
    UnknownCopy,
    UnknownMember,
)
from app.extensions import db
from app.models import AuditEvent, CopyStatus, Hold, HoldStatus, Loan

TODAY = date(2026, 3, 2)  # the clock fixture's local date in Seoul


def out(copy, member, by, clock):
    done = services.check_out(copy, member, by=by, now=clock())
    db.session.commit()
    return done.loan


def back(copy, by, clock):
    done = services.return_copy(copy, by=by, now=clock())
    db.session.commit()
    return done


# --- check out ---------------------------------------------------------------


def test_check_out_lends_with_the_rules_due_date(copy, member, volunteer, clock, rules):
    done = services.check_out(copy, member, by=volunteer, now=clock())
    db.session.commit()
    assert done.created
    loan = done.loan
    assert loan.due_on == TODAY + timedelta(days=14)
    assert loan.member_id == member.id and loan.checked_out_by_id == volunteer.id
    assert loan.borrower_key and len(loan.borrower_key) == 32
    assert copy.status is CopyStatus.ON_LOAN
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "loan.checkout"))


def test_due_date_uses_the_cafes_calendar(copy, member, volunteer, clock):
    clock.now = clock.now.replace(hour=16)  # 01:00 the next day in Seoul
    loan = out(copy, member, volunteer, clock)
    assert loan.due_on == TODAY + timedelta(days=15)


def test_changed_rules_apply_to_new_loans_only(make_titles, member, volunteer, clock,
                                               set_rules):
    _book, (first, second) = make_titles(2)
    old = out(first, member, volunteer, clock)
    set_rules(loan_days=21)
    new = out(second, member, volunteer, clock)
    assert old.due_on == TODAY + timedelta(days=14)
    assert new.due_on == TODAY + timedelta(days=21)


def test_double_checkout_by_the_same_member_changes_nothing(copy, member, volunteer, clock):
    first = out(copy, member, volunteer, clock)
    clock.advance(seconds=1)
    again = services.check_out(copy, member, by=volunteer, now=clock())
    assert not again.created and again.loan.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1


def test_copy_on_loan_to_another_member_is_refused(copy, member, other, volunteer, clock):
    out(copy, member, volunteer, clock)
    with pytest.raises(CopyNotAvailable, match="already on loan"):
        services.check_out(copy, other, by=volunteer, now=clock())


def test_loan_limit(make_titles, member, volunteer, clock, set_rules):
    set_rules(max_loans=2)
    _book, copies = make_titles(3)
    out(copies[0], member, volunteer, clock)
    out(copies[1], member, volunteer, clock)
    with pytest.raises(LoanLimitReached) as refused:
        services.check_out(copies[2], member, by=volunteer, now=clock())
    assert refused.value.code == "loan_limit_reached" and "2" in str(refused.value)
    blocks = services.member_blocks(member, now=clock())
    assert [b.code for b in blocks] == ["limit"]


def test_an_overdue_loan_blocks_new_loans(make_titles, member, volunteer, clock, set_rules):
    _book, (first, second) = make_titles(2)
    out(first, member, volunteer, clock)
    clock.advance(days=15)
    with pytest.raises(MemberBlocked, match="overdue"):
        services.check_out(second, member, by=volunteer, now=clock())
    assert [b.code for b in services.member_blocks(member, now=clock())] == ["overdue"]
    set_rules(overdue_blocks=False)
    assert services.check_out(second, member, by=volunteer, now=clock()).created


def test_due_today_is_not_overdue(make_titles, member, volunteer, clock):
    _book, (first, second) = make_titles(2)
    out(first, member, volunteer, clock)
    clock.advance(days=14)
    assert services.check_out(second, member, by=volunteer, now=clock()).created


def test_deactivated_member_cannot_borrow(copy, member, volunteer, clock):
    member.active = False
    db.session.commit()
    with pytest.raises(MemberBlocked):
        services.check_out(copy, member, by=volunteer, now=clock())


@pytest.mark.parametrize("status", [CopyStatus.LOST, CopyStatus.DAMAGED, CopyStatus.WITHDRAWN])
def test_lost_damaged_withdrawn_copies_are_not_lent(copy, member, volunteer, clock, status):
    copy.status = status
    db.session.commit()
    with pytest.raises(CopyNotAvailable):
        services.check_out(copy, member, by=volunteer, now=clock())


def test_the_unique_index_decides_a_race(copy, member, other, volunteer, clock, monkeypatch):
    # Another desk lent the copy between our check and our insert.
    db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id,
                        member_id=other.id, site_id=copy.site_id,
                        checked_out_at=clock(), due_on=TODAY))
    db.session.commit()
    monkeypatch.setattr(services, "open_loan", lambda c: None)
    with pytest.raises(CopyNotAvailable):
        services.check_out(copy, member, by=volunteer, now=clock())
    db.session.rollback()
    monkeypatch.undo()
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1


def test_the_race_lost_to_the_same_member_answers_with_that_loan(copy, member, volunteer,
                                                                 clock, monkeypatch):
    first = Loan(copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=copy.site_id,
                 checked_out_at=clock(), due_on=TODAY)
    db.session.add(first)
    db.session.commit()
    real = services.open_loan
    calls = []

    def first_call_misses(c):
        calls.append(c)
        return None if len(calls) == 1 else real(c)

    monkeypatch.setattr(services, "open_loan", first_call_misses)
    done = services.check_out(copy, member, by=volunteer, now=clock())
    assert not done.created and done.loan.id == first.id


def test_lookups_refuse_unknown_codes(app):
    with pytest.raises(UnknownCopy):
        services.copy_by_barcode("2010000009999")
    with pytest.raises(UnknownMember):
        services.member_by_card("2020000009999")


# --- return ------------------------------------------------------------------


def test_return_drops_the_member_link_but_keeps_statistics(copy, member, volunteer, clock):
    loan = out(copy, member, volunteer, clock)
    key = loan.borrower_key
    clock.advance(days=3)
    done = back(copy, volunteer, clock)
    assert done.loan.id == loan.id and not done.repeated
    db.session.expire_all()
    loan = db.session.get(Loan, loan.id)
    assert loan.returned_at == clock() and loan.member_id is None
    assert loan.borrower_key == key and loan.returned_by_id == volunteer.id
    assert copy.status is CopyStatus.AVAILABLE


def test_return_keeps_the_link_for_members_who_keep_history(copy, make_member, volunteer,
                                                             clock):
    keeper = make_member(keep_history=True, password="")
    loan = out(copy, keeper, volunteer, clock)
    back(copy, volunteer, clock)
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).member_id == keeper.id
    assert [h.id for h in services.loan_history(keeper)] == [loan.id]


def test_borrower_key_is_the_same_within_a_month_and_differs_between_members(
        make_titles, member, other, volunteer, clock, set_rules):
    set_rules(overdue_blocks=False)
    _book, copies = make_titles(3)
    a = out(copies[0], member, volunteer, clock)
    b = out(copies[1], member, volunteer, clock)
    c = out(copies[2], other, volunteer, clock)
    assert a.borrower_key == b.borrower_key != c.borrower_key
    clock.advance(days=31)
    back(copies[0], volunteer, clock)
    d = out(copies[0], member, volunteer, clock)
    assert d.borrower_key != a.borrower_key  # a new month, a new pseudonym


def test_double_check_in_within_ten_seconds(copy, member, volunteer, clock):
    loan = out(copy, member, volunteer, clock)
    back(copy, volunteer, clock)
    clock.advance(seconds=9)
    again = services.return_copy(copy, by=volunteer, now=clock())
    assert again.repeated and again.loan.id == loan.id
    clock.advance(seconds=2)
    with pytest.raises(NotOnLoan):
        services.return_copy(copy, by=volunteer, now=clock())


def test_check_in_of_a_copy_not_on_loan(copy, volunteer, clock):
    with pytest.raises(NotOnLoan) as refused:
        services.return_copy(copy, by=volunteer, now=clock())
    assert refused.value.code == "not_on_loan"


# --- holds -------------------------------------------------------------------


def test_place_hold_refusals(make_titles, member, other, volunteer, clock, set_rules):
    book, (copy,) = make_titles(1)
    with pytest.raises(BookAvailable):
        services.place_hold(book, member, now=clock())
    out(copy, other, volunteer, clock)
    hold = services.place_hold(book, member, now=clock())
    db.session.commit()
    assert hold.status is HoldStatus.WAITING and services.queue_position(hold) == 1
    with pytest.raises(HoldExists):
        services.place_hold(book, member, now=clock())
    with pytest.raises(AlreadyBorrowed):
        services.place_hold(book, other, now=clock())
    empty = make_titles(0)[0]
    with pytest.raises(NoCopies):
        services.place_hold(empty, member, now=clock())
    set_rules(max_holds=1)
    second, (copy2,) = make_titles(1)
    out(copy2, other, volunteer, clock)
    with pytest.raises(HoldLimitReached):
        services.place_hold(second, member, now=clock())


def test_queue_positions_follow_the_order_of_placing(make_titles, make_member, volunteer,
                                                      clock):
    book, (copy,) = make_titles(1)
    borrower = make_member(password="")
    out(copy, borrower, volunteer, clock)
    holds = []
    for _ in range(3):
        clock.advance(minutes=1)
        holds.append(services.place_hold(book, make_member(password=""), now=clock()))
    db.session.commit()
    assert [services.queue_position(h) for h in holds] == [1, 2, 3]
    services.cancel_hold(holds[0], by=holds[0].member, now=clock())
    assert [services.queue_position(h) for h in holds[1:]] == [1, 2]


def test_check_in_fills_the_first_hold(make_titles, member, other, make_member, volunteer,
                                       clock, rules):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = services.place_hold(book, other, now=clock())
    clock.advance(minutes=5)
    second = services.place_hold(book, make_member(password=""), now=clock())
    db.session.commit()
    clock.advance(days=2)
    done = back(copy, volunteer, clock)
    assert done.hold.id == first.id
    assert first.status is HoldStatus.READY and first.copy_id == copy.id
    assert first.pickup_by == TODAY + timedelta(days=2 + rules.hold_shelf_days)
    assert second.status is HoldStatus.WAITING
    assert copy.status is CopyStatus.ON_HOLD_SHELF
    assert services.mask_name(other.name) == "이OO"


@pytest.mark.parametrize(("name", "masked"), [
    ("이서준", "이OO"), ("이수", "이OO"), ("Emma Wilson", "EOO"), ("  ", "—"), (None, "—")])
def test_a_masked_name_tells_its_first_letter_only(name, masked):
    assert services.mask_name(name) == masked


def test_a_copy_on_the_hold_shelf_is_only_for_its_holder(make_titles, member, other,
                                                          make_member, volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    hold = services.place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    stranger = make_member(name="박민수", password="")
    with pytest.raises(HeldForOther, match="이OO"):
        services.check_out(copy, stranger, by=volunteer, now=clock())
    done = services.check_out(copy, other, by=volunteer, now=clock())
    db.session.commit()
    assert done.created and done.hold.id == hold.id
    assert hold.status is HoldStatus.FULFILLED and copy.status is CopyStatus.ON_LOAN


def test_borrowing_from_the_shelf_fulfils_ones_own_waiting_hold(make_titles, make_copy,
                                                                  member, other, volunteer,
                                                                  clock):
    book, (first,) = make_titles(1)
    out(first, other, volunteer, clock)
    hold = services.place_hold(book, member, now=clock())
    db.session.commit()
    new_copy = make_copy(book)  # a donated copy arrives on the open shelf
    done = services.check_out(new_copy, member, by=volunteer, now=clock())
    db.session.commit()
    assert done.hold.id == hold.id and hold.status is HoldStatus.FULFILLED


def test_uncollected_hold_expires_and_passes_to_the_next(make_titles, member, other,
                                                         make_member, volunteer, clock,
                                                         set_rules):
    set_rules(hold_shelf_days=3)
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = services.place_hold(book, other, now=clock())
    clock.advance(minutes=1)
    second = services.place_hold(book, make_member(password=""), now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    assert first.pickup_by == TODAY + timedelta(days=3)
    clock.advance(days=3)  # the last day to pick it up
    assert services.expire_holds(now=clock()) == []
    clock.advance(days=1)
    expired = services.expire_holds(now=clock())
    db.session.commit()
    assert [h.id for h in expired] == [first.id]
    assert first.status is HoldStatus.EXPIRED and first.copy_id is None
    assert second.status is HoldStatus.READY and second.copy_id == copy.id
    assert second.pickup_by == TODAY + timedelta(days=4 + 3)
    assert copy.status is CopyStatus.ON_HOLD_SHELF
    clock.advance(days=4)
    services.expire_holds(now=clock())
    db.session.commit()
    assert second.status is HoldStatus.EXPIRED and copy.status is CopyStatus.AVAILABLE


def test_the_desk_expires_a_hold_lazily_when_it_touches_the_copy(make_titles, member, other,
                                                                 make_member, volunteer,
                                                                 clock, set_rules):
    set_rules(hold_shelf_days=2)
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    hold = services.place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    clock.advance(days=3)
    stranger = make_member(password="")
    done = services.check_out(copy, stranger, by=volunteer, now=clock())
    db.session.commit()
    assert done.created and hold.status is HoldStatus.EXPIRED


def test_cancelling_a_ready_hold_passes_the_copy_on(make_titles, member, other, make_member,
                                                    volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = services.place_hold(book, other, now=clock())
    clock.advance(minutes=1)
    nextone = make_member(password="")
    second = services.place_hold(book, nextone, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    with pytest.raises(Forbidden):
        services.cancel_hold(first, by=nextone, now=clock())
    services.cancel_hold(first, by=other, now=clock())
    db.session.commit()
    assert first.status is HoldStatus.CANCELLED
    assert second.status is HoldStatus.READY and copy.status is CopyStatus.ON_HOLD_SHELF
    with pytest.raises(HoldNotActive):
        services.cancel_hold(first, by=other, now=clock())
    services.cancel_hold(second, by=volunteer, now=clock())  # the desk may cancel too
    db.session.commit()
    assert copy.status is CopyStatus.AVAILABLE


# --- renewals ----------------------------------------------------------------


def test_renewal_extends_from_the_due_date(copy, member, volunteer, clock, rules):
    loan = out(copy, member, volunteer, clock)
    clock.advance(days=10)
    services.renew(loan, by=member, now=clock())
    assert loan.due_on == TODAY + timedelta(days=14 + 7) and loan.renewals == 1


def test_renewal_limit(copy, member, volunteer, clock, set_rules):
    loan = out(copy, member, volunteer, clock)
    services.renew(loan, by=member, now=clock())
    with pytest.raises(RenewalLimitReached) as refused:
        services.renew(loan, by=member, now=clock())
    assert refused.value.code == "renewal_limit_reached"
    set_rules(max_renewals=2)
    services.renew(loan, by=member, now=clock())
    assert loan.renewals == 2


def test_renewal_refused_when_someone_else_holds_the_book(copy, member, other, volunteer,
                                                          clock):
    loan = out(copy, member, volunteer, clock)
    services.place_hold(copy.book, other, now=clock())
    db.session.commit()
    with pytest.raises(BookOnHold) as refused:
        services.renew(loan, by=member, now=clock())
    assert "waiting" in str(refused.value)


def test_renewal_refused_when_overdue_past_the_rule(copy, member, volunteer, clock,
                                                     set_rules):
    loan = out(copy, member, volunteer, clock)
    clock.advance(days=16)  # two days overdue
    with pytest.raises(LoanOverdue, match="2 days overdue"):
        services.renew(loan, by=member, now=clock())
    set_rules(renew_overdue_days=3)
    services.renew(loan, by=member, now=clock())
    assert loan.due_on == TODAY + timedelta(days=16 + 7)  # counted from today


def test_renewal_by_someone_else_or_of_a_returned_loan(copy, member, other, volunteer, clock):
    from app.errors import UnknownLoan

    loan = out(copy, member, volunteer, clock)
    with pytest.raises(UnknownLoan):
        services.renew(loan, by=other, now=clock())
    services.renew(loan, by=volunteer, now=clock())  # the desk may renew
    back(copy, volunteer, clock)
    with pytest.raises(LoanClosed):
        services.renew(loan, by=volunteer, now=clock())


# --- copy states -------------------------------------------------------------


def test_lost_copy_ends_its_loan_and_checks_back_in_when_found(copy, member, volunteer,
                                                               clock):
    loan = out(copy, member, volunteer, clock)
    services.mark_lost(copy, by=volunteer, now=clock())
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
        services.return_copy(copy, by=volunteer, now=clock())


def test_found_copy_goes_to_the_hold_shelf_when_someone_waits(make_titles, make_member,
                                                              member, other, volunteer, clock):
    book, (copy, second) = make_titles(2)
    out(copy, member, volunteer, clock)
    out(second, other, volunteer, clock)
    services.mark_lost(copy, by=volunteer, now=clock())
    db.session.commit()
    hold = services.place_hold(book, make_member(password=""), now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    assert hold.status is HoldStatus.READY and copy.status is CopyStatus.ON_HOLD_SHELF


def test_damaged_or_withdrawn_needs_the_copy_checked_in(copy, member, volunteer, clock):
    out(copy, member, volunteer, clock)
    with pytest.raises(CopyOnLoan):
        services.mark_damaged(copy, by=volunteer, now=clock())
    back(copy, volunteer, clock)
    services.mark_damaged(copy, by=volunteer, now=clock())
    assert copy.status is CopyStatus.DAMAGED
    services.mark_withdrawn(copy, by=volunteer, now=clock())
    assert copy.status is CopyStatus.WITHDRAWN
    services.mark_available(copy, by=volunteer, now=clock())
    assert copy.status is CopyStatus.AVAILABLE


def test_a_copy_lost_from_the_hold_shelf_puts_the_hold_back_in_line(make_titles, member,
                                                                    other, volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    hold = services.place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    services.mark_lost(copy, by=volunteer, now=clock())
    db.session.commit()
    assert hold.status is HoldStatus.WAITING and hold.copy_id is None
    assert services.queue_position(hold) == 1


# --- self-checkout, overdue, finding members ----------------------------------


def test_self_checkout_is_off_by_default_and_fulfils_ones_own_hold(
        make_titles, member, other, volunteer, clock, set_rules):
    book, (copy,) = make_titles(1)
    with pytest.raises(SelfCheckoutOff):
        services.self_check_out(copy, member, now=clock())
    out(copy, other, volunteer, clock)
    hold = services.place_hold(book, member, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    set_rules(self_checkout=True)
    done = services.self_check_out(copy, member, now=clock())
    db.session.commit()
    assert done.loan.checked_out_by_id == member.id
    assert hold.status is HoldStatus.FULFILLED


def test_overdue_by_member(make_titles, member, other, volunteer, clock):
    _book, copies = make_titles(3)
    out(copies[0], member, volunteer, clock)
    clock.advance(days=2)
    out(copies[1], other, volunteer, clock)
    out(copies[2], member, volunteer, clock)
    clock.advance(days=14)
    groups = services.overdue_by_member(now=clock())
    assert [(g.member.id, len(g.loans), g.most_days) for g in groups] == [
        (member.id, 1, 2)]
    clock.advance(days=3)
    groups = services.overdue_by_member(now=clock())
    assert [(g.member.id, g.most_days) for g in groups] == [(member.id, 5), (other.id, 3)]


def test_find_members_by_name_or_phone(member, other):
    assert services.find_members("하늘") == [member]
    assert services.find_members("5678") == [member]
    assert services.find_members("010 1234 5678") == [member]
    assert services.find_members("없는이름") == []


def test_hold_rows_keep_one_active_hold_per_member_and_book(make_titles, member, other,
                                                            volunteer, clock):
    book, (copy,) = make_titles(1)
    out(copy, other, volunteer, clock)
    services.place_hold(book, member, now=clock())
    db.session.commit()
    active = db.session.scalars(sa.select(Hold).where(Hold.member_id == member.id)).all()
    assert len(active) == 1


def test_no_member_link_survives_return_unless_kept(make_titles, make_member, volunteer,
                                                    clock, set_rules):
    """Acceptance 5: after return, only members who opted in stay linked to their loans."""
    set_rules(max_loans=50)
    keeper = make_member(keep_history=True, password="")
    private = [make_member(password="") for _ in range(3)]
    _book, copies = make_titles(8)
    borrowers = [keeper, *private, keeper, *private]
    for c, who in zip(copies, borrowers, strict=True):
        out(c, who, volunteer, clock)
    clock.advance(days=1)
    for c in copies[:-1]:
        back(c, volunteer, clock)
    services.mark_lost(copies[-1], by=volunteer, now=clock())  # ends the last loan too
    db.session.commit()
    rows = db.session.execute(sa.select(Loan.member_id, Loan.borrower_key)).all()
    assert len(rows) == 8
    assert {member_id for member_id, _key in rows} == {keeper.id, None}
    assert all(key for _member_id, key in rows)  # statistics keep distinct borrowers
    assert len({key for _member_id, key in rows}) == 4


def test_scanning_a_hold_shelf_copy_expires_an_old_hold_lazily(make_titles, member, other,
                                                               make_member, volunteer, clock,
                                                               set_rules):
    set_rules(hold_shelf_days=2)
    book, (copy,) = make_titles(1)
    out(copy, member, volunteer, clock)
    first = services.place_hold(book, other, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    clock.advance(minutes=1)
    with pytest.raises(NotOnLoan, match="hold shelf for 이OO"):
        services.return_copy(copy, by=volunteer, now=clock())
    nextone = make_member(password="")
    second = services.place_hold(book, nextone, now=clock())
    db.session.commit()
    clock.advance(days=3)
    done = back(copy, volunteer, clock)
    assert done.expired and done.hold.id == second.id
    assert first.status is HoldStatus.EXPIRED and second.status is HoldStatus.READY
    clock.advance(days=3)
    done = back(copy, volunteer, clock)
    assert done.expired and done.hold is None and copy.status is CopyStatus.AVAILABLE
