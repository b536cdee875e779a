"""The notice pages (coordinator's outbox, schedule, preview, send, retry; a member's
choices and log) and the send-notices command."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app import cli
from app.circulation.loans import check_out
from app.extensions import db
from app.models import Notice, NoticePreference, Role, utcnow
from tests.notices.conftest import TODAY


def _notice(member, **kw) -> Notice:
    notice = Notice(member_id=member.id, kind=kw.pop("kind", "overdue"),
                    channel=kw.pop("channel", "email"), key=kw.pop("key", "overdue:2026-03-02"),
                    items=kw.pop("items", [{"title": "아몬드"}]), state=kw.pop("state", "sent"),
                    attempts=1, **kw)
    db.session.add(notice)
    db.session.commit()
    return notice


def test_members_and_volunteers_cannot_see_the_outbox(client, login_as):
    login_as(Role.VOLUNTEER)
    assert client.get("/admin/notices").status_code == 403
    assert client.get("/admin/notices/preview").status_code == 403


def test_the_coordinator_sees_the_log_with_filters_and_retries_a_failure(
        client, login_as, make_member, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    member = make_member(name="Alice Reader", password="")
    failed = _notice(member, state="failed", answer="HTTP 500 InternalError")
    _notice(member, kind="due_today", key="due_today:2026-03-02", items=[{"title": "Almond"}])
    page = client.get("/admin/notices", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Alice Reader" in page and "HTTP 500" in page and page.count('data-testid="retry"') == 1
    only_failed = client.get("/admin/notices?state=failed").get_data(as_text=True)
    assert "아몬드" in only_failed and "Almond" not in only_failed
    response = client.post("/admin/notices/retry",
                           data={"csrf_token": csrf_token("/admin/notices"),
                                 "notice_id": failed.id})
    assert response.status_code == 303
    db.session.refresh(failed)
    assert failed.state == "pending"


def test_the_coordinator_saves_the_schedule(client, login_as, csrf_token):
    login_as(Role.COORDINATOR)
    token = csrf_token("/admin/notices")
    response = client.post("/admin/notices/schedule", data={
        "csrf_token": token, "days_before": "3, 1", "days_after": "2,7", "send_hour": "9",
        "quiet_from": "20", "on_overdue": "y", "on_hold_ready": "y"})
    assert response.status_code == 303
    from app.notices.schedule import load_schedule
    schedule = load_schedule()
    assert schedule.days_before == [1, 3] and schedule.days_after == [2, 7]
    assert schedule.send_hour == 9 and schedule.quiet_from == 20
    assert schedule.kinds_on == ["hold_ready", "overdue"]
    bad = client.post("/admin/notices/schedule", data={
        "csrf_token": token, "days_before": "<b>", "days_after": "", "send_hour": "25",
        "quiet_from": "20"})
    assert bad.status_code == 400


def test_preview_shows_the_messages_and_keeps_nothing(client, login_as, make_member, lend,
                                                      monkeypatch, clock):
    monkeypatch.setattr("app.notices.routes.utcnow", clock)
    login_as(Role.COORDINATOR, locale="en")
    member = make_member(name="김하늘", password="")
    lend(member, "아몬드", TODAY - timedelta(days=1))
    lend(member, "채식주의자", TODAY - timedelta(days=4))
    page = client.get("/admin/notices/preview").get_data(as_text=True)
    assert page.count('data-testid="preview-message"') == 1  # one email (no channel set up yet)
    assert "아몬드" in page and "채식주의자" in page
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0


def test_send_now_with_every_channel_unreachable_is_no_error(
        app, client, login_as, make_member, lend, monkeypatch, clock, csrf_token):
    monkeypatch.setattr("app.notices.routes.utcnow", clock)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, NOTICES_TIMEOUT=0.5)
    login_as(Role.COORDINATOR)
    lend(make_member(password=""), "아몬드", TODAY - timedelta(days=1))
    response = client.post("/admin/notices/send",
                           data={"csrf_token": csrf_token("/admin/notices")})
    assert response.status_code == 303
    [notice] = db.session.scalars(sa.select(Notice)).all()
    assert notice.state == "failed" and notice.answer


def test_a_member_chooses_text_messages_and_sees_only_their_own_notices(
        client, login_as, make_member, csrf_token):
    me = login_as(Role.MEMBER, locale="en")
    other = make_member(password="")
    _notice(me, items=[{"title": "My Book"}])
    _notice(other, items=[{"title": "Their Book"}])
    page = client.get("/me/notices").get_data(as_text=True)
    assert "My Book" in page and "Their Book" not in page
    token = csrf_token("/me/notices")
    refused = client.post("/me/notices", data={"csrf_token": token, "by_text": "y",
                                                "mobile": "02-123-4567"})
    assert refused.status_code == 400
    response = client.post("/me/notices", data={
        "csrf_token": token, "by_text": "y", "mobile": "010 9876 5432", "want_overdue": "y"})
    assert response.status_code == 303
    pref = db.session.get(NoticePreference, me.id)
    assert pref.by_text and not pref.by_email and pref.mobile == "01098765432"
    assert "due_soon" in pref.kinds_off and "overdue" not in pref.kinds_off
    assert "010-9876-5432" in client.get("/me").get_data(as_text=True)


def test_send_notices_command_dry_run_and_twice(app, runner, smtp, make_member, lend,
                                                monkeypatch, clock):
    monkeypatch.setattr(cli, "utcnow", clock)
    member = make_member(name="Alice Reader", locale="en", password="")
    for title in ("Almond", "The Vegetarian", "Human Acts"):
        lend(member, title, TODAY - timedelta(days=1))
    dry = runner.invoke(args=["library", "send-notices", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 message(s) would be sent" in dry.output and "Human Acts" in dry.output
    assert smtp.messages == [] and db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0
    first = runner.invoke(args=["library", "send-notices"])
    assert "1 notice(s) added; 1 message(s) sent" in first.output, first.output
    second = runner.invoke(args=["library", "send-notices"])
    assert "0 notice(s) added; 0 message(s) sent" in second.output
    assert len(smtp.messages) == 1
    clock.advance(hours=12)  # 22:30 in Seoul
    quiet = runner.invoke(args=["library", "send-notices"])
    assert "quiet hours" in quiet.output
    app.config["MAIL_SERVER"] = ""
    off = runner.invoke(args=["library", "send-notices"])
    assert off.exit_code == 0 and "No channel is configured" in off.output


def test_a_members_notices_are_in_their_data_and_deleted_with_it(app, make_member):
    from app.accounts.privacy import anonymise, export_member_data
    from app.models import utcnow
    from app.notices.preferences import save_preference
    coordinator = make_member(Role.COORDINATOR, password="")
    member = make_member(password="")
    save_preference(member, by_email=False, by_text=True, mobile="01012345678", kinds_off=[])
    _notice(member, recipient="01012345678", created_at=utcnow())
    data = export_member_data(member, by=member, now=utcnow())
    assert data["notice_choices"]["mobile"] == "01012345678"
    assert data["notices"][0]["books"] == ["아몬드"]
    anonymise(member, by=coordinator)
    db.session.commit()
    assert db.session.get(NoticePreference, member.id) is None
    assert db.session.scalars(sa.select(Notice)).all() == []


def test_the_desk_says_when_an_overdue_loan_was_notified_by_text(
        client, login_as, make_member, make_copy, csrf_token):
    volunteer = login_as(Role.VOLUNTEER, locale="ko")
    member = make_member(name="김하늘", password="")
    lent = check_out(make_copy(), member, by=volunteer, now=utcnow() - timedelta(days=40)).loan
    db.session.commit()
    _notice(member, channel="text", key="overdue:x",
            items=[{"title": "아몬드", "loan_id": lent.id}],
            sent_at=datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    client.post("/desk/scan", data={"csrf_token": csrf_token("/desk"), "code": member.card_barcode})
    page = client.get("/desk", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert 'data-testid="overdue-notified"' in page
    assert "2026년 12월 3일" in page
