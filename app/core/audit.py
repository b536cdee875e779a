"""Record actions in the audit trail."""

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Member, utcnow


def _values(action: str, actor: Member | None, entity: str | None, entity_id: int | None,
            now: datetime | None, details: dict) -> dict:
    """The columns of one audit event."""
    return {
        "action": action,
        "actor_id": actor.id if actor is not None else None,
        "entity": entity,
        "entity_id": entity_id,
        "details": details or None,
        "at": now or utcnow(),
    }


def record(
    action: str,
    *,
    actor: Member | None,
    entity: str | None = None,
    entity_id: int | None = None,
    now: datetime | None = None,
    **details,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(**_values(action, actor, entity, entity_id, now, details))
    db.session.add(event)
    return event


_INSERT = sa.insert(AuditEvent.__table__)


def insert(
    action: str,
    *,
    actor: Member | None,
    entity: str | None = None,
    entity_id: int | None = None,
    now: datetime | None = None,
    **details,
) -> None:
    """Write an audit event at once, as a plain INSERT in the current transaction.

    For hot paths (intake, the desk): no object for the session to track and flush.
    """
    db.session.execute(_INSERT, _values(action, actor, entity, entity_id, now, details))
