"""Volunteer shifts: start and end one, log one afterwards, approve, and the month's export.

Two shifts of one volunteer never overlap (an open shift runs until now). A shift counts
for the funder only once a coordinator approved it. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.text import nfc
from app.core.timebuckets import LOCAL_TZ, local_day_start
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.models import MAX_ID, Member, ShiftActivity, VolunteerShift

ACTIVITY_LABELS = {
    ShiftActivity.INTAKE: _l("Intake"),
    ShiftActivity.DESK: _l("Desk"),
    ShiftActivity.STOCKTAKE: _l("Stocktake"),
    ShiftActivity.LABELS: _l("Labels"),
    ShiftActivity.OTHER: _l("Other"),
}


class ShiftOverlaps(Conflict):
    code = "shift_overlaps"
    default_message = _l("This shift overlaps another of your shifts.")


class UnknownShift(NotFound):
    code = "unknown_shift"
    default_message = _l("There is no such shift.")


def open_shift(member: Member) -> VolunteerShift | None:
    """Return the member's shift under way, if any."""
    return db.session.scalar(sa.select(VolunteerShift).where(
        VolunteerShift.member_id == member.id, VolunteerShift.ended_at.is_(None)).limit(1))


def _check_free(member: Member, start: datetime, end: datetime | None, *, now: datetime,
                except_id: int | None = None) -> None:
    """Refuse a shift that overlaps one of the member's others (open ones run until now)."""
    others_end = sa.func.coalesce(VolunteerShift.ended_at, now)
    conditions = [VolunteerShift.member_id == member.id, others_end > start]
    if end is not None:
        conditions.append(VolunteerShift.started_at < end)
    if except_id is not None:
        conditions.append(VolunteerShift.id != except_id)
    if db.session.scalar(sa.select(VolunteerShift.id).where(*conditions).limit(1)):
        raise ShiftOverlaps()
    if end is None and open_shift(member) is not None:
        raise ShiftOverlaps()


def start_shift(member: Member, activity: ShiftActivity, *, now: datetime) -> VolunteerShift:
    """Start the member's shift now."""
    _check_free(member, now, None, now=now)
    shift = VolunteerShift(member_id=member.id, started_at=now, activity=activity,
                           created_at=now)
    db.session.add(shift)
    db.session.flush()
    audit.record("shift.start", actor=member, entity="volunteer_shift", entity_id=shift.id,
                 now=now, activity=activity.value)
    return shift


def end_shift(member: Member, *, now: datetime) -> VolunteerShift:
    """End the member's shift under way."""
    shift = open_shift(member)
    if shift is None:
        raise UnknownShift(_l("You have no shift under way."))
    if now <= shift.started_at:
        raise InvalidInput(_l("A shift ends after it starts."))
    shift.ended_at = now
    db.session.flush()
    audit.record("shift.end", actor=member, entity="volunteer_shift", entity_id=shift.id,
                 now=now)
    return shift


def log_shift(member: Member, *, start: datetime, end: datetime, activity: ShiftActivity,
              note: str | None, now: datetime) -> VolunteerShift:
    """Log a shift afterwards (start and end given)."""
    if end <= start:
        raise InvalidInput(_l("A shift ends after it starts."))
    if end > now:
        raise InvalidInput(_l("Log a shift once it is over."))
    _check_free(member, start, end, now=now)
    shift = VolunteerShift(member_id=member.id, started_at=start, ended_at=end,
                           activity=activity, note=(nfc(note) or None), created_at=now)
    db.session.add(shift)
    db.session.flush()
    audit.record("shift.log", actor=member, entity="volunteer_shift", entity_id=shift.id,
                 now=now, activity=activity.value)
    return shift


def my_shifts(member: Member, *, limit: int = 100) -> list[VolunteerShift]:
    """Return the member's own shifts, newest first."""
    return list(db.session.scalars(
        sa.select(VolunteerShift).where(VolunteerShift.member_id == member.id)
        .order_by(VolunteerShift.started_at.desc()).limit(limit)))


def unapproved(*, limit: int = 200) -> list[VolunteerShift]:
    """Return the finished shifts waiting for a coordinator's approval, oldest first."""
    return list(db.session.scalars(
        sa.select(VolunteerShift).where(VolunteerShift.approved_at.is_(None),
                                        VolunteerShift.ended_at.is_not(None))
        .order_by(VolunteerShift.started_at).limit(limit)))


def approve(shift_id: int, *, by: Member, now: datetime) -> VolunteerShift:
    """Approve a finished shift (a coordinator)."""
    shift = db.session.get(VolunteerShift, shift_id) if 1 <= shift_id <= MAX_ID else None
    if shift is None or shift.ended_at is None:
        raise UnknownShift()
    if shift.approved_at is None:
        shift.approved_at, shift.approved_by_id = now, by.id
        db.session.flush()
        audit.record("shift.approve", actor=by, entity="volunteer_shift", entity_id=shift.id,
                     now=now)
    return shift


@dataclass(frozen=True)
class MonthRow:
    """One approved shift in a month's export."""

    volunteer: str
    day: date
    start: str
    end: str
    minutes: int
    activity: str
    note: str


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """Return the UTC instants a local month starts and ends at."""
    after = date(year + (month == 12), month % 12 + 1, 1)
    return local_day_start(date(year, month, 1)), local_day_start(after)


def month_rows(year: int, month: int, member_id: int | None = None) -> list[MonthRow]:
    """Return a month's approved shifts (of one volunteer, or all), by volunteer and time."""
    start, end = month_bounds(year, month)
    query = (sa.select(VolunteerShift, Member.name)
             .join(Member, VolunteerShift.member_id == Member.id)
             .where(VolunteerShift.approved_at.is_not(None),
                    VolunteerShift.started_at >= start, VolunteerShift.started_at < end)
             .order_by(Member.name, Member.id, VolunteerShift.started_at))
    if member_id is not None:
        query = query.where(VolunteerShift.member_id == member_id)
    rows = []
    for shift, name in db.session.execute(query):
        begin, finish = shift.started_at.astimezone(LOCAL_TZ), shift.ended_at.astimezone(LOCAL_TZ)
        rows.append(MonthRow(name, begin.date(), begin.strftime("%H:%M"),
                             finish.strftime("%H:%M"), shift.minutes,
                             str(ACTIVITY_LABELS[shift.activity]), shift.note or ""))
    return rows
