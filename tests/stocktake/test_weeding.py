"""Weeding: candidates, withdrawal (제적) and what became of a copy, the yearly cap, the
least-borrowed report, and their pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.circulation.services import check_out, place_hold, return_copy
from app.errors import CopyOnLoan, InvalidInput, NotWithdrawn
from app.extensions import db
from app.models import (
    Copy,
    CopyStatus,
    Disposition,
    HoldStatus,
    Role,
    Withdrawal,
    WithdrawalReason,
)
from app.stocktake import weeding
from tests.support.clock import NOON

LAST_YEAR = NOON - timedelta(days=400)


def many_copies(make_book, n: int, *, created_at=LAST_YEAR, **book) -> list[Copy]:
    """n copies of one book, made at `created_at` (one flush: no book write)."""
    from app.core.defaults import default_site

    title = make_book(**book)
    site = default_site()
    copies = [Copy(book_id=title.id, site_id=site.id, barcode=f"EM{title.id:04d}{i:05d}",
                   created_at=created_at) for i in range(n)]
    db.session.add_all(copies)
    db.session.commit()
    return copies


# ---------------------------------------------------------------------------
# The yearly cap
# ---------------------------------------------------------------------------


def test_the_cap_is_past_at_the_right_count(make_book, coordinator, clock):
    copies = many_copies(make_book, 100)
    many_copies(make_book, 30, created_at=NOON)  # this year's: not in the start figure
    figure = weeding.year_figure(now=clock())
    assert (figure.year, figure.at_start, figure.withdrawn, figure.allowed) == (2026, 100, 0, 7)
    for count, copy in enumerate(copies[:8], start=1):
        weeding.withdraw([copy], reason=WithdrawalReason.OUTDATED, by=coordinator,
                         now=clock.advance(minutes=1))
        db.session.commit()
        figure = weeding.year_figure(now=clock())
        assert figure.withdrawn == count
        assert figure.over is (count > 7), count
    assert figure.remaining == 0 and round(figure.percent, 1) == 8.0
    # Put back, one no longer counts.
    weeding.reinstate(copies[0], by=coordinator, now=clock())
    db.session.commit()
    assert not weeding.year_figure(now=clock()).over


def test_last_years_withdrawals_are_out_of_the_start_figure(make_book, coordinator, clock):
    copies = many_copies(make_book, 10)
    weeding.withdraw(copies[:3], reason=WithdrawalReason.DAMAGED, by=coordinator,
                     now=LAST_YEAR + timedelta(days=10))
    db.session.commit()
    figure = weeding.year_figure(now=clock())
    assert (figure.at_start, figure.withdrawn) == (7, 0)


def test_the_cap_is_a_setting(coordinator, clock, app):
    assert weeding.cap_percent() == 7.0
    weeding.set_cap_percent(10, by=coordinator, now=clock())
    db.session.commit()
    assert weeding.cap_percent() == 10.0
    with pytest.raises(InvalidInput):
        weeding.set_cap_percent(101, by=coordinator, now=clock())


# ---------------------------------------------------------------------------
# Withdrawal, disposition, reinstatement
# ---------------------------------------------------------------------------


def test_a_withdrawal_keeps_its_reason_and_where_the_copy_went(shelf, coordinator, clock):
    copy = shelf["813.7-김95ㅂ"]
    with pytest.raises(InvalidInput):
        weeding.withdraw([copy], reason=WithdrawalReason.TRANSFERRED,
                         disposition=Disposition.PASSED_ON, by=coordinator, now=clock())
    [made] = weeding.withdraw([copy], reason=WithdrawalReason.TRANSFERRED,
                              disposition=Disposition.PASSED_ON, passed_to="서산시립도서관",
                              note="작은도서관 지원", by=coordinator, now=clock())
    db.session.commit()
    assert copy.status is CopyStatus.WITHDRAWN
    assert (made.passed_to, made.disposed_at, made.note) == ("서산시립도서관", clock(),
                                                             "작은도서관 지원")
    # Sent twice, the form changes nothing more.
    assert weeding.withdraw([copy], reason=WithdrawalReason.OTHER, by=coordinator,
                            now=clock()) == []


def test_the_fate_of_a_withdrawn_copy_is_recorded_later(shelf, coordinator, clock):
    [made] = weeding.withdraw([shelf["843-롤24해"]], reason=WithdrawalReason.DAMAGED,
                              by=coordinator, now=clock())
    assert made.disposition is Disposition.PENDING and made.disposed_at is None
    weeding.record_disposition(made, Disposition.DISPOSED, by=coordinator,
                               now=clock.advance(days=2))
    db.session.commit()
    assert (made.disposition, made.disposed_at, made.passed_to) == (
        Disposition.DISPOSED, clock(), None)
    assert made in weeding.withdrawals_of_year(now=clock())


def test_a_copy_on_loan_is_not_withdrawn(shelf, coordinator, member, clock, rules):
    copy = shelf["813.7-김95ㅂ"]
    check_out(copy, member, by=coordinator, now=clock())
    with pytest.raises(CopyOnLoan):
        weeding.withdraw([copy], reason=WithdrawalReason.OUTDATED, by=coordinator,
                         now=clock())


def test_a_copy_put_back_serves_the_next_hold(shelf, coordinator, member, other, clock,
                                              rules):
    copy = shelf["813.7-김95ㅂ"]
    check_out(copy, member, by=coordinator, now=clock())
    hold = place_hold(copy.book, other, now=clock())
    db.session.commit()
    return_copy(copy, by=coordinator, now=clock())  # on the hold shelf for `other`
    weeding.withdraw([copy], reason=WithdrawalReason.DAMAGED, by=coordinator, now=clock())
    db.session.commit()
    with pytest.raises(NotWithdrawn):
        weeding.reinstate(shelf["843-롤24해"], by=coordinator, now=clock())
    trapped = weeding.reinstate(copy, by=coordinator, now=clock())
    db.session.commit()
    assert trapped.id == hold.id and hold.status is HoldStatus.READY
    assert copy.status is CopyStatus.ON_HOLD_SHELF
    withdrawal = db.session.scalar(sa.select(Withdrawal))
    assert withdrawal.reinstated_at == clock() and not withdrawal.is_active


# ---------------------------------------------------------------------------
# Candidates and the least-borrowed report
# ---------------------------------------------------------------------------


def _loan_at(copy, member, by, when, rules):
    check_out(copy, member, by=by, now=when)
    return_copy(copy, by=by, now=when + timedelta(days=7))
    db.session.commit()


def test_candidates_by_each_criterion(make_book, make_copy, coordinator, member, clock, rules):
    old_book = make_book(title="오래된 책", kdc_class="3")
    borrowed_long_ago = make_copy(old_book, created_at=NOON - timedelta(days=3000))
    _loan_at(borrowed_long_ago, member, coordinator, NOON - timedelta(days=2000), rules)
    never_borrowed = make_copy(make_book(title="한 번도 안 빌린 책", kdc_class="8"),
                               created_at=NOON - timedelta(days=2000))
    recent = make_copy(make_book(title="요즘 책", kdc_class="8"),
                       created_at=NOON - timedelta(days=3000))
    _loan_at(recent, member, coordinator, NOON - timedelta(days=100), rules)
    damaged = make_copy(make_book(title="찢어진 책", kdc_class="8"), status=CopyStatus.DAMAGED)
    many = make_book(title="복본 많은 책", kdc_class="8")
    spares = [make_copy(many) for _ in range(4)]

    def barcodes(**query):
        return {c.copy.barcode for c in weeding.weeding_candidates(
            weeding.CandidateQuery(**query), now=clock())}

    assert barcodes() == set()
    assert barcodes(unborrowed_years=5) == {borrowed_long_ago.barcode, never_borrowed.barcode}
    assert barcodes(unborrowed_years=5, kdc_class="8") == {never_borrowed.barcode}
    assert barcodes(damaged=True) == {damaged.barcode}
    assert barcodes(copies_over=3) == {c.barcode for c in spares}
    assert barcodes(copies_over=4) == set()
    [candidate] = weeding.weeding_candidates(
        weeding.CandidateQuery(unborrowed_years=5, damaged=True, kdc_class="3"), now=clock())
    assert (candidate.loans, candidate.reasons) == (1, ["unborrowed"])


def test_least_borrowed_puts_never_borrowed_titles_first(make_book, make_copy, coordinator,
                                                         member, clock, rules):
    popular = make_copy(make_book(title="인기 있는 책"))
    once = make_copy(make_book(title="한 번 빌린 책"))
    never = make_copy(make_book(title="안 빌린 책"))
    withdrawn = make_copy(make_book(title="제적된 책"), status=CopyStatus.WITHDRAWN)
    for days in (10, 30, 60):
        _loan_at(popular, member, coordinator, NOON - timedelta(days=days * 3), rules)
    _loan_at(once, member, coordinator, NOON - timedelta(days=200), rules)
    _loan_at(once, member, coordinator, NOON - timedelta(days=2000), rules)
    rows = weeding.least_borrowed(years=3, now=clock())
    assert [(r.title, r.loans) for r in rows] == [("안 빌린 책", 0), ("한 번 빌린 책", 1),
                                                  ("인기 있는 책", 3)]
    assert never.book_id == rows[0].book_id and withdrawn.book_id not in {r.book_id
                                                                         for r in rows}


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def test_weeding_pages_are_for_coordinators(client, login_as):
    login_as(Role.VOLUNTEER)
    for path in ("/weeding", "/weeding/withdrawals", "/weeding/least-borrowed"):
        assert client.get(path).status_code == 403


def test_withdrawing_past_the_cap_warns(client, login_as, csrf_token, make_book):
    copies = many_copies(make_book, 20, created_at=NOON - timedelta(days=3650))
    login_as(Role.COORDINATOR)
    token = csrf_token("/weeding")
    page = client.get("/weeding?years=5&kdc_class=").get_data(as_text=True)
    assert page.count('data-testid="candidate"') == 20
    assert 'data-over="false"' in page and "장서 20권 가운데 0권" in page
    response = client.post("/weeding/withdraw", data={
        "csrf_token": token, "copy_ids": [str(c.id) for c in copies[:1]],
        "reason": "outdated", "disposition": "disposed"})
    assert response.status_code == 303 and response.headers["Location"] == \
        "/weeding/withdrawals"
    html = client.get("/weeding/withdrawals").get_data(as_text=True)
    assert "위원회 심의" not in html and "폐기함" in html
    response = client.post("/weeding/withdraw", data={
        "csrf_token": token, "copy_ids": [str(c.id) for c in copies[1:2]],
        "reason": "duplicate", "disposition": "passed_on", "passed_to": "해미작은도서관"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-over="true"' in html and "위원회 심의" in html
    assert "해미작은도서관에 넘김" in html


def test_the_cap_and_a_disposition_are_set_from_the_pages(client, login_as, csrf_token,
                                                          shelf):
    coordinator = login_as(Role.COORDINATOR)
    token = csrf_token("/weeding")
    assert client.post("/weeding/cap", data={"csrf_token": token,
                                              "percent": "5"}).status_code == 303
    assert weeding.cap_percent() == 5.0
    [made] = weeding.withdraw([shelf["911-한15ㅎ"]], reason=WithdrawalReason.LOST,
                              by=coordinator, now=NOON)
    db.session.commit()
    response = client.post(f"/weeding/withdrawals/{made.id}", data={
        "csrf_token": token, "disposition": "passed_on", "passed_to": ""},
        headers={"Referer": "http://localhost/weeding/withdrawals"})
    assert response.status_code == 303  # refused: it says where to
    db.session.refresh(made)
    assert made.disposition is Disposition.PENDING


def test_the_least_borrowed_report_and_its_csv(client, login_as, shelf):
    login_as(Role.COORDINATOR)
    page = client.get("/weeding/least-borrowed?years=2&kdc_class=8")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('data-testid="least-borrowed-row"') == 7
    csv = client.get("/weeding/least-borrowed.csv?years=2")
    assert csv.mimetype == "text/csv"
    assert len(csv.get_data(as_text=True).splitlines()) == 1 + len(shelf)
