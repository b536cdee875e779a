"""Sending the outbox: claim what is due, send one message per member and channel, keep
each answer, retry failures with backoff.

Two runs at once never send one notice twice: a run claims its rows with one conditional
UPDATE (state pending/failed -> sending, with the run's claim token) and commits before it
sends; PostgreSQL's row locks (the second UPDATE waits, then re-reads the state) and
SQLite's write lock make the second run claim nothing of what the first took.

Each message's outcome is written by one UPDATE and committed before the next message
goes: a run that dies mid-way has kept every outcome of what it sent, and leaves the rest
claimed until the claim is stale (then a later run sends them). What a message needs to
be written (its member, their choices, which of its loans are still open and holds still
ready) is read for a batch of messages at once, and read again when that reading is older
than FRESH: a book returned a few seconds before its message goes may still be named in it.
"""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Hold, HoldStatus, Loan, Member, Notice, NoticePreference
from app.models.base import UTCDateTime
from app.notices.channels import Delivery
from app.notices.preferences import default_preference
from app.notices.schedule import KINDS
from app.notices.text import Section

# Waits after the 1st, 2nd, ... failed attempt; after the last one the notice is given up.
BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=4), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim older than this was left by a run that died: its rows may be claimed again.
STALE_CLAIM = timedelta(minutes=15)
SENDABLE = ("pending", "failed")
# Messages whose members, choices and items are read at once, and for how long (seconds)
# that reading is used before it is read again.
BATCH = 100
FRESH = 5.0

_NOTICE = Notice.__table__


@dataclass
class SendRun:
    """What one sending run did."""

    quiet: bool = False
    messages: int = 0
    failed: int = 0
    void: int = 0
    sent_to: list[str] = field(default_factory=list)


class ClaimedRow(NamedTuple):
    """A claimed notice, as sending needs it."""

    id: int
    kind: str
    items: list[dict]


@dataclass
class Claimed:
    """One member's claimed rows of one channel: one message."""

    member_id: int
    channel: str
    rows: list[ClaimedRow] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]


@dataclass
class Batch:
    """What a batch of messages needs, read at once: members (detached, loaded), their
    choices, and which of the items' loans are open and holds ready."""

    members: dict[int, Member]
    preferences: dict[int, NoticePreference]
    open_loans: set[int]
    ready_holds: set[int]
    read_at: float = field(default_factory=time.monotonic)

    def fresh(self) -> bool:
        return time.monotonic() - self.read_at <= FRESH


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


def claimed(token: str) -> list[Claimed]:
    """Return the claimed rows by (member, channel), each group's rows in the kinds' order.
    Plain rows, not ORM objects: nothing held here is expired (and reloaded) at the
    commit after each message. A claimed row's items do not change while it is claimed."""
    rows = db.session.execute(
        sa.select(_NOTICE.c.id, _NOTICE.c.member_id, _NOTICE.c.channel, _NOTICE.c.kind,
                  _NOTICE.c["items"]).where(_NOTICE.c.claim == token)
        .order_by(_NOTICE.c.member_id, _NOTICE.c.channel, _NOTICE.c.id))
    order = {kind: n for n, kind in enumerate(KINDS)}
    groups: dict[tuple[int, str], Claimed] = {}
    for notice_id, member_id, channel, kind, items in rows:
        groups.setdefault((member_id, channel), Claimed(member_id, channel)).rows.append(
            ClaimedRow(notice_id, kind, items))
    for group in groups.values():
        group.rows.sort(key=lambda r: (order.get(r.kind, 99), r.id))
    return list(groups.values())


# Built once: a run sends thousands of messages (an expanding IN keeps one cache entry).
_IDS = sa.bindparam("ids", expanding=True)
_OPEN_LOANS = sa.select(Loan.id).where(Loan.id.in_(_IDS), Loan.returned_at.is_(None))
_READY_HOLDS = sa.select(Hold.id).where(Hold.id.in_(_IDS), Hold.status == HoldStatus.READY)
_MEMBERS = sa.select(Member).where(Member.id.in_(_IDS))
_PREFERENCES = sa.select(NoticePreference).where(NoticePreference.member_id.in_(_IDS))


def _still_due(notices) -> tuple[set[int], set[int]]:
    """Return the loans still open and the holds still ready among the notices' items
    (a book returned since is left out): two statements however many notices."""
    loan_ids = {i["loan_id"] for n in notices for i in n.items if "loan_id" in i}
    hold_ids = {i["hold_id"] for n in notices for i in n.items
                if "loan_id" not in i and "hold_id" in i}
    loans = set(db.session.scalars(_OPEN_LOANS, {"ids": list(loan_ids)})) if loan_ids else set()
    holds = set(db.session.scalars(_READY_HOLDS, {"ids": list(hold_ids)})) if hold_ids else set()
    return loans, holds


