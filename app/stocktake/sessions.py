"""Stocktake sessions: start one (its expected list frozen), close it (its missing list
fixed), and mark what was not found missing, or lost after a second stocktake.

Every function takes the actor and the time, flushes and never commits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.callnumbers import placed_call_number, sort_key
from app.circulation.copies import mark_lost, set_copy_state
from app.core import audit
from app.core.text import escape_like, nfc
from app.errors import (
    InvalidScope,
    NothingSelected,
    NotMissing,
    StocktakeClosed,
    StocktakeOpen,
    UnknownStocktake,
)
from app.extensions import db
from app.models import Copy, CopyStatus, Member, Site, Stocktake, StocktakeCopy
from app.stocktake.scope import Scope

# What a stocktake expects on the shelves: copies in the collection that are not out on
# loan. Lost and missing copies too: found, they come back; missed twice, a missing one
# is lost. Withdrawn copies never; damaged ones are kept aside, not shelved.
EXPECTED_STATUSES = (CopyStatus.AVAILABLE, CopyStatus.ON_HOLD_SHELF, CopyStatus.LOST,
                     CopyStatus.MISSING)
# Rows per multi-row INSERT of an expected list (SQLite's bound-parameter limit).
CHUNK = 5000


def scope_of(stocktake: Stocktake) -> Scope:
    """Return the stocktake's scope."""
    return Scope(site_id=stocktake.site_id, shelf=stocktake.shelf,
                 call_from=stocktake.call_from, call_to=stocktake.call_to)


def make_scope(*, site_id: int | None = None, shelf: str | None = None,
               call_from: str | None = None, call_to: str | None = None) -> Scope:
    """Return a scope from what a form or a request gave, checked (InvalidScope)."""
    shelf, call_from, call_to = (nfc(v) for v in (shelf, call_from, call_to))
    if site_id is not None and db.session.get(Site, site_id) is None:
        raise InvalidScope(_l("No such site."))
    if call_from and call_to and sort_key(placed_call_number(shelf, call_from)) > sort_key(
            placed_call_number(shelf, call_to)):
        raise InvalidScope()
    return Scope(site_id=site_id, shelf=shelf, call_from=call_from, call_to=call_to)


def get_stocktake(stocktake_id: int) -> Stocktake:
    """Return a stocktake by id, or raise UnknownStocktake."""
    stocktake = db.session.get(Stocktake, stocktake_id) if 0 < stocktake_id < 2**31 else None
    if stocktake is None:
        raise UnknownStocktake()
    return stocktake


def recent_stocktakes(limit: int = 50) -> list[Stocktake]:
    """Return the stocktakes, open ones first, newest first."""
    return list(db.session.scalars(
        sa.select(Stocktake)
        .order_by(Stocktake.closed_at.is_not(None), Stocktake.started_at.desc(),
                  Stocktake.id.desc())
        .limit(limit)))


def _expected_ids(scope: Scope) -> list[int] | sa.Select:
    """Return the expected copies: a SELECT of their ids when SQL alone can tell, else ids."""
    copies = Copy.__table__
    query = sa.select(copies.c.id).where(copies.c.status.in_([s.value for s in
                                                               EXPECTED_STATUSES]))
    if scope.site_id:
        query = query.where(copies.c.site_id == scope.site_id)
    if not (scope.shelf or scope.has_range):
        return query
    if scope.shelf:
        # A superset: the shelf's own field, or a call number that may begin with it.
        query = query.where(sa.or_(
            copies.c.shelf == scope.shelf,
            copies.c.call_number.like(escape_like(scope.shelf) + "%", escape="\\")))
    query = query.add_columns(copies.c.site_id, copies.c.shelf, copies.c.call_number)
    return [row.id for row in db.session.execute(query)
            if scope.contains(site_id=row.site_id, shelf=row.shelf, call_number=row.call_number)]


def start_stocktake(scope: Scope, *, in_order: bool = True, note: str | None = None,
                    by: Member, now: datetime) -> Stocktake:
    """Open a stocktake of the scope, freezing the list of copies expected on its shelves."""
    stocktake = Stocktake(site_id=scope.site_id, shelf=scope.shelf, call_from=scope.call_from,
                          call_to=scope.call_to, in_order=in_order, note=nfc(note),
                          started_at=now, started_by_id=by.id)
    db.session.add(stocktake)
    db.session.flush()
    rows = StocktakeCopy.__table__
    expected = _expected_ids(scope)
    if isinstance(expected, sa.Select):
        ids = expected.subquery()
        count = db.session.execute(
            sa.insert(rows).from_select(
                ["stocktake_id", "copy_id", "expected", "missing"],
                sa.select(sa.literal(stocktake.id), ids.c.id, sa.true(), sa.false())),
            execution_options={"preserve_rowcount": True},
        ).rowcount
    else:
        for start in range(0, len(expected), CHUNK):
            db.session.execute(sa.insert(rows), [
                {"stocktake_id": stocktake.id, "copy_id": copy_id, "expected": True,
                 "missing": False} for copy_id in expected[start:start + CHUNK]])
        count = len(expected)
    stocktake.expected = count
    db.session.flush()
    audit.record("stocktake.start", actor=by, entity="stocktake", entity_id=stocktake.id,
                 now=now, expected=count)
    return stocktake


