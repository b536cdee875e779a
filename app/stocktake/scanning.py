"""One stocktake scan: what the copy is, said at once, and done once.

The first scan of a copy in a session claims its row of stocktake_copy (an UPDATE of
an expected row not seen yet, else an INSERT that does nothing on a conflict); a later
or simultaneous scan of it finds the row taken and is `already_scanned`, changing
nothing. Only the scan that claimed it returns a copy found on loan (closing the loan,
trapping a waiting hold) with the desk's own service, whose conditional update of the
loan is a second guard. The session's counts move in the same transaction, last, and
only while it is open.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.callnumbers import placed_call_number, shelf_key
from app.circulation.loans import return_copy
from app.circulation.lookups import clean_code
from app.circulation.privacy import mask_name
from app.circulation.rules import local_date
from app.core.i18n import interpolate, sentence_date
from app.errors import InvalidInput, StocktakeClosed
from app.extensions import begin_write, db
from app.isbn import parse_scan
from app.models import (
    Book,
    Copy,
    CopyStatus,
    Hold,
    Loan,
    Member,
    ScanResult,
    Site,
    Stocktake,
    StocktakeCopy,
    StocktakeScan,
    Withdrawal,
)
from app.stocktake.scope import Scope
from app.stocktake.sessions import scope_of

MAX_CODE = 100

HEADLINES = {
    ScanResult.FOUND: _l("Found"),
    ScanResult.FOUND_ON_LOAN: _l("On loan: returned now"),
    ScanResult.NOT_IN_SCOPE: _l("Not part of this stocktake"),
    ScanResult.OUT_OF_ORDER: _l("Out of order"),
    ScanResult.WITHDRAWN: _l("Withdrawn copy"),
    ScanResult.UNKNOWN: _l("Unknown code"),
    ScanResult.ALREADY_SCANNED: _l("Already scanned"),
}


@dataclass(frozen=True)
class Words:
    """A sentence to show, translated when shown (a lazy string and its parameters)."""

    template: object
    params: tuple = ()

    def __str__(self) -> str:
        return interpolate(self.template, self.params)


@dataclass
class ScanAnswer:
    """What a scan found and did, for the scan page and the API."""

    result: ScanResult
    code: str
    copy: Copy | None = None
    details: list[Words] = field(default_factory=list)
    # A copy found on loan: the loan it closed.
    loan: Loan | None = None
    # The hold the copy was trapped for: it goes to the hold shelf, not back on a shelf.
    hold: Hold | None = None
    # A withdrawn copy's standing withdrawal (the page offers to reinstate the copy).
    withdrawal: Withdrawal | None = None
    # An unknown code that is a book's ISBN (the page offers intake).
    isbn: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        """Return the result in a few words."""
        return str(HEADLINES[self.result])

    @property
    def message(self) -> str:
        """Return the result and what to do, in sentences."""
        return " ".join([self.headline + ".", *(str(w) for w in self.details)])

    def view(self) -> dict:
        """Return what the scan page shows, as plain values: read before the transaction
        ends, so showing it loads nothing again."""
        copy = None
        if self.copy is not None:
            copy = {"id": self.copy.id, "barcode": self.copy.barcode,
                    "title": self.copy.book.title,
                    "place": placed_call_number(self.copy.shelf, self.copy.call_number)}
        return {"result": self.result.value, "headline": self.headline, "code": self.code,
                "item": copy, "details": [str(w) for w in self.details],
                "hold": self.hold is not None, "isbn": self.isbn}


# ---------------------------------------------------------------------------
# Statements, built once (the scan is on a volunteer's hot path)
# ---------------------------------------------------------------------------


@functools.cache
def _copy_query() -> sa.Select:
    return (sa.select(Copy).where(Copy.barcode == sa.bindparam("barcode"))
            .options(joinedload(Copy.book, innerjoin=True)))


@functools.cache
def _previous_query() -> sa.Select:
    scans = StocktakeScan.__table__
    copies = Copy.__table__
    return (sa.select(copies.c.site_id, copies.c.shelf, copies.c.call_number)
            .select_from(scans.join(copies, copies.c.id == scans.c.copy_id))
            .where(scans.c.stocktake_id == sa.bindparam("stocktake_id"),
                   scans.c.scanned_by_id == sa.bindparam("by_id"),
                   scans.c.lane == sa.bindparam("lane"),
                   scans.c.result.in_([ScanResult.FOUND.value,
                                       ScanResult.FOUND_ON_LOAN.value]))
            .order_by(scans.c.id.desc()).limit(1))


@functools.cache
def _claim_statement() -> sa.Update:
    rows = StocktakeCopy.__table__
    return (sa.update(rows)
            .where(rows.c.stocktake_id == sa.bindparam("b_stocktake"),
                   rows.c.copy_id == sa.bindparam("b_copy"), rows.c.seen_at.is_(None))
            .values(result=sa.bindparam("b_result"), seen_at=sa.bindparam("b_now"),
                    seen_by_id=sa.bindparam("b_by")))


@functools.cache
def _insert_seen(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    rows = StocktakeCopy.__table__
    return module.insert(rows).values(
        stocktake_id=sa.bindparam("b_stocktake"), copy_id=sa.bindparam("b_copy"),
        expected=False, missing=False, result=sa.bindparam("b_result"),
        seen_at=sa.bindparam("b_now"), seen_by_id=sa.bindparam("b_by"),
    ).on_conflict_do_nothing(index_elements=["stocktake_id", "copy_id"]) \
        .execution_options(preserve_rowcount=True)  # an INSERT's rowcount is read late


@functools.cache
def _count_statement(result: ScanResult, seen: bool) -> sa.Update:
    table = Stocktake.__table__
    column = table.c[f"n_{result.value}"]
    values = {column: column + 1}
    if seen:
        values[table.c.seen] = table.c.seen + 1
    counted = [table.c[f"n_{r.value}"] for r in ScanResult]
    return (sa.update(table)
            .where(table.c.id == sa.bindparam("b_stocktake"), table.c.closed_at.is_(None))
            .values(values).returning(table.c.expected, table.c.seen, *counted))


_LOG = sa.insert(StocktakeScan.__table__)
_SEEN = sa.update(Copy.__table__).where(Copy.__table__.c.id == sa.bindparam("b_copy")) \
    .values(last_seen_at=sa.bindparam("b_now"))


# ---------------------------------------------------------------------------
# The scan
# ---------------------------------------------------------------------------


def _claim(stocktake: Stocktake, copy: Copy, result: ScanResult, *, by: Member,
           now: datetime) -> tuple[bool, bool]:
    """Claim the copy's row for this scan; return (claimed, whether it was expected)."""
    params = {"b_stocktake": stocktake.id, "b_copy": copy.id, "b_result": result.value,
              "b_now": now, "b_by": by.id}
    if db.session.execute(_claim_statement(), params).rowcount:
        return True, True  # only expected rows are ever unseen
    inserted = db.session.execute(_insert_seen(db.session.get_bind().dialect.name), params)
    return bool(inserted.rowcount), False


