"""Overdue reminders by email: one message per member, in their language, over SMTP.

The only module that talks SMTP. It is off unless MAIL_SERVER is configured.
"""

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.circulation.overdue import Overdue, overdue_by_member
from app.core import audit
from app.extensions import db
from app.models import AuditEvent, Member

# A member is reminded at most once in this time.
REMINDER_INTERVAL = timedelta(days=7)


@dataclass
class ReminderRun:
    """What a run of send-reminders did."""

    sent: list[str]
    skipped_recent: int = 0
    skipped_no_email: int = 0


def reminder_due(member: Member, *, now: datetime) -> bool:
    """Tell whether a member has had no overdue reminder by email in the last week."""
    last = db.session.scalar(
        sa.select(sa.func.max(AuditEvent.at)).where(
            AuditEvent.action == "loan.reminder", AuditEvent.entity == "member",
            AuditEvent.entity_id == member.id,
        )
    )
    return last is None or last <= now - REMINDER_INTERVAL


def record_reminder(member: Member, *, now: datetime, loans: int) -> None:
    """Note that a reminder was sent (so the next run waits a week)."""
    audit.record("loan.reminder", actor=None, entity="member", entity_id=member.id, now=now,
                 loans=loans)


def compose(group: Overdue, *, cafe_name: str, sender: str) -> EmailMessage:
    """Write one member's reminder in their own language."""
    locale = group.member.locale if group.member.locale in ("ko", "en") else "ko"
    with force_locale(locale):
        subject = _("%(cafe)s: please return your overdue books", cafe=cafe_name)
        body = render_template("circulation/reminder_email.txt", group=group, cafe_name=cafe_name)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = group.member.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    return message


def send_reminders(config: dict, *, now: datetime, force: bool = False) -> ReminderRun:
    """Email every member with overdue books who has had no reminder this week."""
    run = ReminderRun(sent=[])
    due = []
    for group in overdue_by_member(now=now):
        if not group.member.email or not group.member.is_active:
            run.skipped_no_email += 1
        elif not force and not reminder_due(group.member, now=now):
            run.skipped_recent += 1
        else:
            due.append(group)
    if not due:
        return run
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for group in due:
            message = compose(group, cafe_name=config["CAFE_NAME"], sender=config["MAIL_FROM"])
            smtp.send_message(message)
            record_reminder(group.member, now=now, loans=len(group.loans))
            run.sent.append(group.member.email)
    return run
