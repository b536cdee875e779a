"""In the browser: log in as each role, see the right menu, switch language, register."""

import pytest

from app.models import Role

pytestmark = pytest.mark.e2e



@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.MEMBER, ["내 페이지"], ["관리"]),
        (Role.VOLUNTEER, ["내 페이지"], ["관리"]),
        (Role.COORDINATOR, ["내 페이지", "관리"], []),
    ],
)
def test_login_shows_the_menu_of_the_role(page, web_login, role, visible, hidden):
    web_login(role, name="홍길동")
    nav = page.locator("nav.nav ul")
    for label in visible:
        assert nav.get_by_text(label, exact=True).count() == 1, label
    for label in hidden:
        assert nav.get_by_text(label, exact=True).count() == 0, label
    assert "홍길동" in page.locator("[data-testid=current-user]").inner_text()


def test_member_is_refused_the_admin_page(page, web_login):
    web_login(Role.MEMBER)
    response = page.goto("/admin")
    assert response.status == 403


def test_switch_language_and_back(page, web_login):
    web_login(Role.MEMBER)
    page.goto("/me")
    assert page.locator("h1").inner_text() == "내 페이지"
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("h1:text('My page')")
    assert page.locator("html").get_attribute("lang") == "en"
    page.reload()
    assert page.locator("h1").inner_text() == "My page"  # remembered
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("h1:text('내 페이지')")


def test_register_through_the_page(page):
    page.goto("/register")
    page.fill("input[name=name]", "김하늘")
    page.fill("input[name=email]", "haneul@example.com")
    page.fill("input[name=password]", "a good password")
    page.fill("input[name=confirm]", "a good password")
    page.check("input[name=privacy]")
    page.click("form[data-testid=register-form] button[type=submit]")
    page.wait_for_selector("[data-testid=card-number]")
    card = page.locator("[data-testid=card-number]").inner_text()
    assert card.startswith("202") and len(card) == 13


def test_wrong_password_is_explained(page, make_member):
    member = make_member()
    page.goto("/login")
    page.fill("input[name=email]", member.email)
    page.fill("input[name=password]", "not the password")
    page.press("input[name=password]", "Enter")
    page.wait_for_selector(".error")
    assert "비밀번호" in page.locator(".error").inner_text()
