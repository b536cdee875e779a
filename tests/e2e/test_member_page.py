"""A member on a phone: the card as a barcode a scanner reads, buttons only where they work."""

import io
from datetime import timedelta

import pytest
from PIL import Image

from app.circulation import loans
from app.core.defaults import loan_rules
from app.extensions import db
from app.models import Role, utcnow
from tests.labels.decode import decode_image

pytestmark = pytest.mark.e2e


def test_me_shows_the_card_as_a_barcode_that_decodes(page, web_login):
    member = web_login(Role.MEMBER, name="김하늘")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/me")
    svg = page.locator("[data-testid=card-barcode]")
    box = svg.bounding_box()
    assert 300 <= box["width"] <= 390 and box["height"] >= 80  # fills a phone's width
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    shot = Image.open(io.BytesIO(svg.screenshot())).convert("L")
    found = [d.text for d in decode_image(shot)]
    assert found == [member.card_barcode]


def test_renew_is_disabled_with_the_reason_after_the_last_renewal(page, web_login,
                                                                  make_copy, make_book):
    rules = loan_rules()
    rules.max_renewals = 1
    db.session.commit()
    member = web_login(Role.MEMBER, name="김하늘")
    copy = make_copy(make_book(title="데미안"))
    loan = loans.check_out(copy, member, by=member, now=utcnow() - timedelta(days=2)).loan
    db.session.commit()
    page.goto("/me")
    assert page.is_enabled("[data-testid=renew]")
    page.click("[data-testid=renew]")
    page.wait_for_selector("[data-testid=renew-reason]")
    assert page.is_disabled("[data-testid=renew]")
    assert "1" in page.inner_text("[data-testid=renew-reason]")
    db.session.refresh(loan)
    assert loan.renewals == 1


def test_hold_is_offered_only_where_it_can_be_placed(page, web_login, make_copy, make_book,
                                                     make_member):
    web_login(Role.MEMBER, name="김하늘")
    on_shelf = make_book(title="아몬드")
    make_copy(on_shelf)
    out = make_book(title="채식주의자")
    copy = make_copy(out)
    other = make_member(Role.MEMBER, name="이서준")
    loans.check_out(copy, other, by=other, now=utcnow())
    db.session.commit()

    page.goto(f"/catalog/{on_shelf.id}")
    assert page.locator("[data-testid=place-hold]").count() == 0
    assert page.locator("[data-testid=no-hold]").count() == 1

    page.goto(f"/catalog/{out.id}")
    page.click("[data-testid=place-hold]")
    page.goto(f"/catalog/{out.id}")
    assert page.locator("[data-testid=place-hold]").count() == 0  # placed already
    assert page.locator("[data-testid=no-hold]").count() == 1
