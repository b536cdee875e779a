"""Gathering what is due into the outbox: one row per member, kind and channel, whose key
makes a second run (or a second machine) add nothing.

Daily kinds (due soon, due today, overdue, hold expiring, a donated book borrowed) are
gathered once the day's send hour has come; a hold that became ready is put in the outbox
at once (the hook in circulation calls `hold_ready`) and at every run for any missed.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.circulation.rules import local_date
from app.extensions import db, savepoint
from app.models import Copy, Donation, Hold, HoldStatus, Loan, Member, Notice, NoticePreference
from app.notices.preferences import channels_for, preference_of
from app.notices.schedule import DAILY_KINDS, Schedule

# A donated copy's first loan is told to its donor if it was this recent.
DONATION_LOAN_WINDOW = timedelta(days=7)


@dataclass
class Due:
    """One thing to tell a member: its kind, its unique key and the items it names."""

    member: Member
    kind: str
    key: str
    items: list[dict] = field(default_factory=list)


def _loan_item(loan: Loan) -> dict:
    return {"loan_id": loan.id, "title": loan.copy.book.title, "date": loan.due_on.isoformat()}


def _hold_item(hold: Hold) -> dict:
    return {"hold_id": hold.id, "title": hold.book.title,
            "date": hold.pickup_by.isoformat() if hold.pickup_by else None}


def _open_loans(*conditions) -> list[Loan]:
    return list(db.session.scalars(
        sa.select(Loan).where(Loan.returned_at.is_(None), Loan.member_id.is_not(None),
                              *conditions).order_by(Loan.member_id, Loan.due_on, Loan.id)
        .options(joinedload(Loan.member), joinedload(Loan.copy).joinedload(Copy.book))))


def _by_member(loans: list[Loan], kind: str, key: str) -> list[Due]:
    groups: dict[int, Due] = {}
    for loan in loans:
        groups.setdefault(loan.member_id, Due(loan.member, kind, key)).items.append(
            _loan_item(loan))
    return list(groups.values())


def due_soon(now: datetime, schedule: Schedule) -> list[Due]:
    today = local_date(now)
    days = [today + timedelta(days=d) for d in schedule.days_before]
    return _by_member(_open_loans(Loan.due_on.in_(days)), "due_soon", f"due_soon:{today}")


def due_today(now: datetime, schedule: Schedule) -> list[Due]:
    today = local_date(now)
    return _by_member(_open_loans(Loan.due_on == today), "due_today", f"due_today:{today}")


def overdue(now: datetime, schedule: Schedule) -> list[Due]:
    """Members with a loan overdue by one of the schedule's days: ALL their overdue loans."""
    today = local_date(now)
    days = [today - timedelta(days=d) for d in schedule.days_after]
    members = sa.select(Loan.member_id).where(Loan.returned_at.is_(None), Loan.due_on.in_(days))
    loans = _open_loans(Loan.due_on < today, Loan.member_id.in_(members))
    return _by_member(loans, "overdue", f"overdue:{today}")


def hold_expiring(now: datetime, schedule: Schedule) -> list[Due]:
    today = local_date(now)
    holds = db.session.scalars(
        sa.select(Hold).where(Hold.status == HoldStatus.READY, Hold.member_id.is_not(None),
                              Hold.pickup_by == today + timedelta(days=1))
        .order_by(Hold.member_id, Hold.id)
        .options(joinedload(Hold.member), joinedload(Hold.book)))
    groups: dict[int, Due] = {}
    for hold in holds:
        groups.setdefault(hold.member_id, Due(hold.member, "hold_expiring",
                                              f"hold_expiring:{today}")).items.append(
            _hold_item(hold))
    return list(groups.values())


def hold_ready_all(now: datetime, schedule: Schedule) -> list[Due]:
    holds = db.session.scalars(
        sa.select(Hold).where(Hold.status == HoldStatus.READY, Hold.member_id.is_not(None))
        .order_by(Hold.id).options(joinedload(Hold.member), joinedload(Hold.book)))
    return [Due(hold.member, "hold_ready", _hold_ready_key(hold), [_hold_item(hold)])
            for hold in holds]