def _count(stocktake: Stocktake, answer: ScanAnswer, *, seen: bool, by: Member,
           lane: str, now: datetime) -> None:
    """Count the scan in the session (refused if it closed meanwhile) and log it."""
    row = db.session.execute(_count_statement(answer.result, seen),
                             {"b_stocktake": stocktake.id}).mappings().first()
    if row is None:
        raise StocktakeClosed()
    answer.counts = {"expected": row["expected"], "seen": row["seen"],
                     **{r.value: row[f"n_{r.value}"] for r in ScanResult}}
    db.session.execute(_LOG, {
        "stocktake_id": stocktake.id, "copy_id": answer.copy.id if answer.copy else None,
        "barcode": answer.code, "result": answer.result.value, "scanned_at": now,
        "scanned_by_id": by.id, "lane": lane})


def _previous_place(stocktake: Stocktake, scope: Scope, by: Member,
                    lane: str) -> tuple | None:
    """Return the shelf key of the copy this volunteer (on this device) found just before,
    in the scope."""
    row = db.session.execute(_previous_query(), {"stocktake_id": stocktake.id, "by_id": by.id,
                                                 "lane": lane}).first()
    if row is None or not scope.contains(site_id=row.site_id, shelf=row.shelf,
                                         call_number=row.call_number):
        return None
    key = shelf_key(row.shelf, row.call_number)
    return (key, placed_call_number(row.shelf, row.call_number)) if key else None


