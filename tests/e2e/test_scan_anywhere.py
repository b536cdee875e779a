"""In the browser: a phone's camera as the scanner, and scans that survive a dropped network.

The camera is Chromium's fake one, playing a video the test renders from real barcodes
(tests/support/camera.py). The decoder is ZXing-C++ as WebAssembly, served by the app.
"""

import re

import pytest
import sqlalchemy as sa

from app.core.defaults import loan_rules
from app.extensions import db
from app.models import Book, Copy, Loan, Role, ScanResult, StocktakeScan
from tests.conftest import PASSWORD
from tests.e2e.conftest import CHROMIUM_FLAGS, _chromium, intake_settled, scan
from tests.support.camera import barcode_image, camera_flags, write_y4m
from tests.support.providers import block_network, web  # noqa: F401

pytestmark = pytest.mark.e2e

ISBN_WITH_ADD_ON = ("9791162243091", "03810")  # 부가기호 0 3 810: reader group 0 (교양)


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    """The metadata providers are unreachable."""
    return web


def count(model) -> int:
    db.session.rollback()  # see what the server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def camera(browser, live_server, tmp_path):
    """Return camera(image, storage_state=None) -> a page in a Chromium whose camera shows it.

    Every request the page makes is recorded in `page.urls` (all must be the app's).
    """
    launched = []

    def open_page(image, storage_state=None):
        video = write_y4m(tmp_path / f"camera{len(launched)}.y4m", image)
        chromium = browser.browser_type.launch(executable_path=_chromium(), headless=True,
                                               args=CHROMIUM_FLAGS + camera_flags(video))
        launched.append(chromium)
        context = chromium.new_context(base_url=live_server, locale="en-US",
                                       storage_state=storage_state,
                                       extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        page.urls = []
        page.on("request", lambda request: page.urls.append(request.url))
        return page

    yield open_page
    for chromium in launched:
        chromium.close()


@pytest.fixture
def english(browser, live_server):
    """A page in an English profile of the tests' Chromium (no camera needed)."""
    context = browser.new_context(base_url=live_server, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def log_in(page, member) -> None:
    page.goto("/login")
    page.fill("input[name=email]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("[data-testid=current-user]")


def camera_scan(page) -> str:
    """Open the camera next to the scan field; return the code it took."""
    page.click("[data-testid=scan-camera-button]")
    page.wait_for_selector("html[data-camera-code]", state="attached")
    # From the first frame to the code taken (the issue asks for under 3 s; measured here,
    # reported in the test output, not asserted: no timing asserts in tests).
    print(f"camera: {page.get_attribute('html', 'data-camera-ms')} ms")
    return page.get_attribute("html", "data-camera-code")


def only_the_app(page, base: str) -> None:
    assert page.urls and all(url.startswith(base + "/") for url in page.urls), page.urls
    assert any(url.endswith("/static/vendor/zxing-wasm/zxing_reader.wasm") for url in page.urls)


def test_intake_a_korean_isbn_with_its_add_on_by_camera(camera, live_server, make_member,
                                                        make_campaign):
    make_campaign(name="Book café vitalization", is_default=True)
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    donor = make_member(Role.MEMBER, name="Donor Yoon", password=None)
    page = camera(barcode_image(*ISBN_WITH_ADD_ON))
    log_in(page, volunteer)
    page.goto("/intake")
    scan(page, donor.card_barcode)
    page.wait_for_selector("[data-testid=scan-field]")

    assert camera_scan(page) == "".join(ISBN_WITH_ADD_ON)  # the 18 digits a USB scanner sends
    page.wait_for_selector("[data-testid=manual-form]")  # unknown to the (offline) providers
    page.click("[data-testid=scan-camera-close]")
    page.fill("[data-testid=manual-title]", "카메라로 읽은 책")
    page.press("[data-testid=manual-title]", "Enter")
    page.wait_for_selector("[data-testid=scan-result][data-kind=created]")

    db.session.rollback()
    book = db.session.scalar(sa.select(Book))
    assert book.isbn13 == ISBN_WITH_ADD_ON[0]
    assert book.addon_code == "03810" and book.addon_reader_group == "0"
    assert count(Copy) == 1
    only_the_app(page, live_server)


def test_desk_member_card_then_copy_label_by_camera_make_a_loan(camera, live_server, make_member,
                                                                make_copy):
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    borrower = make_member(Role.MEMBER, name="김하늘", password="")
    copy = make_copy()

    card = camera(barcode_image(borrower.card_barcode))
    log_in(card, volunteer)
    card.goto("/desk")
    assert camera_scan(card) == borrower.card_barcode
    card.wait_for_selector(f"[data-borrower='{borrower.id}']")
    assert count(Loan) == 0

    # The same desk session on a second phone whose camera sees the copy's label.
    label = camera(barcode_image(copy.barcode), storage_state=card.context.storage_state())
    label.goto("/desk")
    assert camera_scan(label) == copy.barcode
    label.wait_for_selector("[data-testid=desk-result][data-outcome=ok]")
    assert count(Loan) == 1
    loan = db.session.scalar(sa.select(Loan))
    assert loan.member_id == borrower.id and loan.copy_id == copy.id
    only_the_app(card, live_server)


def waiting(page) -> list[str]:
    box = page.locator("[data-testid=scan-queue]")
    return box.locator("[data-testid=queued-code]").all_inner_texts()


def test_desk_scans_made_offline_go_through_once_each_in_order(english, make_member,
                                                               make_copy):
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    borrower = make_member(Role.MEMBER, name="김하늘", password="")
    first, second = make_copy(), make_copy()
    page = english.new_page()
    log_in(page, volunteer)
    page.goto("/desk")
    scan(page, borrower.card_barcode)
    page.wait_for_selector(f"[data-borrower='{borrower.id}']")

    english.set_offline(True)
    scan(page, first.barcode)
    scan(page, second.barcode)
    page.wait_for_selector("[data-testid=scan-queue][data-count='2']")
    assert waiting(page) == [first.barcode, second.barcode]
    page.wait_for_selector("[data-testid=scan-queue] li[data-state=waiting]")
    assert count(Loan) == 0

    english.set_offline(False)
    page.wait_for_selector("[data-testid=scan-queue]", state="hidden")
    page.wait_for_selector("[data-testid=desk-result][data-outcome=ok]")
    loans = db.session.scalars(sa.select(Loan).order_by(Loan.id)).all() if count(Loan) else []
    assert [loan.copy_id for loan in loans] == [first.id, second.id]
    assert all(loan.member_id == borrower.id for loan in loans)


def test_intake_scans_made_offline_go_through_once_each(english, make_member, make_book,
                                                        make_campaign):
    make_campaign(name="Book café vitalization", is_default=True)
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    donor = make_member(Role.MEMBER, name="Donor Yoon", password=None)
    one = make_book(isbn13="9780316030571", title="Use of Weapons")
    two = make_book(isbn13="9781782276340", title="The Decagon House Murders")
    page = english.new_page()
    log_in(page, volunteer)
    page.goto("/intake")
    scan(page, donor.card_barcode)
    page.wait_for_selector("[data-testid=scan-field]")

    english.set_offline(True)
    scan(page, one.isbn13)
    scan(page, two.isbn13)
    page.wait_for_selector("[data-testid=scan-queue][data-count='2']")
    assert waiting(page) == [one.isbn13, two.isbn13]
    assert count(Copy) == 0

    english.set_offline(False)
    page.wait_for_selector("[data-testid=scan-queue]", state="hidden")
    intake_settled(page)
    copies = db.session.scalars(sa.select(Copy).order_by(Copy.id)).all() if count(Copy) else []
    assert [c.book_id for c in copies] == [one.id, two.id]


def test_a_scan_kept_when_the_page_was_closed_is_sent_when_it_is_opened(english, make_member,
                                                                        make_copy):
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    borrower = make_member(Role.MEMBER, password="")
    copy = make_copy()
    page = english.new_page()
    log_in(page, volunteer)
    page.goto("/desk")
    scan(page, borrower.card_barcode)
    page.wait_for_selector(f"[data-borrower='{borrower.id}']")
    english.set_offline(True)
    scan(page, copy.barcode)
    page.wait_for_selector("[data-testid=scan-queue][data-count='1']")
    page.close()

    english.set_offline(False)
    again = english.new_page()
    again.goto("/desk")
    again.wait_for_selector("[data-testid=scan-queue]", state="hidden")
    again.wait_for_function("() => window.scanQueue && window.scanQueue.pending() === 0")
    again.wait_for_selector(f"[data-borrower='{borrower.id}']")
    assert count(Loan) == 1


def test_stocktake_a_label_shown_to_the_camera_is_found(camera, live_server, make_member,
                                                        make_book, make_copy):
    copy = make_copy(make_book(title="아몬드"), call_number="813.7-손66아")
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    page = camera(barcode_image(copy.barcode))
    log_in(page, volunteer)
    page.goto("/stocktake")
    page.fill("input[name=call_from]", "800")
    page.fill("input[name=call_to]", "899")
    page.click("[data-testid=start-stocktake]")
    page.wait_for_selector("[data-testid=scan-form]")
    assert camera_scan(page) == copy.barcode
    page.wait_for_selector("[data-testid=my-scan]")
    db.session.rollback()
    scanned = db.session.scalar(sa.select(StocktakeScan))
    assert scanned is not None and scanned.copy_id == copy.id
    assert scanned.result == ScanResult.FOUND
    only_the_app(page, live_server)


def test_a_member_borrows_with_their_phones_camera(camera, live_server, make_member, make_copy):
    rules = loan_rules()
    rules.self_checkout = True
    db.session.commit()
    member = make_member(Role.MEMBER, locale="en")
    copy = make_copy()
    page = camera(barcode_image(copy.barcode))
    log_in(page, member)
    page.goto("/me")
    page.click("[data-testid=scan-camera-button]")  # the form is sent, as a scanner's Enter
    page.wait_for_selector("[data-testid=my-loan]")
    assert count(Loan) == 1
    loan = db.session.scalar(sa.select(Loan))
    assert loan.member_id == member.id and loan.copy_id == copy.id


def test_a_book_found_in_the_catalogue_by_its_isbn_on_camera(camera, make_member, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    make_book(title="Another book")
    member = make_member(Role.MEMBER, locale="en")
    page = camera(barcode_image("9780316030571"))
    log_in(page, member)
    page.goto("/catalog")
    page.click("[data-testid=scan-camera-button]")
    page.wait_for_url("**q=9780316030571**")
    assert "Use of Weapons" in page.inner_text("main")
    assert "Another book" not in page.inner_text("main")


def test_a_scan_whose_answer_was_lost_is_sent_again_and_done_once(english, make_member,
                                                                  make_copy):
    """The request reached the server (a loan was made) but its answer never came back: the
    page sends the scan again with the same key, and the server answers without a second
    effect (without the key the desk would have taken the copy back in)."""
    volunteer = make_member(Role.VOLUNTEER, locale="en")
    borrower = make_member(Role.MEMBER, password="")
    copy = make_copy()
    page = english.new_page()
    log_in(page, volunteer)
    page.goto("/desk")
    scan(page, borrower.card_barcode)
    page.wait_for_selector(f"[data-borrower='{borrower.id}']")
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.post_data_buffer)
        if len(sent) == 1:
            route.fetch()  # the server does the work...
            route.abort("connectionreset")  # ...and the answer is lost on the way back
        else:
            route.continue_()

    page.route("**/desk/scan", lose_the_first_answer)
    scan(page, copy.barcode)
    page.wait_for_selector("[data-testid=desk-result][data-outcome=ok]")
    page.wait_for_selector("[data-testid=scan-queue]", state="hidden")
    keys = [re.search(rb'name="idempotency_key"\r\n\r\n([^\r]+)', body).group(1) for body in sent]
    assert len(keys) == 2 and keys[0] == keys[1]  # the same scan, with the same key
    assert count(Loan) == 1
    loan = db.session.scalar(sa.select(Loan))
    assert loan.returned_at is None and loan.copy_id == copy.id
