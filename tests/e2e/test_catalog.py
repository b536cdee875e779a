"""In the browser: search from the home page, open a book, place a hold as a member."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CopyStatus, Hold, Role

pytestmark = pytest.mark.e2e

HARRY_KO = "해리포터와 마법사의 돌"


@pytest.fixture
def books(make_book, make_copy):
    harry = make_book(title=HARRY_KO, isbn13="9788983920775", authors="J.K. 롤링",
                      publisher="문학수첩", language="ko", kdc_class="8", addon_code="03840")
    make_copy(book=harry, status=CopyStatus.ON_LOAN)
    boy = make_book(title="소년이 온다", isbn13="9788936434120", authors="한강")
    make_copy(book=boy)
    return {"harry": harry, "boy": boy}


def _search_and_open(page, query: str, title: str) -> None:
    page.goto("/")
    page.fill("input[name=q]", query)
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=book-result]")
    results = page.locator("[data-testid=book-result]")
    assert results.count() == 1
    results.get_by_role("link", name=title).click()
    page.wait_for_selector("[data-testid=book-title]")
    assert page.locator("[data-testid=book-title]").inner_text() == title


def test_search_from_the_home_page_and_open_a_book(page, books):
    _search_and_open(page, "해리", HARRY_KO)
    assert "03840" in page.locator("[data-testid=book-addon]").inner_text()
    assert page.locator("[data-testid=copy-row]").count() == 1
    # An ISBN with hyphens, typed into the catalogue's own search box, finds the edition.
    page.click("[data-testid=back-to-catalogue]")
    page.wait_for_selector("[data-testid=search-field]")
    page.fill("[data-testid=search-field]", "978-89-8392-077-5")
    page.press("[data-testid=search-field]", "Enter")
    page.wait_for_selector("[data-testid=book-result]")
    assert page.locator("[data-testid=book-result]").count() == 1


def test_place_a_hold_as_a_member(page, web_login, books):
    member = web_login(Role.MEMBER)
    _search_and_open(page, "해리", HARRY_KO)
    page.click("[data-testid=place-hold]")
    page.wait_for_load_state()
    db.session.expire_all()
    hold = db.session.scalar(sa.select(Hold).where(Hold.member_id == member.id))
    assert hold is not None and hold.book_id == books["harry"].id
