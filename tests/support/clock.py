"""A clock tests move by hand, starting at noon in Seoul on a Monday."""

from datetime import UTC, datetime, timedelta

# Noon in Seoul on a Monday: local date 2026-03-02.
NOON = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = NOON):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now
