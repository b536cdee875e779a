"""A whole visit at the desk, by keyboard at scanner speed: return 2, borrow 3, pick up 1 hold.

The counts are the point: one card scan, one scan per book, no extra key until the
member leaves (Esc). Every warning is shown in amber; a normal pickup is never red.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.circulation import loans
from app.circulation.holds import place_hold
from app.core.defaults import loan_rules
from app.extensions import db
from app.models import Hold, HoldStatus, Loan, Role, utcnow
from tests.e2e.conftest import scan as scanner_scan

pytestmark = pytest.mark.e2e


class Desk:
    """The desk page, counting what the volunteer does: scans and other keys."""

    def __init__(self, page):
        self.page, self.scans, self.keys = page, 0, 0

    def scan(self, code: str) -> None:
        before = self.page.get_attribute("[data-testid=desk-panel]", "data-serial") or ""
        scanner_scan(self.page, code)
        self.scans += 1
        self.page.wait_for_function(
            "b => document.querySelector('[data-testid=desk-panel]').dataset.serial !== b",
            arg=before)

    def key(self, name: str) -> None:
        self.page.keyboard.press(name)
        self.keys += 1

    def result(self) -> tuple[str, str, str, list[str]]:
        page = self.page
        box = page.locator("[data-testid=desk-result]")
        detail = page.locator("[data-testid=result-detail]")
        return (box.get_attribute("data-outcome"), box.get_attribute("class"),
                page.inner_text("[data-testid=result-title]") + " " +
                (detail.inner_text() if detail.count() else ""),
                page.locator("[data-testid=desk-warning]").all_inner_texts())


@pytest.fixture
def visit_world(app, make_member, make_book, make_copy):
    rules = loan_rules()
    rules.max_loans = 5
    db.session.commit()
    now = utcnow()
    volunteer = make_member(Role.VOLUNTEER, name="도우미")
    hana = make_member(Role.MEMBER, name="김하늘", password="")
    emma = make_member(Role.MEMBER, name="Emma Wilson", password="")
    old = [make_copy(make_book(title="데미안")), make_copy(make_book(title="어린 왕자"))]
    for copy in old:
        loans.check_out(copy, hana, by=volunteer, now=now - timedelta(days=5))
    minsu = make_member(Role.MEMBER, name="박민수", password="")
    twin_book = make_book(title="채식주의자")
    wanted = make_book(title="Harry Potter")
    out = make_copy(wanted)  # Harry Potter's first copy is out: Emma queues for it
    loans.check_out(out, minsu, by=volunteer, now=now - timedelta(days=3))
    place_hold(wanted, emma, now=now)
    new = [make_copy(twin_book), make_copy(twin_book), make_copy(wanted)]  # a new copy came
    held_book = make_book(title="아몬드")
    shelf_copy = make_copy(held_book)
    loans.check_out(shelf_copy, minsu, by=volunteer, now=now - timedelta(days=3))
    place_hold(held_book, hana, now=now)
    loans.return_copy(shelf_copy, by=volunteer, now=now)  # to the hold shelf for 김하늘
    db.session.commit()
    return hana, emma, old, new, shelf_copy


def test_return_2_borrow_3_pick_up_1_hold(page, web_login, visit_world):
    hana, _other, old, new, shelf_copy = visit_world
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    desk = Desk(page)

    desk.scan(hana.card_barcode)
    assert page.inner_text("[data-testid=borrower-name]") == "김하늘"

    # Return 2: their own books, lent days ago, scanned with them selected.
    for copy in old:
        desk.scan(copy.barcode)
        outcome, css, text, _warnings = desk.result()
        assert outcome == "ok" and "result-ok" in css
        assert copy.book.title in text and "김하늘" in text
        assert page.locator("[data-testid=undo-return]").count() == 1
    assert page.locator("[data-testid=loan-row]").count() == 0

    # Borrow 3: the second copy of a title they have now, and a title others wait for.
    said = []
    for copy in new:
        desk.scan(copy.barcode)
        outcome, css, text, warnings = desk.result()
        assert outcome == "ok", text
        said.append(warnings)
    assert said[0] == []
    assert any("이미" in w for w in said[1])  # already has a copy of this title
    assert any("기다리" in w for w in said[2])  # another member waits for Harry Potter

    # Pick up 1 hold: the hold-shelf copy kept for them is lent, the hold fulfilled.
    desk.scan(shelf_copy.barcode)
    outcome, css, text, warnings = desk.result()
    assert outcome == "ok" and "result-refused" not in css
    assert "예약" in text
    assert any("5권" in w for w in warnings)  # 4 of 5: near the loan limit
    assert page.locator("[data-testid=loan-row]").count() == 4

    desk.key("Escape")  # the member leaves
    page.wait_for_selector("[data-testid=desk-panel][data-borrower='']")

    print(f"\nreturn 2, borrow 3, pick up 1 hold: {desk.scans} scans, {desk.keys} key")
    assert (desk.scans, desk.keys) == (1 + 2 + 3 + 1, 1)

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Loan.id)).where(
        Loan.returned_at.is_(None), Loan.member_id == hana.id)) == 4
    hold = db.session.scalar(sa.select(Hold).where(Hold.member_id == hana.id))
    assert hold.status is HoldStatus.FULFILLED


def test_undo_puts_the_loan_back(page, web_login, visit_world):
    hana, _other, old, _new, _shelf = visit_world
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    desk = Desk(page)
    desk.scan(hana.card_barcode)
    desk.scan(old[0].barcode)
    assert page.locator("[data-testid=loan-row]").count() == 1
    page.click("[data-testid=undo-return]")
    page.wait_for_selector("[data-testid=loan-row] >> nth=1")
    outcome, _css, _text, _w = desk.result()
    assert outcome == "ok"
    db.session.expire_all()
    loan = db.session.scalar(sa.select(Loan).where(Loan.copy_id == old[0].id))
    assert loan.returned_at is None and loan.member_id == hana.id


def test_hold_shelf_copy_with_nobody_selected_asks_for_the_card(page, web_login, visit_world):
    hana, _other, _old, _new, shelf_copy = visit_world
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    desk = Desk(page)
    desk.scan(shelf_copy.barcode)
    outcome, css, text, _w = desk.result()
    assert outcome == "ask" and "result-warn" in css and "result-refused" not in css
    assert "김OO" in text and "김하늘" not in text
    assert "년" in text and not re.search(r"\d{4}-\d{2}-\d{2}", text)  # not 2026-12-10
    # Their card next: the copy is lent at once.
    desk.scan(hana.card_barcode)
    outcome, _css, text, _w = desk.result()
    assert outcome == "ok" and "아몬드" in text
    assert page.locator(f"[data-testid=loan-row][data-barcode='{shelf_copy.barcode}']").count()
    assert (desk.scans, desk.keys) == (2, 0)


def test_escape_then_rescan_of_a_just_lent_copy_asks_first(page, web_login, visit_world):
    hana, _other, _old, new, _shelf = visit_world
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    desk = Desk(page)
    desk.scan(hana.card_barcode)
    desk.scan(new[0].barcode)
    desk.key("Escape")
    page.wait_for_selector("[data-testid=desk-panel][data-borrower='']")
    db.session.execute(sa.update(Loan).where(Loan.copy_id == new[0].id).values(
        checked_out_at=utcnow() - timedelta(seconds=30)))  # past the double-scan window
    db.session.commit()
    desk.scan(new[0].barcode)
    outcome, css, text, _w = desk.result()
    assert outcome == "ask" and "result-warn" in css and "김OO" in text
    db.session.expire_all()
    assert db.session.scalar(sa.select(Loan.returned_at).where(Loan.copy_id == new[0].id)) is None
    desk.scan(new[0].barcode)  # the second scan says yes
    outcome, _css, text, _w = desk.result()
    assert outcome == "ok"
    db.session.expire_all()
    assert db.session.scalar(sa.select(Loan.returned_at).where(
        Loan.copy_id == new[0].id)) is not None


def test_a_copy_on_someone_elses_card_is_returned_then_lent(page, web_login, visit_world):
    hana, other, old, _new, _shelf = visit_world
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    desk = Desk(page)
    desk.scan(other.card_barcode)
    desk.scan(old[0].barcode)  # still on 김하늘's card
    outcome, _css, text, _w = desk.result()
    assert outcome == "ok" and "김OO" in text and "데미안" in text
    assert page.locator(f"[data-testid=loan-row][data-barcode='{old[0].barcode}']").count()
