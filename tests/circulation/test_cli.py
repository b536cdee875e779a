"""`flask library expire-holds` and `flask library send-reminders` (against a local SMTP stub)."""

import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.circulation.holds import place_hold
from app.circulation.loans import check_out, return_copy
from app.extensions import db
from app.models import AuditEvent, Hold, HoldStatus, utcnow
from tests.circulation.smtp_stub import SMTPStub

OUTSIDE_REQUESTS = True  # commands run with an app context only


def test_expire_holds_passes_the_copy_on(runner, make_titles, member, other, make_member,
                                         volunteer):
    book, (copy,) = make_titles(1)
    long_ago = utcnow() - timedelta(days=30)
    check_out(copy, member, by=volunteer, now=long_ago)
    first = place_hold(book, other, now=long_ago)
    second = place_hold(book, make_member(password=""),
                                 now=long_ago + timedelta(minutes=1))
    return_copy(copy, by=volunteer, now=long_ago + timedelta(days=1))
    db.session.commit()
    result = runner.invoke(args=["library", "expire-holds"])
    assert result.exit_code == 0, result.output
    assert "1 hold(s) expired" in result.output
    db.session.expire_all()
    assert db.session.get(Hold, first.id).status is HoldStatus.EXPIRED
    assert db.session.get(Hold, second.id).status is HoldStatus.READY
    again = runner.invoke(args=["library", "expire-holds"])
    assert "0 hold(s) expired" in again.output


@pytest.fixture
def overdue_members(make_member, make_titles, volunteer):
    english = make_member(name="Alice Reader", locale="en", password="")
    korean = make_member(name="박지민", locale="ko", password="")
    no_email = make_member(name="No Mail", email=None, password="")
    _book, copies = make_titles(3, title="Late Book")
    past = utcnow() - timedelta(days=20)
    for who, copy in zip((english, korean, no_email), copies, strict=True):
        check_out(copy, who, by=volunteer, now=past)
    db.session.commit()
    return english, korean


def test_send_reminders_needs_smtp(runner, overdue_members):
    result = runner.invoke(args=["library", "send-reminders"])
    assert result.exit_code != 0 and "MAIL_SERVER" in result.output


def test_send_reminders_by_email_in_each_members_language(app, runner, overdue_members):
    english, korean = overdue_members
    with SMTPStub() as smtp:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                          MAIL_FROM="bookcafe@example.com")
        result = runner.invoke(args=["library", "send-reminders"])
        assert result.exit_code == 0, result.output
        assert "2 reminder(s) sent" in result.output and "1 without an email" in result.output
        by_to = {to[0]: message for _sender, to, message in smtp.messages}
        assert set(by_to) == {english.email, korean.email}
        text = by_to[english.email].get_content()
        assert "Dear Alice Reader," in text and "Late Book" in text
        assert "6 days overdue" in text
        assert by_to[english.email]["From"] == "bookcafe@example.com"
        assert "박지민" in by_to[korean.email].get_content()
        # A second run the same week sends nothing.
        again = runner.invoke(args=["library", "send-reminders"])
        assert "0 reminder(s) sent; 2 reminded recently" in again.output
        assert len(smtp.messages) == 2
        forced = runner.invoke(args=["library", "send-reminders", "--force"])
        assert "2 reminder(s) sent" in forced.output
    sent = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "loan.reminder")).all()
    assert len(sent) == 4


def test_send_reminders_reports_an_unreachable_server(app, runner, overdue_members):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    result = runner.invoke(args=["library", "send-reminders"])
    assert result.exit_code != 0 and "sending failed" in result.output
