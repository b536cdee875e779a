"""In the browser: log in as each role, see the right menu, switch language, register."""

import functools
import re
import time

import pytest
import sqlalchemy as sa
from flask import request

from app.extensions import db
from app.models import Member, Role

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




def test_a_second_click_while_the_form_is_on_its_way_sends_nothing(app, page, web_login):
    """A volunteer clicks "Register" again because the page seems slow: one member, not two."""
    web_login(Role.COORDINATOR)
    page.goto("/admin/members/new")
    page.fill("input[name=name]", "두 번 누른 회원")
    view = app.view_functions["admin.new_member"]

    @functools.wraps(view)  # keeps the view's access rule
    def slow_view(*args, **kwargs):  # a slow connection: the answer takes a while
        if request.method == "POST":
            time.sleep(0.6)
        return view(*args, **kwargs)

    app.view_functions["admin.new_member"] = slow_view
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    # Two clicks a moment apart, the second while the first is on its way (Playwright's own
    # click would wait for the pending page; a person's click does not).
    page.evaluate("""() => {
        const button = document.querySelector('form:has(input[name=name]) button[type=submit]');
        button.click();
        setTimeout(() => button.click(), 200);
    }""")
    page.wait_for_url(re.compile(r"/admin/members/\d+$"))
    page.wait_for_timeout(800)  # a second request, had one been sent, is answered by now
    assert len(posts) == 1, posts
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)
                             .where(Member.name == "두 번 누른 회원")) == 1
