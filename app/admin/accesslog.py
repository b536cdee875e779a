"""The access log: which staff member viewed or exported whose personal data, and when.

Korea's PIPA asks us to keep such a log; we keep it a year. Entries are audit events
(`AuditEvent`) whose action starts with `access.`: the actor is who, `entity_id` is whose
(None for a list or an export of many members), the action says what, `at` when, and the
details hold the request id. Entries older than RETENTION are purged whenever one is
written, and by `flask library purge-access-log`.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AuditEvent, Member, utcnow

PREFIX = "access."
RETENTION = timedelta(days=365)

# What was accessed: the label a coordinator reads in the log.
KINDS = {
    "member_view": _l("Viewed a member's page"),
    "member_list": _l("Listed members"),
    "member_data": _l("Downloaded a member's data"),
    "export_members": _l("Exported the members"),
    "export_loans": _l("Exported the loans with borrowers"),
    "overdue_list": _l("Viewed the overdue list"),
    "overdue_letters": _l("Printed overdue letters"),
    "overdue_report": _l("Exported the overdue report"),
    "campaign_donors": _l("Exported a campaign's donors"),
}


def log_access(
    what: str,
    *,
    actor: Member,
    member: Member | None = None,
    now: datetime | None = None,
    request_id: str | None = None,
    **details,
) -> AuditEvent:
    """Record that `actor` viewed or exported personal data (of `member`, or of many)."""
    if what not in KINDS:
        raise ValueError(f"unknown access kind {what!r}")
    now = now or utcnow()
    if request_id is None and has_request_context():
        request_id = g.get("request_id")
    purge_access_log(now=now)
    event = AuditEvent(
        action=PREFIX + what,
        actor_id=actor.id,
        entity="member" if member is not None else None,
        entity_id=member.id if member is not None else None,
        details={"request_id": request_id, **details},
        at=now,
    )
    db.session.add(event)
    return event


def purge_access_log(*, now: datetime) -> int:
    """Delete access-log entries older than a year; return how many went."""
    result = db.session.execute(
        sa.delete(AuditEvent)
        .where(AuditEvent.action.startswith(PREFIX), AuditEvent.at < now - RETENTION)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def access_log_query(member_id: int | None = None) -> sa.Select:
    """Return the access-log entries, newest first (only those about one member if given)."""
    query = sa.select(AuditEvent).where(AuditEvent.action.startswith(PREFIX))
    if member_id is not None:
        query = query.where(AuditEvent.entity == "member", AuditEvent.entity_id == member_id)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def members_named(events: list[AuditEvent]) -> dict[int, Member]:
    """Return the members the access-log entries are about, by id."""
    ids = {e.entity_id for e in events if e.entity_id}
    return {m.id: m for m in db.session.scalars(sa.select(Member).where(Member.id.in_(ids)))}


def kind_label(action: str) -> str:
    """Return the readable label of an access-log action."""
    key = action.removeprefix(PREFIX)
    return str(KINDS.get(key, key))