def _hold_ready_key(hold: Hold) -> str:
    """One notice per hold and day it became ready (a hold put back in line and ready
    again later is told again)."""
    day = local_date(hold.ready_at) if hold.ready_at else "-"
    return f"hold_ready:{hold.id}:{day}"


def donation_borrowed(now: datetime, schedule: Schedule) -> list[Due]:
    """A donated copy lent for the first time: told to its donor, once per copy."""
    first_loans = (
        sa.select(Loan.copy_id, sa.func.min(Loan.id).label("loan_id"))
        .group_by(Loan.copy_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Loan, Donation.donor_id)
        .join(first_loans, first_loans.c.loan_id == Loan.id)
        .join(Copy, Copy.id == Loan.copy_id)
        .join(Donation, Donation.id == Copy.donation_id)
        .where(Donation.donor_id.is_not(None), Loan.checked_out_at >= now - DONATION_LOAN_WINDOW,
               sa.or_(Loan.member_id.is_(None), Loan.member_id != Donation.donor_id))
        .order_by(Loan.id)
    )
    dues = []
    for loan, donor_id in rows:
        donor = db.session.get(Member, donor_id)
        dues.append(Due(donor, "donation_borrowed", f"donation_borrowed:{loan.copy_id}",
                        [{"copy_id": loan.copy_id, "title": loan.copy.book.title,
                          "date": None}]))
    return dues


GATHER = {
    "hold_ready": hold_ready_all,
    "hold_expiring": hold_expiring,
    "overdue": overdue,
    "due_today": due_today,
    "due_soon": due_soon,
    "donation_borrowed": donation_borrowed,
}


def gather(now: datetime, schedule: Schedule) -> list[Due]:
    """Return everything due now by the schedule (daily kinds only from the send hour)."""
    dues = []
    for kind, collect in GATHER.items():
        if kind not in schedule.kinds_on:
            continue
        if kind in DAILY_KINDS and not schedule.daily_due(now):
            continue
        dues.extend(collect(now, schedule))
    return dues


def add_to_outbox(dues: list[Due], *, now: datetime, channels) -> list[dict]:
    """Put each due thing in the outbox once per channel the member chose (flushes);
    return the rows added, as dicts (a row with the same key is left as it is). Written
    with one multi-row INSERT (Core: a run adds thousands, which the ORM's unit of work
    would track one by one)."""
    if not dues:
        return []
    keys = {d.key for d in dues}
    existing = set(db.session.execute(
        sa.select(Notice.member_id, Notice.channel, Notice.key).where(Notice.key.in_(keys))))
    member_ids = {d.member.id for d in dues}
    prefs = {p.member_id: p for p in db.session.scalars(
        sa.select(NoticePreference).where(NoticePreference.member_id.in_(member_ids)))}
    added = []
    for due in dues:
        pref = prefs.get(due.member.id) or preference_of(due.member)
        for channel in channels_for(due.member, due.kind, pref):
            if channel not in channels or (due.member.id, channel, due.key) in existing:
                continue
            existing.add((due.member.id, channel, due.key))
            added.append(dict(member_id=due.member.id, kind=due.kind, channel=channel,
                              key=due.key, items=due.items, state="pending", attempts=0,
                              next_attempt_at=now, created_at=now))
    if not added:
        return []
    insert = sa.insert(Notice.__table__)
    try:
        # All at once; if another run put some there first, one by one below.
        with savepoint():
            db.session.execute(insert, added)
        return added
    except IntegrityError:
        pass
    kept = []
    for row in added:
        try:
            with savepoint():
                db.session.execute(insert, [row])
        except IntegrityError:
            continue  # another run put it there first
        kept.append(row)
    return kept


def hold_ready(hold: Hold, *, now: datetime, channels) -> list[dict]:
    """The hook: a copy was trapped for this hold; tell its member (at the next run)."""
    if hold.member is None:
        return []
    return add_to_outbox([Due(hold.member, "hold_ready", _hold_ready_key(hold),
                              [_hold_item(hold)])], now=now, channels=channels)