def _where_it_belongs(copy: Copy, scope: Scope) -> Words:
    """Say where a copy outside the scope belongs."""
    if scope.site_id and copy.site_id != scope.site_id:
        site = db.session.get(Site, copy.site_id)
        return Words(_l("It belongs to %(site)s."), (("site", site.name if site else "?"),))
    placed = placed_call_number(copy.shelf, copy.call_number)
    if placed is None:
        return Words(_l("It has no call number, so it is not in this range."))
    return Words(_l("It belongs at %(call_number)s."), (("call_number", placed),))


def _standing_withdrawal(copy: Copy) -> Withdrawal | None:
    return db.session.scalar(sa.select(Withdrawal).where(Withdrawal.copy_id == copy.id,
                                                         Withdrawal.reinstated_at.is_(None)))


def _hold_words(hold: Hold | None, now: datetime) -> list[Words]:
    if hold is None:
        return []
    holder = mask_name(hold.member.name if hold.member else None)
    return [Words(_l("Put it on the hold shelf for %(holder)s (until %(date)s)."),
                  (("holder", holder), ("date", sentence_date(hold.pickup_by))))]


def _unknown(stocktake: Stocktake, code: str, *, by: Member, lane: str,
             now: datetime) -> ScanAnswer:
    answer = ScanAnswer(ScanResult.UNKNOWN, code)
    parsed = parse_scan(code)
    if parsed.is_book:
        answer.isbn = parsed.isbn13
        answer.details.append(Words(_l("This is a book's ISBN, not one of our copy labels: "
                                       "catalogue the book at intake.")))
    else:
        answer.details.append(Words(_l("No copy has this barcode. If the book is ours, "
                                       "catalogue it at intake and give it a new label.")))
    _count(stocktake, answer, seen=False, by=by, lane=lane, now=now)
    return answer


def _decide(stocktake: Stocktake, scope: Scope, copy: Copy, in_scope: bool, *, by: Member,
            lane: str, answer: ScanAnswer) -> ScanResult:
    """Tell what the scan found, before anything is written."""
    if copy.status is CopyStatus.WITHDRAWN:
        return ScanResult.WITHDRAWN
    if copy.status is CopyStatus.ON_LOAN:
        if not in_scope:
            answer.details.append(_where_it_belongs(copy, scope))
        return ScanResult.FOUND_ON_LOAN
    if not in_scope:
        answer.details.append(_where_it_belongs(copy, scope))
        return ScanResult.NOT_IN_SCOPE
    if stocktake.in_order:
        key = shelf_key(copy.shelf, copy.call_number)
        previous = _previous_place(stocktake, scope, by, lane) if key else None
        if previous is not None and key < previous[0]:
            answer.details.append(Words(_l("Put it before %(call_number)s."),
                                        (("call_number", previous[1]),)))
            return ScanResult.OUT_OF_ORDER
    return ScanResult.FOUND


