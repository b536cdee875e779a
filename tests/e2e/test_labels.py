"""In the browser: copies wait in the print queue, the volunteer picks a sheet, gets the PDF."""

from pathlib import Path

import pytest

from app.extensions import db
from app.labels import services
from app.models import Role, utcnow
from tests.labels.decode import decode_pdf

pytestmark = pytest.mark.e2e

TITLES = ["아몬드", "소년이 온다", "82년생 김지영"]


def test_queue_to_pdf(page, web_login, make_book, make_copy):
    volunteer = web_login(Role.VOLUNTEER)
    # Stands in for intake (built in parallel): three catalogued copies join the queue.
    copies = [make_copy(make_book(title=title), call_number="813.7") for title in TITLES]
    services.add_to_queue(copies, by=volunteer, now=utcnow(), source="intake")
    db.session.commit()

    page.goto("/labels")
    rows = page.locator("[data-testid=queue-row]")
    assert rows.count() == 3
    assert [rows.nth(i).get_attribute("data-barcode") for i in range(3)] == [
        c.barcode for c in copies]
    for title in TITLES:
        assert page.get_by_text(title, exact=True).count() == 1

    # A partly used A4 4x10 sheet: start at label 3; the preview follows as settings change.
    page.select_option("select[name=template]", label="A4 4x10 (48.5 x 25.4 mm)")
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

    # The sheet is remembered; marking printed empties the queue and moves the start on.
    page.goto("/labels")
    assert page.locator("input[name=start_at]").input_value() == "3"
    page.click("[data-testid=mark-printed]")
    page.wait_for_selector("[data-testid=queue-empty]")
    assert page.locator("input[name=start_at]").input_value() == "6"
    selected = page.locator("select[name=template] option:checked").inner_text()
    assert selected == "A4 4x10 (48.5 x 25.4 mm)"
