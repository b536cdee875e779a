"""Loans with a fixed clock: checkout rules and races, check-in, renewals, self-checkout."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import errors
from app.circulation import loans
from app.circulation.copies import mark_lost
from app.circulation.holds import place_hold
from app.circulation.loans import check_out, renew, return_copy, self_check_out
from app.circulation.lookups import loan_history, open_loan
from app.circulation.rules import member_blocks
from app.extensions import db
from app.models import AuditEvent, CopyStatus, HoldStatus, Loan
from tests.circulation.conftest import TODAY, back, out


def test_check_out_lends_with_the_rules_due_date(copy, member, volunteer, clock, rules):
    done = check_out(copy, member, by=volunteer, now=clock())
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
    again = check_out(copy, member, by=volunteer, now=clock())
    assert not again.created and again.loan.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1


def test_copy_on_loan_to_another_member_is_refused(copy, member, other, volunteer, clock):
    out(copy, member, volunteer, clock)
    with pytest.raises(errors.CopyNotAvailable, match="already on loan"):
        check_out(copy, other, by=volunteer, now=clock())


def test_loan_limit(make_titles, member, volunteer, clock, set_rules):
    set_rules(max_loans=2)
    _book, copies = make_titles(3)
    out(copies[0], member, volunteer, clock)
    out(copies[1], member, volunteer, clock)
    with pytest.raises(errors.LoanLimitReached) as refused:
        check_out(copies[2], member, by=volunteer, now=clock())
    assert refused.value.code == "loan_limit_reached" and "2" in str(refused.value)
    blocks = member_blocks(member, now=clock())
    assert [b.code for b in blocks] == ["limit"]


def test_an_overdue_loan_blocks_new_loans(make_titles, member, volunteer, clock, set_rules):
    _book, (first, second) = make_titles(2)
    out(first, member, volunteer, clock)
    clock.advance(days=15)
    with pytest.raises(errors.MemberBlocked, match="overdue"):
        check_out(second, member, by=volunteer, now=clock())
    assert [b.code for b in member_blocks(member, now=clock())] == ["overdue"]
    set_rules(overdue_blocks=False)
    assert check_out(second, member, by=volunteer, now=clock()).created


def test_due_today_is_not_overdue(make_titles, member, volunteer, clock):
    _book, (first, second) = make_titles(2)
    out(first, member, volunteer, clock)
    clock.advance(days=14)
    assert check_out(second, member, by=volunteer, now=clock()).created


def test_deactivated_member_cannot_borrow(copy, member, volunteer, clock):
    member.active = False
    db.session.commit()
    with pytest.raises(errors.MemberBlocked):
        check_out(copy, member, by=volunteer, now=clock())


@pytest.mark.parametrize("status", [CopyStatus.LOST, CopyStatus.DAMAGED, CopyStatus.WITHDRAWN])
def test_lost_damaged_withdrawn_copies_are_not_lent(copy, member, volunteer, clock, status):
    copy.status = status
    db.session.commit()
    with pytest.raises(errors.CopyNotAvailable):
        check_out(copy, member, by=volunteer, now=clock())


def test_the_unique_index_decides_a_race(copy, member, other, volunteer, clock, monkeypatch):
    # Another desk lent the copy between our check and our insert.
    db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id,
                        member_id=other.id, site_id=copy.site_id,
                        checked_out_at=clock(), due_on=TODAY))
    db.session.commit()
    monkeypatch.setattr(loans, "open_loan", lambda c: None)
    with pytest.raises(errors.CopyNotAvailable):
        check_out(copy, member, by=volunteer, now=clock())
    db.session.rollback()
    monkeypatch.undo()
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1


def test_the_race_lost_to_the_same_member_answers_with_that_loan(copy, member, volunteer,
                                                                 clock, monkeypatch):
    first = Loan(copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=copy.site_id,
                 checked_out_at=clock(), due_on=TODAY)
    db.session.add(first)
    db.session.commit()
    real = open_loan
    calls = []

    def first_call_misses(c):
        calls.append(c)
        return None if len(calls) == 1 else real(c)

    monkeypatch.setattr(loans, "open_loan", first_call_misses)
    done = check_out(copy, member, by=volunteer, now=clock())
    assert not done.created and done.loan.id == first.id


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
    assert [h.id for h in loan_history(keeper)] == [loan.id]


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
    again = return_copy(copy, by=volunteer, now=clock())
    assert again.repeated and again.loan.id == loan.id
    clock.advance(seconds=2)
    with pytest.raises(errors.NotOnLoan):
        return_copy(copy, by=volunteer, now=clock())


def test_check_in_of_a_copy_not_on_loan(copy, volunteer, clock):
    with pytest.raises(errors.NotOnLoan) as refused:
        return_copy(copy, by=volunteer, now=clock())
    assert refused.value.code == "not_on_loan"


def test_renewal_extends_from_the_due_date(copy, member, volunteer, clock, rules):
    loan = out(copy, member, volunteer, clock)
    clock.advance(days=10)
    renew(loan, by=member, now=clock())
    assert loan.due_on == TODAY + timedelta(days=14 + 7) and loan.renewals == 1


def test_renewal_limit(copy, member, volunteer, clock, set_rules):
    loan = out(copy, member, volunteer, clock)
    renew(loan, by=member, now=clock())
    with pytest.raises(errors.RenewalLimitReached) as refused:
        renew(loan, by=member, now=clock())
    assert refused.value.code == "renewal_limit_reached"
    set_rules(max_renewals=2)
    renew(loan, by=member, now=clock())
    assert loan.renewals == 2


def test_renewal_refused_when_someone_else_holds_the_book(copy, member, other, volunteer,
                                                          clock):
    loan = out(copy, member, volunteer, clock)
    place_hold(copy.book, other, now=clock())
    db.session.commit()
    with pytest.raises(errors.BookOnHold) as refused:
        renew(loan, by=member, now=clock())
    assert "waiting" in str(refused.value)


def test_renewal_refused_when_overdue_past_the_rule(copy, member, volunteer, clock,
                                                     set_rules):
    loan = out(copy, member, volunteer, clock)
    clock.advance(days=16)  # two days overdue
    with pytest.raises(errors.LoanOverdue, match="2 days overdue"):
        renew(loan, by=member, now=clock())
    set_rules(renew_overdue_days=3)
    renew(loan, by=member, now=clock())
    assert loan.due_on == TODAY + timedelta(days=16 + 7)  # counted from today


def test_renewal_by_someone_else_or_of_a_returned_loan(copy, member, other, volunteer, clock):
    loan = out(copy, member, volunteer, clock)
    with pytest.raises(errors.UnknownLoan):
        renew(loan, by=other, now=clock())
    renew(loan, by=volunteer, now=clock())  # the desk may renew
    back(copy, volunteer, clock)
    with pytest.raises(errors.LoanClosed):
        renew(loan, by=volunteer, now=clock())


def test_self_checkout_is_off_by_default_and_fulfils_ones_own_hold(
        make_titles, member, other, volunteer, clock, set_rules):
    book, (copy,) = make_titles(1)
    with pytest.raises(errors.SelfCheckoutOff):
        self_check_out(copy, member, now=clock())
    out(copy, other, volunteer, clock)
    hold = place_hold(book, member, now=clock())
    db.session.commit()
    back(copy, volunteer, clock)
    set_rules(self_checkout=True)
    done = self_check_out(copy, member, now=clock())
    db.session.commit()
    assert done.loan.checked_out_by_id == member.id
    assert hold.status is HoldStatus.FULFILLED


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
    mark_lost(copies[-1], by=volunteer, now=clock())  # ends the last loan too
    db.session.commit()
    rows = db.session.execute(sa.select(Loan.member_id, Loan.borrower_key)).all()
    assert len(rows) == 8
    assert {member_id for member_id, _key in rows} == {keeper.id, None}
    assert all(key for _member_id, key in rows)  # statistics keep distinct borrowers
    assert len({key for _member_id, key in rows}) == 4
