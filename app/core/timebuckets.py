"""Bucket UTC timestamps by the café's local month or week, in SQL, on both databases.

The café is in Asia/Seoul (UTC+9 all year; Korea has kept no daylight saving time
since 1988). PostgreSQL stores timestamptz and converts with AT TIME ZONE; SQLite
stores naive UTC text, so we add nine hours there. Each bucket is a 'YYYY-MM' or
'YYYY-MM-DD' string, the same on both databases; weeks start on Monday. For counts
over long ranges, `month_bounds` gives each local month's UTC instants instead, so the
database counts index ranges rather than computing a bucket per row.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

LOCAL_TZ = ZoneInfo("Asia/Seoul")
SQLITE_OFFSET = "+9 hours"  # Asia/Seoul, no DST


class _Bucket(FunctionElement):
    type = sa.String()
    inherit_cache = True
    unit = ""


class month_of(_Bucket):  # noqa: N801 (an SQL function)
    """The local calendar month 'YYYY-MM' of a UTC timestamp column."""

    name = "month_of"
    inherit_cache = True


class week_of(_Bucket):  # noqa: N801 (an SQL function)
    """The Monday 'YYYY-MM-DD' starting the local week of a UTC timestamp column."""

    name = "week_of"
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"strftime('%Y-%m', {arg}, '{SQLITE_OFFSET}')"


@compiles(week_of, "sqlite")
def _week_sqlite(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is Monday.
    return f"date({arg}, '{SQLITE_OFFSET}', 'weekday 0', '-6 days')"


@compiles(month_of, "postgresql")
def _month_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"to_char(({arg}) AT TIME ZONE 'Asia/Seoul', 'YYYY-MM')"


@compiles(week_of, "postgresql")
def _week_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('week', ({arg}) AT TIME ZONE 'Asia/Seoul'), 'YYYY-MM-DD')"


def local_minute(moment: datetime | None) -> str | None:
    """A time as a spreadsheet cell shows it: the café's local time, to the minute."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else None


def local_today(now: datetime) -> date:
    """Return the café's local date at `now`."""
    return now.astimezone(LOCAL_TZ).date()


def local_day_start(day: date) -> datetime:
    """Return the UTC instant at which the local day `day` begins."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def in_local_days(column: ColumnElement, start: date, end: date) -> ColumnElement:
    """Return the condition: column falls on a local day from start to end, inclusive."""
    return sa.and_(column >= local_day_start(start),
                   column < local_day_start(end + timedelta(days=1)))


def months_between(start: date, end: date) -> list[str]:
    """Return every 'YYYY-MM' from start's month to end's month."""
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def weeks_between(start: date, end: date) -> list[str]:
    """Return the Monday 'YYYY-MM-DD' of every week from start's week to end's week."""
    monday = start - timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append(monday.isoformat())
        monday += timedelta(days=7)
    return weeks


def month_bounds(start: date, end: date) -> list[tuple[str, datetime, datetime]]:
    """Return ('YYYY-MM', from, to) for each local month of the range, as UTC instants.

    The first and last months are clipped to the range (whole local days, both ends
    included); `to` is exclusive. Counting rows between such bounds is an index range
    scan on both databases, with no per-row date arithmetic and no sort.
    """
    bounds = []
    for label in months_between(start, end):
        y, m = int(label[:4]), int(label[5:])
        first = max(date(y, m, 1), start)
        after = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
        after = min(after, end + timedelta(days=1))
        bounds.append((label, local_day_start(first), local_day_start(after)))
    return bounds
