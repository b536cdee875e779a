"""Local (Asia/Seoul) months and weeks, computed in SQL the same way on both databases."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.core.timebuckets import (
    local_day_start,
    local_today,
    month_bounds,
    month_of,
    months_between,
    week_of,
    weeks_between,
)
from app.extensions import db
from app.models import AuditEvent


def test_local_days_and_months():
    assert local_today(datetime(2026, 2, 28, 15, 0, tzinfo=UTC)) == date(2026, 3, 1)
    assert local_day_start(date(2026, 3, 1)) == datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11", "2025-12", "2026-01", "2026-02"]
    assert weeks_between(date(2026, 3, 4), date(2026, 3, 16)) == [
        "2026-03-02", "2026-03-09", "2026-03-16"]


def test_month_bounds_are_clipped_to_the_range():
    assert month_bounds(date(2026, 1, 15), date(2026, 2, 10)) == [
        ("2026-01", datetime(2026, 1, 14, 15, tzinfo=UTC), datetime(2026, 1, 31, 15, tzinfo=UTC)),
        ("2026-02", datetime(2026, 1, 31, 15, tzinfo=UTC), datetime(2026, 2, 10, 15, tzinfo=UTC)),
    ]


def test_sql_buckets_use_seoul_time(app):
    # Sunday 31 May 2026 16:00 UTC is Monday 1 June 01:00 in Seoul.
    moments = [datetime(2026, 5, 31, 16, 0, tzinfo=UTC), datetime(2026, 5, 31, 14, 0, tzinfo=UTC)]
    for at in moments:
        db.session.add(AuditEvent(action="test", at=at))
    db.session.commit()
    rows = db.session.execute(
        sa.select(month_of(AuditEvent.at), week_of(AuditEvent.at)).order_by(AuditEvent.at)
    ).all()
    assert [tuple(r) for r in rows] == [("2026-05", "2026-05-25"), ("2026-06", "2026-06-01")]
