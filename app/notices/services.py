"""The notices' use cases: a run (gather what is due, send the outbox), its preview, the
hook for a hold that became ready, the log and the coordinator's retry.

The sending run commits as it goes (see sending.py); everything else flushes only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, savepoint
from app.models import Hold, Loan, Member, Notice
from app.notices import build, sending
from app.notices.channels import configured_channels

__all__ = ["configured_channels"]
from app.notices.schedule import load_schedule
from app.notices.text import compose_email, compose_text, text_bytes

PAGE = 100


@dataclass
class Run:
    """What `run` did: rows added to the outbox, and the sending."""

    added: int
    sent: sending.SendRun


@dataclass
class Preview:
    """One message a run would send now."""

    member: Member
    channel: str
    kinds: list[str]
    subject: str
    text: str
    sent_as: str
    size: int = 0  # bytes, as a text message is counted (EUC-KR/CP949)


def run(*, now: datetime, config: dict, commit: Callable[[], None]) -> Run:
    """Gather what is due into the outbox, then send it (commits as it goes)."""
    schedule = load_schedule()
    channels = configured_channels(config)
    # A count: rows kept would be expired, and reloaded, at each of the sending's commits.
    added = len(build.add_to_outbox(build.gather(now, schedule), now=now, channels=channels))
    commit()
    sent = sending.send_outbox(now=now, channels=channels, quiet=schedule.is_quiet(now),
                               commit=commit)
    return Run(added=added, sent=sent)


def preview(*, now: datetime, config: dict) -> list[Preview]:
    """Return the messages a run would send now, written out. It writes the outbox rows a
    run would add: the caller rolls back."""
    schedule = load_schedule()
    channels = configured_channels(config)
    shown = set(channels) or {"email", "text"}  # unconfigured: show what they would be
    build.add_to_outbox(build.gather(now, schedule), now=now, channels=shown)
    rows = db.session.scalars(
        sa.select(Notice).where(Notice.state.in_(sending.SENDABLE), Notice.next_attempt_at <= now,
                                Notice.channel.in_(shown))
        .order_by(Notice.member_id, Notice.channel, Notice.id))
    groups: dict[tuple[int, str], list[Notice]] = {}
    for row in rows:
        groups.setdefault((row.member_id, row.channel), []).append(row)
    previews = []
    for (member_id, channel), notices in groups.items():
        member = db.session.get(Member, member_id)
        sections = sending.sections_of(notices)
        if not sections or member is None:
            continue
        if channel == "email":
            message = compose_email(member, sections, cafe_name=config["CAFE_NAME"],
                                    sender=config["MAIL_FROM"])
            previews.append(Preview(member, channel, [s.kind for s in sections],
                                    str(message["Subject"]), message.get_content(), "email"))
        else:
            text = compose_text(member, sections, cafe_name=config["CAFE_NAME"])
            previews.append(Preview(member, channel, [s.kind for s in sections],
                                    text.subject, text.text, text.type.lower(),
                                    text_bytes(text.text)))
    return previews


def hold_became_ready(hold: Hold, *, now: datetime) -> None:
    """The hook circulation calls when a returned copy is trapped for a hold (flushes)."""
    try:
        with savepoint():
            if "hold_ready" in load_schedule().kinds_on:
                build.hold_ready(hold, now=now,
                                 channels=configured_channels(current_app.config))
    except SQLAlchemyError:
        # The return at the desk goes on; the next run's gathering finds the ready hold.
        current_app.logger.exception("hold %s: its notice is left to the next run", hold.id)


def outbox(*, state: str | None = None, channel: str | None = None, kind: str | None = None,
           member: Member | None = None, limit: int = PAGE) -> list[Notice]:
    """The outbox, newest first, filtered (the coordinator's log; a member's own)."""
    query = sa.select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)
    if state:
        query = query.where(Notice.state == state)
    if channel:
        query = query.where(Notice.channel == channel)
    if kind:
        query = query.where(Notice.kind == kind)
    if member is not None:
        query = query.where(Notice.member_id == member.id)
    return list(db.session.scalars(query))


def retry(notice_id: int, *, now: datetime) -> Notice | None:
    """Put a failed notice back for the next run (flushes); None if there is no such."""
    notice = db.session.get(Notice, notice_id)
    return sending.retry(notice, now=now) if notice is not None else None


def last_overdue_notice(loan: Loan, *, channel: str = "text") -> Notice | None:
    """The last overdue notice sent about a loan (for the desk: "notified by text on 12/3")."""
    rows = db.session.scalars(
        sa.select(Notice).where(Notice.member_id == loan.member_id, Notice.state == "sent",
                                Notice.kind == "overdue", Notice.channel == channel)
        .order_by(Notice.sent_at.desc()).limit(50))
    loan_id = loan.id
    return next((n for n in rows if any(i.get("loan_id") == loan_id for i in n.items)), None)