def scan(stocktake: Stocktake, code: str, *, by: Member, now: datetime,
         lane: str = "") -> ScanAnswer:
    """Take one scan into an open stocktake: say what the copy is, and do it once.

    `lane` tells one scanning device from another (the page's own id): a copy is out of
    order against the copy scanned just before it by the same volunteer on the same device.
    """
    if not stocktake.is_open:
        raise StocktakeClosed()
    code = clean_code(code)
    if not code:
        raise InvalidInput(_l("Nothing was scanned."))
    if len(code) > MAX_CODE:
        raise InvalidInput(_l("This is too long for a barcode."))
    copy = db.session.scalar(_copy_query(), {"barcode": code})
    if copy is None:
        return _unknown(stocktake, code, by=by, lane=lane, now=now)
    scope = scope_of(stocktake)
    in_scope = scope.contains(site_id=copy.site_id, shelf=copy.shelf,
                              call_number=copy.call_number)
    answer = ScanAnswer(ScanResult.FOUND, code, copy=copy)
    result = _decide(stocktake, scope, copy, in_scope, by=by, lane=lane, answer=answer)
    begin_write()
    claimed, expected = _claim(stocktake, copy, result, by=by, now=now)
    if not claimed:
        answer.result = ScanResult.ALREADY_SCANNED
        answer.details = [Words(_l("Nothing changed."))]
        _count(stocktake, answer, seen=False, by=by, lane=lane, now=now)
        return answer
    answer.result = result
    if result is ScanResult.WITHDRAWN:
        answer.withdrawal = _standing_withdrawal(copy)
        when = answer.withdrawal.withdrawn_at if answer.withdrawal else copy.status_changed_at
        answer.details.append(Words(_l("It was withdrawn on %(date)s. Put it back into the "
                                       "collection if it should stay."),
                                    (("date", sentence_date(local_date(when))),)))
    elif result is ScanResult.FOUND_ON_LOAN or copy.status in (CopyStatus.LOST,
                                                               CopyStatus.MISSING):
        # Returned as the desk returns it: the loan closed, a waiting hold trapped.
        was = copy.status
        loan = db.session.scalar(sa.select(Loan).where(Loan.copy_id == copy.id,
                                                       Loan.returned_at.is_(None))
                                 .options(joinedload(Loan.member)))
        borrower = mask_name(loan.member.name if loan and loan.member else None)
        returned = return_copy(copy, by=by, now=now)
        if result is ScanResult.FOUND_ON_LOAN:
            answer.loan = returned.loan
            answer.details.insert(0, Words(_l("It was on loan to %(borrower)s: the loan is "
                                              "closed."), (("borrower", borrower),)))
        elif was is CopyStatus.LOST:
            answer.details.insert(0, Words(_l("It was marked lost: it is back in the "
                                              "collection.")))
        else:
            answer.details.insert(0, Words(_l("It was marked missing: it is back in the "
                                              "collection.")))
        answer.hold = returned.hold
        answer.details += _hold_words(answer.hold, now)
    db.session.execute(_SEEN, {"b_copy": copy.id, "b_now": now})
    set_committed_value(copy, "last_seen_at", now)
    _count(stocktake, answer, seen=expected, by=by, lane=lane, now=now)
    return answer


def recent_scans(stocktake_id: int, by_id: int | None = None, *,
                 limit: int = 10) -> list[sa.Row]:
    """Return the session's latest scans (of one volunteer when given), newest first:
    (barcode, result, title) rows."""
    scans = StocktakeScan.__table__
    copies = Copy.__table__
    books = Book.__table__
    query = (sa.select(scans.c.barcode, scans.c.result, books.c.title)
             .select_from(scans.outerjoin(copies, copies.c.id == scans.c.copy_id)
                          .outerjoin(books, books.c.id == copies.c.book_id))
             .where(scans.c.stocktake_id == stocktake_id)
             .order_by(scans.c.id.desc()).limit(limit))
    if by_id is not None:
        query = query.where(scans.c.scanned_by_id == by_id)
    return list(db.session.execute(query))


def scanned_at_text(when: datetime) -> str:
    """Return a scan's time as the page shows it."""
    return format_datetime(when, "HH:mm:ss")