def close_stocktake(stocktake: Stocktake, *, by: Member, now: datetime) -> Stocktake:
    """Close a stocktake: no more scans; expected copies never scanned are its missing list.

    A copy lent out during the stocktake is not on the shelf for a good reason: it is not
    missing. A scan that arrives while the session closes is refused as a whole (its
    count update checks that the session is still open, after this one's missing list).
    """
    if not stocktake.is_open:
        raise StocktakeClosed()
    rows = StocktakeCopy.__table__
    copies = Copy.__table__
    missing = db.session.execute(
        sa.update(rows)
        .where(rows.c.stocktake_id == stocktake.id, rows.c.expected.is_(True),
               rows.c.seen_at.is_(None),
               rows.c.copy_id.in_(sa.select(copies.c.id).where(copies.c.status.not_in(
                   [CopyStatus.ON_LOAN.value, CopyStatus.WITHDRAWN.value]))))
        .values(missing=True)
    ).rowcount
    table = Stocktake.__table__
    closed = db.session.execute(
        sa.update(table).where(table.c.id == stocktake.id, table.c.closed_at.is_(None))
        .values(closed_at=now, closed_by_id=by.id, missing=missing)
    ).rowcount
    if not closed:
        raise StocktakeClosed()  # another coordinator closed it at the same moment
    db.session.refresh(stocktake)
    audit.record("stocktake.close", actor=by, entity="stocktake", entity_id=stocktake.id,
                 now=now, missing=missing)
    return stocktake


def _missing(stocktake: Stocktake):
    return (sa.select(Copy).join(StocktakeCopy, StocktakeCopy.copy_id == Copy.id)
            .where(StocktakeCopy.stocktake_id == stocktake.id, StocktakeCopy.missing.is_(True)))


def missing_copies(stocktake: Stocktake, ids: list[int] | None = None) -> list[Copy]:
    """Return the closed stocktake's missing copies (those of `ids` only, when given), with
    their books."""
    if ids is None:
        return list(db.session.scalars(_missing(stocktake).options(
            joinedload(Copy.book, innerjoin=True))))
    found = []
    for start in range(0, len(ids), CHUNK):
        found += db.session.scalars(_missing(stocktake).where(
            Copy.id.in_(ids[start:start + CHUNK])).options(joinedload(Copy.book, innerjoin=True)))
    return found


def missing_places(stocktake: Stocktake) -> list[sa.Row]:
    """Return (id, shelf, call_number) of the closed stocktake's missing copies."""
    copies = Copy.__table__
    rows = StocktakeCopy.__table__
    return list(db.session.execute(
        sa.select(copies.c.id, copies.c.shelf, copies.c.call_number)
        .join(rows, rows.c.copy_id == copies.c.id)
        .where(rows.c.stocktake_id == stocktake.id, rows.c.missing.is_(True))))


def mark_missing(stocktake: Stocktake, copy_ids: list[int] | None, *, by: Member,
                 now: datetime) -> dict[str, int]:
    """Mark copies of the missing list (all of it when `copy_ids` is None) missing, or lost
    when they already were missing.

    A copy missing since an earlier stocktake and not found again is lost. Copies found
    or lent since the close keep their state. Return how many became missing and lost.
    """
    if stocktake.is_open:
        raise StocktakeOpen()
    if copy_ids is not None and not copy_ids:
        raise NothingSelected()
    listed = {c.id: c for c in missing_copies(stocktake, copy_ids)}
    if copy_ids is None:
        copy_ids = sorted(listed)
    elif any(copy_id not in listed for copy_id in copy_ids):
        raise NotMissing()
    done = {"missing": 0, "lost": 0}
    for copy_id in copy_ids:
        copy = listed[copy_id]
        if copy.status is CopyStatus.MISSING:
            mark_lost(copy, by=by, now=now)
            done["lost"] += 1
        elif copy.status in (CopyStatus.AVAILABLE, CopyStatus.ON_HOLD_SHELF):
            set_copy_state(copy, CopyStatus.MISSING, by=by, now=now)
            done["missing"] += 1
    audit.record("stocktake.mark_missing", actor=by, entity="stocktake",
                 entity_id=stocktake.id, now=now, **done)
    return done
