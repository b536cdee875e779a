"""Sending the outbox: claim what is due, send one message per member and channel, keep
each answer, retry failures with backoff.

Two runs at once never send one notice twice: a run claims its rows with one conditional
UPDATE (state pending/failed -> sending, with the run's claim token) and commits before it
sends; PostgreSQL's row locks (the second UPDATE waits, then re-reads the state) and
SQLite's write lock make the second run claim nothing of what the first took.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Hold, HoldStatus, Loan, Member, Notice
from app.notices.channels import Delivery
from app.notices.schedule import KINDS
from app.notices.text import Section

# Waits after the 1st, 2nd, ... failed attempt; after the last one the notice is given up.
BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=4), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim older than this was left by a run that died: its rows may be claimed again.
STALE_CLAIM = timedelta(minutes=15)
SENDABLE = ("pending", "failed")


@dataclass
class SendRun:
    """What one sending run did."""

    quiet: bool = False
    messages: int = 0
    failed: int = 0
    void: int = 0
    sent_to: list[str] = field(default_factory=list)


def release_stale_claims(now: datetime) -> int:
    """Let rows claimed by a run that died be claimed again (flushes)."""
    result = db.session.execute(
        sa.update(Notice).where(Notice.state == "sending",
                                Notice.claimed_at < now - STALE_CLAIM)
        .values(state="failed", claim=None, next_attempt_at=now)
    )
    return result.rowcount


def claim(now: datetime, channels) -> str | None:
    """Claim every notice due now by a configured channel; return the claim token or None."""
    token = secrets.token_hex(16)
    result = db.session.execute(
        sa.update(Notice).where(Notice.state.in_(SENDABLE), Notice.next_attempt_at <= now,
                                Notice.channel.in_(list(channels)))
        .values(state="sending", claim=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return token if result.rowcount else None


def claimed(token: str) -> dict[tuple[int, str], list[int]]:
    """Return the ids of the claimed rows by (member, channel), each group in the kinds'
    order. Ids, not rows: each group's rows are loaded when it is sent, so the session
    does not hold (and expire at every commit) the whole outbox."""
    rows = db.session.execute(sa.select(Notice.id, Notice.member_id, Notice.channel,
                                        Notice.kind).where(Notice.claim == token)
                              .order_by(Notice.member_id, Notice.channel, Notice.id))
    order = list(KINDS)
    groups: dict[tuple[int, str], list[tuple]] = {}
    for notice_id, member_id, channel, kind in rows:
        groups.setdefault((member_id, channel), []).append((notice_id, kind))
    return {key: [notice_id for notice_id, _kind in
                  sorted(group, key=lambda n: (order.index(n[1]) if n[1] in order else 99, n[0]))]
            for key, group in groups.items()}


# Built once: a run sends thousands of messages (an expanding IN keeps one cache entry).
_IDS = sa.bindparam("ids", expanding=True)
_OPEN_LOANS = sa.select(Loan.id).where(Loan.id.in_(_IDS), Loan.returned_at.is_(None))
_READY_HOLDS = sa.select(Hold.id).where(Hold.id.in_(_IDS), Hold.status == HoldStatus.READY)
_NOTICES = sa.select(Notice).where(Notice.id.in_(_IDS))


def _still_due(notices: list[Notice]) -> tuple[set[int], set[int]]:
    """Return the loans still open and the holds still ready among the notices' items
    (a book returned since is left out): two statements for a whole message."""
    loan_ids = {i["loan_id"] for n in notices for i in n.items if "loan_id" in i}
    hold_ids = {i["hold_id"] for n in notices for i in n.items
                if "loan_id" not in i and "hold_id" in i}
    loans = set(db.session.scalars(_OPEN_LOANS, {"ids": list(loan_ids)})) if loan_ids else set()
    holds = set(db.session.scalars(_READY_HOLDS, {"ids": list(hold_ids)})) if hold_ids else set()
    return loans, holds


def sections_of(notices: list[Notice]) -> list[Section]:
    """The sections of one message: per kind, the items still due (merged, no repeats)."""
    loans, holds = _still_due(notices)

    def still_due(item: dict) -> bool:
        if "loan_id" in item:
            return item["loan_id"] in loans
        if "hold_id" in item:
            return item["hold_id"] in holds
        return True

    sections: dict[str, Section] = {}
    for notice in notices:
        section = sections.setdefault(notice.kind, Section(notice.kind, []))
        for item in notice.items:
            if item not in section.items and still_due(item):
                section.items.append(item)
    return [s for s in sections.values() if s.items]


def record(notices: list[Notice], delivery: Delivery, *, now: datetime) -> None:
    """Keep a delivery's outcome on every notice it carried (flushes)."""
    for notice in notices:
        notice.attempts += 1
        notice.claim = None
        notice.answer = delivery.answer[:500]
        notice.sent_as = delivery.sent_as or None
        notice.recipient = delivery.recipient or None
        if delivery.ok:
            notice.state, notice.sent_at = "sent", now
        elif delivery.permanent or notice.attempts >= MAX_ATTEMPTS:
            notice.state = "given_up"
        else:
            notice.state = "failed"
            notice.next_attempt_at = now + BACKOFF[notice.attempts - 1]
    db.session.flush()


def rows_of(ids: list[int]) -> list[Notice]:
    """Load one group's notices, in the order of `ids`."""
    by_id = {n.id: n for n in db.session.scalars(_NOTICES, {"ids": list(ids)})}
    return [by_id[i] for i in ids if i in by_id]


def send_group(notices: list[Notice], channel, *, now: datetime) -> Delivery | None:
    """Send one member's claimed notices of one channel as one message (flushes)."""
    if not notices:  # deleted with their member since the claim
        return None
    member = db.session.get(Member, notices[0].member_id)
    sections = sections_of(notices)
    if not sections or member is None or not member.is_active:
        for notice in notices:
            notice.state, notice.claim = "void", None
        db.session.flush()
        return None
    try:
        delivery = channel.send(member, sections)
    except Exception as error:  # noqa: BLE001 (a channel's bug must not lose the notice)
        delivery = Delivery(False, f"{type(error).__name__}: {error}"[:500])
    record(notices, delivery, now=now)
    return delivery


def send_outbox(*, now: datetime, channels: dict, quiet: bool,
                commit: Callable[[], None]) -> SendRun:
    """Send everything due in the outbox. `commit` ends each step's transaction: the
    claim is committed before anything is sent, and each message's outcome after it."""
    run = SendRun(quiet=quiet)
    if quiet or not channels:
        return run
    release_stale_claims(now)
    token = claim(now, channels)
    commit()
    if token is None:
        return run
    for (_member_id, channel_name), ids in claimed(token).items():
        delivery = send_group(rows_of(ids), channels[channel_name], now=now)
        commit()
        if delivery is None:
            run.void += 1
        elif delivery.ok:
            run.messages += 1
            run.sent_to.append(delivery.recipient)
        else:
            run.failed += 1
    return run


def retry(notice: Notice, *, now: datetime) -> Notice:
    """Put a failed or given-up notice back in the outbox for the next run (flushes)."""
    if notice.state in ("failed", "given_up"):
        notice.state, notice.next_attempt_at = "pending", now
        if notice.attempts >= MAX_ATTEMPTS:
            notice.attempts = MAX_ATTEMPTS - 1  # one more try
    db.session.flush()
    return notice
