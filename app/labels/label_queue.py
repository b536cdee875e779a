"""The print queue: copies waiting for a label, added by selection, donation, range or
scans, and taken off when printed or removed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.core import audit
from app.errors import NothingToPrint
from app.extensions import db
from app.labels.lookups import chunks
from app.models import Copy, LabelQueueItem, Member


@dataclass(frozen=True)
class QueueRow:
    """One queued copy as the queue page shows it."""

    item: LabelQueueItem
    copy: Copy
    added_by: str | None


def queue_rows() -> list[QueueRow]:
    """Return the print queue, oldest first, with who added each copy."""
    query = (
        sa.select(LabelQueueItem, Member.name)
        .join(LabelQueueItem.copy)
        .outerjoin(Member, Member.id == LabelQueueItem.added_by_id)
        .options(joinedload(LabelQueueItem.copy).joinedload(Copy.book))
        .order_by(LabelQueueItem.added_at, LabelQueueItem.id)
    )
    return [QueueRow(item, item.copy, name) for item, name in db.session.execute(query)]


def queued_copies(item_ids: Iterable[int] | None = None) -> list[Copy]:
    """Return the queued copies in queue order: all of them, or those of the given items."""
    query = (
        sa.select(Copy)
        .join(LabelQueueItem, LabelQueueItem.copy_id == Copy.id)
        .options(joinedload(Copy.book))
        .order_by(LabelQueueItem.added_at, LabelQueueItem.id)
    )
    if item_ids is not None:
        query = query.where(LabelQueueItem.id.in_(list(item_ids)))
    return list(db.session.scalars(query))


def _insert_ignore(rows: list[dict]):
    """Return an INSERT of queue rows that skips the copies already queued."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(LabelQueueItem.__table__).values(rows).on_conflict_do_nothing()


def add_to_queue(copies: Sequence[Copy], *, by: Member | None, now: datetime,
                 source: str = "selection") -> int:
    """Queue these copies for printing (those already queued stay as they are); return how
    many were added."""
    ids = list(dict.fromkeys(c.id for c in copies))
    queued: set[int] = set()
    for chunk in chunks(ids):
        queued.update(db.session.scalars(
            sa.select(LabelQueueItem.copy_id).where(LabelQueueItem.copy_id.in_(chunk))
        ))
    new = [i for i in ids if i not in queued]
    for chunk in chunks(new):
        # Two volunteers adding the same copy at once: the unique copy_id keeps one.
        db.session.execute(_insert_ignore([
            {"copy_id": i, "added_at": now, "added_by_id": by.id if by else None} for i in chunk
        ]))
    if new:
        audit.record("labels.queue_add", actor=by, entity="label_queue", now=now,
                     source=source, count=len(new))
    db.session.flush()
    return len(new)


def remove_from_queue(item_ids: Iterable[int], *, by: Member, now: datetime) -> int:
    """Take items off the print queue without printing them; return how many were removed."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return 0
    removed = db.session.execute(
        sa.delete(LabelQueueItem).where(LabelQueueItem.id.in_(ids))
    ).rowcount
    if removed:
        audit.record("labels.queue_remove", actor=by, entity="label_queue", now=now,
                     count=removed)
    db.session.flush()
    return removed


def mark_labels_printed(copies: Sequence[Copy], *, by: Member, now: datetime) -> int:
    """Record that these copies have their labels and take them off the queue."""
    if not copies:
        raise NothingToPrint()
    ids = [c.id for c in copies]
    for copy in copies:
        copy.label_printed_at = now
    for chunk in chunks(ids):
        db.session.execute(sa.delete(LabelQueueItem).where(LabelQueueItem.copy_id.in_(chunk)))
    audit.record("labels.printed", actor=by, entity="copy", now=now, count=len(copies),
                 barcodes=[c.barcode for c in copies])
    db.session.flush()
    return len(copies)