def sections_of(notices, still_due: tuple[set[int], set[int]] | None = None) -> list[Section]:
    """The sections of one message: per kind, the items still due (merged, no repeats).
    `still_due` is (open loans, ready holds) when already read (a batch's)."""
    loans, holds = still_due if still_due is not None else _still_due(notices)

    def is_due(item: dict) -> bool:
        if "loan_id" in item:
            return item["loan_id"] in loans
        if "hold_id" in item:
            return item["hold_id"] in holds
        return True

    sections: dict[str, Section] = {}
    for notice in notices:
        section = sections.setdefault(notice.kind, Section(notice.kind, []))
        for item in notice.items:
            if item not in section.items and is_due(item):
                section.items.append(item)
    return [s for s in sections.values() if s.items]


def read_batch(groups: list[Claimed]) -> Batch:
    """Read what the groups' messages need: four statements for the whole batch. Members
    and choices are loaded by a session of their own, closed at once: they stay loaded
    and are not expired by the commit after each message (the run's own session would
    expire them, and reload each with a statement of its own)."""
    member_ids = list({g.member_id for g in groups})
    with Session(bind=db.session.connection()) as reader:
        members = {m.id: m for m in reader.scalars(_MEMBERS, {"ids": member_ids})}
        preferences = {p.member_id: p for p in
                       reader.scalars(_PREFERENCES, {"ids": member_ids})}
    loans, holds = _still_due([row for g in groups for row in g.rows])
    return Batch(members, preferences, loans, holds)


def _outcome(**values) -> sa.Update:
    """An UPDATE of the rows of one message (ids), built once: a run makes thousands."""
    return (sa.update(_NOTICE).where(_NOTICE.c.id.in_(sa.bindparam("ids", expanding=True)))
            .values(claim=sa.null(), **values))


def _told(state) -> sa.Update:
    """The outcome of a delivery: its answer, and one attempt more."""
    return _outcome(state=state, attempts=_NOTICE.c.attempts + 1,
                    answer=sa.bindparam("o_answer"), sent_as=sa.bindparam("o_sent_as"),
                    recipient=sa.bindparam("o_recipient"))


_SENT = _told("sent").values(sent_at=sa.bindparam("o_now", type_=UTCDateTime()))
_GIVEN_UP = _told("given_up")
# A failure: retried after the wait for its attempt, or given up after the last.
_FAILED = _told(sa.case((_NOTICE.c.attempts + 1 >= MAX_ATTEMPTS, "given_up"),
                        else_="failed")).values(next_attempt_at=sa.case(
    *((_NOTICE.c.attempts == n, sa.bindparam(f"o_wait_{n}", type_=UTCDateTime()))
      for n in range(len(BACKOFF))),
    else_=_NOTICE.c.next_attempt_at))
_VOID = _outcome(state="void")


def record(ids: list[int], delivery: Delivery, *, now: datetime) -> None:
    """Keep a delivery's outcome on every notice it carried: one UPDATE (flushes)."""
    params = {"ids": ids, "o_answer": delivery.answer[:500],
              "o_sent_as": delivery.sent_as or None, "o_recipient": delivery.recipient or None}
    if delivery.ok:
        db.session.execute(_SENT, {**params, "o_now": now})
    elif delivery.permanent:
        db.session.execute(_GIVEN_UP, params)
    else:
        db.session.execute(_FAILED, {**params, **{f"o_wait_{n}": now + wait
                                                  for n, wait in enumerate(BACKOFF)}})


def send_group(group: Claimed, batch: Batch, channel, *, now: datetime) -> Delivery | None:
    """Send one member's claimed notices of one channel as one message (flushes)."""
    member = batch.members.get(group.member_id)  # None: deleted since the claim
    sections = sections_of(group.rows, (batch.open_loans, batch.ready_holds))
    if not sections or member is None or not member.is_active:
        db.session.execute(_VOID, {"ids": group.ids})
        return None
    preference = batch.preferences.get(member.id) or default_preference(member)
    try:
        delivery = channel.send(member, sections, preference=preference)
    except Exception as error:  # noqa: BLE001 (a channel's bug must not lose the notice)
        delivery = Delivery(False, f"{type(error).__name__}: {error}"[:500])
    record(group.ids, delivery, now=now)
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
    groups = claimed(token)
    batch, batch_end = None, 0
    for n, group in enumerate(groups):
        if batch is None or n >= batch_end or not batch.fresh():
            batch_end = n + BATCH
            batch = read_batch(groups[n:batch_end])
        delivery = send_group(group, batch, channels[group.channel], now=now)
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
