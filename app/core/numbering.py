"""Internal barcodes: EAN-13 with prefix 201 (copies) or 202 (member cards), never reused."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.barcodes import COPY_PREFIX, MEMBER_PREFIX, internal_code
from app.extensions import db
from app.models import BarcodeCounter


def _insert_ignore(table, **values):
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()


# On the table, not the ORM entity: the ORM's bulk-update bookkeeping doubles its cost.
# Built once and run with its parameter (every intake asks it).
_COUNTER = BarcodeCounter.__table__
_BUMP = (
    sa.update(_COUNTER)
    .where(_COUNTER.c.prefix == sa.bindparam("counter_prefix"))
    .values(last_serial=_COUNTER.c.last_serial + 1)
    .returning(_COUNTER.c.last_serial)
)


def _bump(prefix: str) -> int | None:
    return db.session.execute(_BUMP, {"counter_prefix": prefix}).scalar_one_or_none()


def next_serial(prefix: str) -> int:
    """Reserve the next serial under a prefix (atomic: the UPDATE locks the counter row)."""
    serial = _bump(prefix)
    if serial is None:
        # The first serial of a prefix: create its counter (another worker may race us).
        db.session.execute(_insert_ignore(BarcodeCounter.__table__, prefix=prefix,
                                          last_serial=0))
        serial = _bump(prefix)
    return serial


def next_copy_barcode() -> str:
    """Return a new copy barcode (201...)."""
    return internal_code(COPY_PREFIX, next_serial(COPY_PREFIX))


def next_member_card() -> str:
    """Return a new member card barcode (202...)."""
    return internal_code(MEMBER_PREFIX, next_serial(MEMBER_PREFIX))
