"""In the browser: a member chooses text messages; the coordinator sees the outbox and the
preview, at phone and desktop widths."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from app.circulation.loans import check_out
from app.extensions import db
from app.models import Notice, NoticePreference, Role, utcnow

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("NOTICES_SHOTS")  # a folder: keep screenshots there to look at


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_member_chooses_text_messages(page, web_login):
    member = web_login(Role.MEMBER, name="김하늘")
    page.goto("/me/settings")
    page.get_by_role("link", name="안내 받을 방법과 종류 고르기(이메일, 문자)").click()
    page.uncheck("input[name=by_email]")
    page.check("input[name=by_text]")
    page.fill("input[name=mobile]", "010-9876-5432")
    page.uncheck("input[name=want_due_soon]")
    page.set_viewport_size({"width": 390, "height": 800})
    _shot(page, "me-notices-390")
    page.get_by_role("button", name="저장").click()
    page.wait_for_selector("text=안내 설정을 저장했습니다.")
    db.session.expire_all()
    pref = db.session.get(NoticePreference, member.id)
    assert pref.by_text and pref.mobile == "01098765432" and pref.kinds_off == ["due_soon"]


def test_the_coordinator_sees_the_outbox_and_the_preview(page, web_login, make_member,
                                                         make_copy, make_book):
    web_login(Role.COORDINATOR)
    staff = make_member(Role.VOLUNTEER, password="")
    member = make_member(name="박지민", password="")
    loan = check_out(make_copy(make_book(title="아몬드")), member, by=staff,
                     now=utcnow() - timedelta(days=20)).loan
    db.session.add(Notice(member_id=member.id, kind="overdue", channel="text",
                          key="overdue:2026-03-02", items=[{"loan_id": loan.id,
                                                            "title": "아몬드"}],
                          state="failed", attempts=1, answer="HTTP 500 InternalError",
                          sent_as="lms", recipient="01012345678"))
    db.session.commit()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/notices")
        assert page.locator("[data-testid=notice-row]").count() == 1
        _shot(page, f"outbox-{width}")
    page.click("[data-testid=retry]")
    page.wait_for_selector("text=다음 발송 때 이 안내를 다시 보냅니다.")
    page.goto("/admin/notices/preview")
    assert page.locator("[data-testid=preview-message]").count() >= 1
    _shot(page, "preview-1280")
