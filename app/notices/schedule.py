"""The kinds of notice and the schedule a coordinator sets: which kinds are on, the days
before and after the due date, the send hour and the quiet hours (Asia/Seoul)."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.circulation.rules import LOCAL_TZ
from app.core.settings import store, stored_dict
from app.models import utcnow

SETTING_KEY = "notices.schedule"

# The kinds, in the order a message lists them.
KINDS = {
    "hold_ready": _l("Hold ready to pick up"),
    "hold_expiring": _l("Hold expiring tomorrow"),
    "overdue": _l("Overdue"),
    "due_today": _l("Due today"),
    "due_soon": _l("Due soon"),
    "donation_borrowed": _l("A donated book was borrowed"),
}
# Kinds built at the send hour once a day; the others go out at the next run.
DAILY_KINDS = ("hold_expiring", "overdue", "due_today", "due_soon", "donation_borrowed")
CHANNELS = {"email": _l("Email"), "text": _l("Text message")}
STATES = {"pending": _l("Pending"), "sending": _l("Sending"), "sent": _l("Sent"),
          "failed": _l("Failed, will retry"), "given_up": _l("Given up"),
          "void": _l("No longer due")}


@dataclass
class Schedule:
    """When notices are built and sent."""

    kinds_on: list[str] = field(default_factory=lambda: list(KINDS))
    days_before: list[int] = field(default_factory=lambda: [2])
    days_after: list[int] = field(default_factory=lambda: [1, 4])
    send_hour: int = 10  # daily notices are built from this hour; nothing goes out before
    quiet_from: int = 21  # nothing goes out from this hour until the send hour

    def is_quiet(self, now: datetime) -> bool:
        """Tell whether `now` falls in the quiet hours (local time)."""
        hour = now.astimezone(LOCAL_TZ).hour
        if self.quiet_from > self.send_hour:
            return hour >= self.quiet_from or hour < self.send_hour
        return self.quiet_from <= hour < self.send_hour

    def daily_due(self, now: datetime) -> bool:
        """Tell whether the day's notices may be built now (the send hour has come)."""
        return not self.is_quiet(now) and now.astimezone(LOCAL_TZ).hour >= self.send_hour


def _days(values, default: list[int]) -> list[int]:
    try:
        days = sorted({int(v) for v in values if 0 < int(v) <= 60})
    except (TypeError, ValueError):
        return default
    return days


def load_schedule() -> Schedule:
    """Return the schedule in force (the defaults until a coordinator saves one)."""
    value = stored_dict(SETTING_KEY)
    default = Schedule()
    hour = value.get("send_hour", default.send_hour)
    quiet = value.get("quiet_from", default.quiet_from)
    return Schedule(
        kinds_on=[k for k in value.get("kinds_on", default.kinds_on) if k in KINDS],
        days_before=_days(value.get("days_before", default.days_before), default.days_before),
        days_after=_days(value.get("days_after", default.days_after), default.days_after),
        send_hour=hour if isinstance(hour, int) and 0 <= hour <= 23 else default.send_hour,
        quiet_from=quiet if isinstance(quiet, int) and 0 <= quiet <= 23 else default.quiet_from,
    )


def save_schedule(schedule: Schedule) -> Schedule:
    """Keep a new schedule (flushes)."""
    store(SETTING_KEY, asdict(schedule), now=utcnow())
    return schedule


def parse_days(text: str) -> list[int]:
    """Read "1, 4" as [1, 4] (days between 1 and 60; anything else is left out)."""
    return _days([part for part in text.replace(" ", "").split(",") if part.isdigit()], [])
