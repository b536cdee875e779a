"""In the browser: a volunteer scans donated books at scanner speed, never clicking."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Book, Copy, Donation, Role
from tests.e2e.conftest import browser_profile, focused_testid, intake_settled, scan
from tests.support.providers import block_network, web  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    """The providers are unreachable, as in the café on a bad day."""
    return web


@pytest.fixture
def browser_context(browser, live_server):
    """An English browser profile, so the test can read the station's messages."""
    context = browser_profile(browser, live_server, locale="en-US")
    yield context
    context.close()


def count(model) -> int:
    db.session.rollback()  # see what the server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))




def result(page) -> tuple[str, str]:
    box = page.locator("[data-testid=scan-result]")
    return box.get_attribute("data-kind"), box.inner_text()


def test_scanning_books_in_with_the_keyboard_only(page, web_login, make_member, make_book,
                                                  make_campaign):
    make_campaign(name="Book café vitalization", is_default=True)
    donor = make_member(Role.MEMBER, name="Donor Yoon", password=None)
    make_book(isbn13="9780316030571", title="Use of Weapons", authors="Iain M. Banks")
    make_book(isbn13="9781782276340", title="The Decagon House Murders")
    web_login(Role.VOLUNTEER, locale="en")

    page.goto("/intake")
    assert focused_testid(page) == "donor-field"
    scan(page, donor.card_barcode)
    page.wait_for_selector("[data-testid=scan-field]")
    assert focused_testid(page) == "scan-field"
    assert "Donor Yoon" in page.locator("[data-testid=donation-who]").inner_text()

    # A known book: one scan, a new copy, shown with its new barcode.
    scan(page, "9780316030571")
    intake_settled(page)
    kind, text = result(page)
    assert kind == "created" and "Use of Weapons" in text
    copy = db.session.scalar(sa.select(Copy)) if count(Copy) == 1 else None
    assert copy is not None and copy.barcode in text
    assert focused_testid(page) == "scan-field"

    # The scanner fires twice: one copy only; one key adds another copy on purpose.
    scan(page, "9781782276340")
    scan(page, "9781782276340")
    intake_settled(page)
    kind, text = result(page)
    assert kind == "duplicate" and "The Decagon House Murders" in text
    assert count(Copy) == 2
    page.keyboard.press("+")
    intake_settled(page)
    assert result(page)[0] == "created" and count(Copy) == 3
    assert "3 books in this donation" in page.locator("[data-testid=tally]").inner_text()

    # Codes that are not books, each with its own message.
    scan(page, "9788960770837")
    intake_settled(page)
    kind, bad_digit = result(page)
    assert kind == "refused" and "check digit" in bad_digit
    scan(page, "9771234567003")
    intake_settled(page)
    kind, periodical = result(page)
    assert kind == "refused" and "periodical" in periodical and periodical != bad_digit
    assert focused_testid(page) == "scan-field" and count(Copy) == 3

    # An ISBN nobody knows (providers offline): the short form, the cursor in the title.
    scan(page, "979116224309194000")
    intake_settled(page)
    page.wait_for_selector("[data-testid=manual-form]")
    assert focused_testid(page) == "manual-title"
    page.keyboard.type("Kotlin in Action", delay=5)
    page.keyboard.press("Enter")
    intake_settled(page)
    assert result(page)[0] == "created"
    assert page.locator("[data-testid=manual-form]").count() == 0
    assert focused_testid(page) == "scan-field"
    book = db.session.scalar(sa.select(Book).where(Book.isbn13 == "9791162243091")) \
        if count(Book) == 3 else None
    assert book is not None and book.title == "Kotlin in Action" and book.addon_code == "94000"

    # Undo the last scan with one key.
    page.keyboard.press("-")
    intake_settled(page)
    assert result(page)[0] == "undone" and count(Copy) == 3 and count(Book) == 2

    # A book without an ISBN: one key opens the same form.
    page.keyboard.press("*")
    intake_settled(page)
    assert focused_testid(page) == "manual-title"
    page.keyboard.type("Village zine", delay=5)
    page.keyboard.press("Enter")
    intake_settled(page)
    assert count(Copy) == 4
    assert "4 books in this donation" in page.locator("[data-testid=tally]").inner_text()
    donation = db.session.scalar(sa.select(Donation))
    assert donation.donor_id == donor.id and count(Donation) == 1


def test_station_works_without_javascript(browser, live_server, make_member, make_book):
    from tests.conftest import PASSWORD

    context = browser_profile(browser, live_server, locale="en-US", java_script_enabled=False)
    try:
        page = context.new_page()
        volunteer = make_member(Role.VOLUNTEER, locale="en")
        make_book(isbn13="9780316030571", title="Use of Weapons")
        page.goto("/login")
        page.fill("input[name=email]", volunteer.email)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_selector("[data-testid=current-user]")
        page.goto("/intake")
        page.press("[data-testid=donor-field]", "Enter")  # nothing typed: an error
        page.click("[data-testid=start-anonymous]")
        page.fill("[data-testid=scan-field]", "9780316030571")
        page.press("[data-testid=scan-field]", "Enter")
        page.wait_for_selector("[data-testid=scan-result][data-kind=created]")
        assert count(Copy) == 1
    finally:
        context.close()


def test_a_lost_network_keeps_the_scan_and_sends_it_once(page, web_login, make_book):
    """With the network down a scan is kept on the station, shown as waiting (not the
    browser's error page), and sent once, with its idempotency key, when the network is
    back: no book added twice (tests/e2e/test_scan_anywhere.py has the desk's and more)."""
    make_book(isbn13="9780316030571", title="Use of Weapons")
    web_login(Role.VOLUNTEER, locale="en")
    page.goto("/intake")
    page.click("[data-testid=start-anonymous]")
    page.wait_for_selector("[data-testid=scan-field]")
    page.context.set_offline(True)
    try:
        scan(page, "9780316030571")
        page.wait_for_selector("[data-testid=scan-queue] li[data-state=waiting]")
        assert page.locator("[data-testid=queued-code]").all_inner_texts() == ["9780316030571"]
        assert page.url.endswith("/intake") and count(Copy) == 0
        assert focused_testid(page) == "scan-field"
    finally:
        page.context.set_offline(False)
    page.wait_for_selector("[data-testid=scan-queue]", state="hidden")
    intake_settled(page)
    assert result(page)[0] == "created" and count(Copy) == 1
    scan(page, "9780316030571")  # the volunteer scans it again, to be sure: a double scan
    intake_settled(page)
    assert result(page)[0] == "duplicate" and count(Copy) == 1
