"""The lending desk in the browser, driven by the keyboard only (as a USB scanner does)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.circulation.holds import place_hold
from app.circulation.rules import local_date
from app.extensions import db
from app.models import Book, Copy, Hold, HoldStatus, Loan, Role, utcnow
from tests.e2e.conftest import focused_testid, scan

pytestmark = pytest.mark.e2e



@pytest.fixture
def desk_setup(make_member, make_book, make_copy):
    borrower = make_member(Role.MEMBER, name="김하늘", password="")
    waiting = make_member(Role.MEMBER, name="이서준", password="")
    first = make_copy(make_book(title="아몬드"))
    second = make_copy(make_book(title="채식주의자"))
    return borrower, waiting, first, second


def test_keyboard_only_checkout_and_check_in_with_a_hold(page, web_login, desk_setup):
    borrower, waiting, first, second = desk_setup
    card, codes = borrower.card_barcode, [first.barcode, second.barcode]
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    assert focused_testid(page) == "scan-field"

    scan(page, card)
    page.wait_for_selector("[data-testid=borrower-name]:has-text('김하늘')")
    assert page.get_attribute("[data-testid=desk-result]", "data-outcome") == "ok"

    # Two copies scanned back to back, as fast as a scanner types them.
    scan(page, codes[0])
    scan(page, codes[1])
    page.wait_for_selector(f"[data-testid=loan-row][data-barcode='{codes[1]}']")
    page.wait_for_selector(f"[data-testid=loan-row][data-barcode='{codes[0]}']")
    due = (local_date(utcnow()) + timedelta(days=14)).isoformat()
    dues = page.eval_on_selector_all("[data-testid=due-on]", "els => els.map(e => e.dataset.due)")
    assert dues == [due, due]
    assert page.get_attribute("[data-testid=desk-result]", "data-outcome") == "ok"
    assert focused_testid(page) == "scan-field"

    # Meanwhile, someone places a hold on the second book.
    book = db.session.get(Book, db.session.scalar(
        sa.select(Copy.book_id).where(Copy.barcode == codes[1])))
    place_hold(book, waiting, now=utcnow())
    db.session.commit()

    page.keyboard.press("F2")
    page.wait_for_selector("[data-testid=desk-panel][data-mode=checkin]")
    assert focused_testid(page) == "scan-field"
    scan(page, codes[0])
    page.wait_for_selector("[data-testid=return-row] >> nth=0")
    scan(page, codes[1])
    page.wait_for_selector("[data-testid=desk-result][data-outcome=hold]")
    assert "이OO" in page.inner_text("[data-testid=result-title]")
    assert "이서준" not in page.inner_text("[data-testid=desk-panel]")
    assert page.locator("[data-testid=return-row]").count() == 2
    assert focused_testid(page) == "scan-field"

    db.session.expire_all()
    loans = db.session.scalars(sa.select(Loan)).all()
    assert len(loans) == 2 and all(loan.returned_at is not None for loan in loans)
    assert all(loan.member_id is None for loan in loans)  # privacy: link dropped
    hold = db.session.scalar(sa.select(Hold))
    assert hold.status is HoldStatus.READY


def test_escape_clears_the_borrower_and_a_refusal_looks_different(page, web_login,
                                                                   desk_setup, make_member):
    borrower, waiting, first, _second = desk_setup
    card, other_card, code = borrower.card_barcode, waiting.card_barcode, first.barcode
    web_login(Role.VOLUNTEER)
    page.goto("/desk")
    scan(page, card)
    page.wait_for_selector("[data-testid=borrower-name]")
    scan(page, code)
    page.wait_for_selector(f"[data-testid=loan-row][data-barcode='{code}']")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid=desk-panel][data-borrower='']")
    scan(page, other_card)
    page.wait_for_selector("[data-testid=borrower-name]:has-text('이서준')")
    scan(page, code)
    page.wait_for_selector("[data-testid=desk-result][data-outcome=refused]")
    assert "result-refused" in page.get_attribute("[data-testid=desk-result]", "class")
    assert focused_testid(page) == "scan-field"
    # The sound switch is remembered on this PC.
    page.uncheck("[data-testid=sound-toggle]")
    page.reload()
    assert not page.is_checked("[data-testid=sound-toggle]")
    assert focused_testid(page) == "scan-field"
