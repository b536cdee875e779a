"""In the browser: copies wait in the print queue, the volunteer picks a sheet, gets the PDF."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Copy, Role
from tests.e2e.conftest import intake_settled, scan
from tests.labels.decode import decode_pdf
from tests.support.providers import block_network, web  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    """Metadata providers unreachable: the books are already in the catalogue."""
    return web


TITLES = ["아몬드", "소년이 온다", "82년생 김지영"]
ISBNS = ["9788936456788", "9788936434120", "9788937473135"]


def test_queue_to_pdf(page, web_login, make_book):
    """Intake three books at the scan station, then print their labels from the queue."""
    for isbn, title in zip(ISBNS, TITLES, strict=True):
        make_book(isbn13=isbn, title=title)
    web_login(Role.VOLUNTEER)
    page.goto("/intake")
    page.click("[data-testid=start-anonymous]")
    page.wait_for_selector("[data-testid=scan-field]")
    for isbn in ISBNS:
        scan(page, isbn)
        intake_settled(page)
    db.session.rollback()
    copies = db.session.scalars(sa.select(Copy).order_by(Copy.id)).all()
    assert [c.book.title for c in copies] == TITLES

    page.goto("/labels")
    rows = page.locator("[data-testid=queue-row]")
    assert rows.count() == 3
    assert [rows.nth(i).get_attribute("data-barcode") for i in range(3)] == [
        c.barcode for c in copies]
    for title in TITLES:
        assert page.get_by_text(title, exact=True).count() == 1

    # A partly used A4 4x10 sheet: start at label 3; the preview follows as settings change.
    page.select_option("select[name=template]", label="A4 라벨지 4x10 (48.5 x 25.4 mm)")
    page.fill("input[name=start_at]", "3")
    page.wait_for_selector("[data-testid=sheet-preview][data-start-at='3']")
    preview = page.locator("[data-testid=preview-sheet]").first
    assert preview.locator("[data-state=skipped]").count() == 2
    assert preview.locator("[data-state=used]").count() == 3
    assert preview.locator("[data-state=free]").count() == 35

    with page.expect_download() as download:
        page.click("[data-testid=print-pdf]")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    (found,) = decode_pdf(pdf)
    assert [d.text for d in found] == [c.barcode for c in copies]

    # Right after the download, "Mark printed" (another button of the same form) goes: it
    # empties the queue and moves the start on; the sheet is remembered.
    page.click("[data-testid=mark-printed]")
    page.wait_for_selector("[data-testid=queue-empty]")
    assert page.locator("input[name=start_at]").input_value() == "6"
    page.goto("/labels")
    assert page.locator("input[name=start_at]").input_value() == "6"
    selected = page.locator("select[name=template] option:checked").inner_text()
    assert selected == "A4 라벨지 4x10 (48.5 x 25.4 mm)"
