"""The audit trail: who did what to which record, and when."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """One recorded action (a change, or a view/export of member data)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    entity: Mapped[str | None] = mapped_column(sa.String(32))
    entity_id: Mapped[int | None]
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    actor: Mapped["Member | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity", "entity_id"),)


class Setting(db.Model):
    """A named app setting a coordinator can change (café name, desk sound, ...)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
