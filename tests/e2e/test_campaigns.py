"""In the browser: a coordinator creates a campaign, takes two donations into it at the scan
station (one anonymous), and sees its totals and chart; the donor sees the donation on /me.
"""

import re
from datetime import date, timedelta

import pytest

from app.models import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import intake_settled, scan
from tests.support.providers import block_network, web  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    """Metadata providers unreachable: the books are already in the catalogue."""
    return web


def test_coordinator_creates_a_campaign_and_a_donor_sees_their_donation(
    page, web_login, make_member, make_book
):
    web_login(Role.COORDINATOR, name="박지은")
    page.goto("/campaigns")
    page.click("[data-testid=new-campaign]")
    starts = date.today() - timedelta(days=10)
    page.fill("input[name=name]", "겨울 책 나눔")
    page.fill("textarea[name=description]", "동네 북카페를 채워요")
    page.fill("input[name=goal_books]", "10")
    page.fill("input[name=starts_on]", starts.isoformat())
    page.check("input[name=is_default]")
    page.click("form[data-testid=campaign-form] button[type=submit]")
    page.wait_for_selector("[data-testid=campaign-name]")
    assert page.locator("[data-testid=campaign-name]").inner_text() == "겨울 책 나눔"
    campaign_id = int(re.search(r"/campaigns/(\d+)$", page.url).group(1))
    assert page.locator("[data-testid=total-books]").inner_text() == "0"

    # Two donations into it at the scan station, one of them anonymous.
    donor = make_member(name="최수아", donor_named=True, email="donor@example.com")
    make_book(title="소년이 온다", isbn13="9788936434120", kdc_class="8",
              addon_reader_group="0")
    poems_isbn = "9788932020785"
    make_book(title="진달래꽃", isbn13=poems_isbn, kdc_class="8")
    page.goto("/intake")
    scan(page, donor.card_barcode)
    page.wait_for_selector("[data-testid=scan-field]")
    for isbn in ("9788936434120", poems_isbn):
        scan(page, isbn)
        intake_settled(page)
    page.click("[data-testid=finish]")
    page.click("[data-testid=start-anonymous]")
    page.wait_for_selector("[data-testid=scan-field]")
    scan(page, "9788936434120")
    intake_settled(page)

    page.goto(f"/campaigns/{campaign_id}")
    assert page.locator("[data-testid=total-books]").inner_text() == "3"
    assert page.locator("[data-testid=total-titles]").inner_text() == "2"
    assert page.locator("[data-testid=total-donors]").inner_text() == "1"
    assert page.locator("[data-testid=total-anonymous]").inner_text() == "1"
    assert page.locator("progress.progress").get_attribute("value") == "3"
    chart = page.locator("svg[data-testid=week-chart]")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 200
    assert chart.locator("rect.chart-bar").count() >= 1
    assert page.locator("[data-testid=top-donors]").inner_text().count("최수아") == 1

    # The donor logs in and finds the donation on their page.
    page.click("form[action='/logout'] button")
    page.goto("/login")
    page.fill("input[name=email]", "donor@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("[data-testid=current-user]")
    page.goto("/me")
    section = page.locator("[data-testid=my-donations]")
    assert section.is_visible()
    text = section.inner_text()
    assert "겨울 책 나눔" in text and "소년이 온다" in text and "진달래꽃" in text
    assert section.locator("[data-testid=thanks-ko]").count() == 1
    response = page.request.get(section.locator("[data-testid=thanks-en]").get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"

    # On a phone the row becomes a block: the campaign's name gets the whole width instead
    # of a column one syllable wide.
    page.set_viewport_size({"width": 390, "height": 844})
    campaign_cell = section.locator("td[data-label]").nth(1)
    assert campaign_cell.inner_text() == "겨울 책 나눔"
    assert campaign_cell.bounding_box()["width"] > 250
    assert not section.locator("thead").is_visible()
