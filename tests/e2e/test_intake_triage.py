"""In the browser: the station holds a scan back (amber, saying why) and one key records
the item's outcome; a key marks the next item damaged. Keyboard only."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Copy, DonationItem, ItemOutcome, Partner, Role
from tests.e2e.conftest import browser_profile, focused_testid, intake_settled, scan
from tests.support.providers import block_network, web  # noqa: F401

pytestmark = pytest.mark.e2e

ISBN = "9780316030571"


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    return web


@pytest.fixture
def browser_context(browser, live_server):
    """An English browser profile, so the test can read the station's messages."""
    context = browser_profile(browser, live_server, locale="en-US")
    yield context
    context.close()



def result(page) -> tuple[str, str]:
    box = page.locator("[data-testid=scan-result]")
    return box.get_attribute("data-kind"), box.inner_text()


def items() -> list[tuple[ItemOutcome, str]]:
    db.session.rollback()  # see what the server committed
    return [(i.outcome, i.held_for) for i in
            db.session.scalars(sa.select(DonationItem).order_by(DonationItem.id))]


def copies() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(Copy.id)))


def test_triage_with_one_key_each(page, web_login, make_book, make_copy, make_campaign):
    make_campaign(name="Spring drive", is_default=True)
    book = make_book(isbn13=ISBN, title="Use of Weapons")
    make_copy(book)
    make_copy(book)
    db.session.add(Partner(name="Hamil children's centre"))
    db.session.commit()
    web_login(Role.VOLUNTEER, locale="en")
    page.goto("/intake")
    page.locator("[data-testid=start-anonymous]").click()
    page.wait_for_selector("[data-testid=scan-field]")

    # Over the cap: held back, amber, saying why; nothing added.
    scan(page, ISBN)
    intake_settled(page)
    kind, text = result(page)
    assert kind == "held" and "We already have 2 copies of this title" in text
    assert "result-warn" in page.locator("[data-testid=scan-result]").get_attribute("class")
    assert copies() == 2
    # One key declines it; the focus stays in the scan field.
    page.keyboard.press("3")
    intake_settled(page)
    assert result(page)[0] == "settled"
    assert focused_testid(page) == "scan-field"
    # Again: one key passes it on to the coordinator's institution.
    scan(page, ISBN)
    intake_settled(page)
    page.keyboard.press("2")
    intake_settled(page)
    kind, text = result(page)
    assert kind == "settled" and "Hamil children's centre" in text
    # Again: one key keeps it anyway (a third copy).
    scan(page, ISBN)
    intake_settled(page)
    page.keyboard.press("1")
    intake_settled(page)
    assert result(page)[0] == "created" and copies() == 3
    # Marked damaged before the scan: held back as damaged, then declined.
    page.keyboard.press("4")
    intake_settled(page)
    assert result(page)[0] == "flagged"
    scan(page, ISBN)
    intake_settled(page)
    kind, text = result(page)
    assert kind == "held" and "Marked damaged" in text
    page.keyboard.press("3")
    intake_settled(page)
    assert items() == [(ItemOutcome.DECLINED, "copy_cap"), (ItemOutcome.PASSED_ON, "copy_cap"),
                       (ItemOutcome.KEPT, "copy_cap"), (ItemOutcome.DECLINED, "damaged")]
