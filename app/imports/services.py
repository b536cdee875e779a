"""Import a collection: read a file, check every row, plan against the catalogue, write.

A use case is `plan_import` (what would happen to each row; nothing written) and
`run_import` (the same plan, then bulk inserts, flushed in the caller's transaction:
the caller commits once, or rolls back for a dry run). Re-importing a file adds
nothing: books match on ISBN-13 (or, without one, on title/subtitle/authors/year),
copies on their barcode, and rows without a barcode only top a book's copies up to the
number of rows the file has for it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.barcodes import internal_code
from app.catalog import store
from app.core import audit
from app.core.defaults import default_site
from app.core.numbering import COPY_PREFIX, next_serial
from app.errors import CatalogueChanged
from app.extensions import db
from app.imports.rows import (
    NO_COPIES,
    CheckedRow,
)
from app.isbn import is_valid_ean13
from app.models import BarcodeCounter, Book, Copy, CopyStatus, Member

CHUNK = 1000


class Verdict(StrEnum):
    """What happens to a row."""

    NEW = "new"  # imported as it was
    REPAIRED = "repaired"  # imported after an unambiguous repair
    WARNING = "warning"  # imported, but something in it could not be used
    EXISTING = "existing"  # the catalogue already has it: nothing added
    REJECTED = "rejected"  # not imported


VERDICT_LABELS = {
    Verdict.NEW: _l("New"),
    Verdict.REPAIRED: _l("Repaired"),
    Verdict.WARNING: _l("Imported with problems"),
    Verdict.EXISTING: _l("Already in the catalogue"),
    Verdict.REJECTED: _l("Not imported"),
}


@dataclass
class RowResult:
    """One row's verdict and everything said about it."""

    row: CheckedRow
    verdict: Verdict = Verdict.NEW
    action: object | None = None
    book_ref: object | None = None  # an existing book id, or a key of a new book
    generate_barcode: bool = False

    @property
    def messages(self) -> list:
        """Return the repairs and problems of the row (and why it was rejected)."""
        out = list(self.row.repairs) + list(self.row.problems)
        if self.row.fatal is not None:
            out.insert(0, self.row.fatal)
        return out


@dataclass
class Plan:
    """The verdict of every row, and what to insert."""

    results: list[RowResult]
    new_books: dict[str, CheckedRow] = field(default_factory=dict)
    source_kind: str = "csv"

    def counts(self) -> dict[str, int]:
        """Return how many rows got each verdict (they add up to the rows)."""
        counts = {v.value: 0 for v in Verdict}
        for result in self.results:
            counts[result.verdict.value] += 1
        counts["rows"] = len(self.results)
        return counts

    def shown(self, verdict: Verdict | None, limit: int) -> tuple[list[RowResult], int]:
        """Return the first `limit` rows (of one verdict, or all) and how many there are."""
        rows = [r for r in self.results if verdict is None or r.verdict == verdict]
        return rows[:limit], len(rows)

    @property
    def copies_to_add(self) -> list[RowResult]:
        """Return the rows that add a copy."""
        return [r for r in self.results if r.verdict in (Verdict.NEW, Verdict.REPAIRED,
                                                         Verdict.WARNING)
                and r.row.status != NO_COPIES]


@dataclass
class ImportResult:
    """What an import wrote."""

    plan: Plan
    books_added: int
    copies_added: int
    seconds: float


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


def _by_chunks(values: Iterable, query: Callable[[list], sa.Select]) -> dict:
    """Run a two-column query over the values 500 at a time (a bound parameter each, and
    every database has a limit on them); return its rows as one dict."""
    values = sorted(values)
    found: dict = {}
    for start in range(0, len(values), 500):
        found.update(db.session.execute(query(values[start:start + 500])).all())
    return found


def _existing_books(rows: list[CheckedRow]) -> dict[str, int]:
    found = _by_chunks({r.isbn13 for r in rows if r.isbn13 and r.fatal is None},
                       lambda isbns: sa.select(Book.isbn13, Book.id).where(Book.isbn13.in_(isbns)))
    if any(not r.isbn13 and r.fatal is None for r in rows):
        query = sa.select(Book.id, Book.title, Book.subtitle, Book.authors, Book.year).where(
            Book.isbn13.is_(None)).order_by(Book.id)
        for book_id, title, subtitle, authors, year in db.session.execute(query):
            key = CheckedRow(number=0, title=title, subtitle=subtitle, authors=authors,
                             year=year).book_key()
            found.setdefault(key, book_id)
    return found


def _existing_copies(rows: list[CheckedRow]) -> dict[str, int]:
    return _by_chunks({r.barcode for r in rows if r.barcode and r.fatal is None},
                      lambda codes: sa.select(Copy.barcode, Copy.book_id)
                      .where(Copy.barcode.in_(codes)))


def _copy_counts(book_ids: set[int]) -> dict[int, int]:
    return _by_chunks(book_ids, lambda ids: sa.select(Copy.book_id, sa.func.count(Copy.id))
                      .where(Copy.book_id.in_(ids)).group_by(Copy.book_id))


def plan_import(rows: list[CheckedRow], *, source_kind: str = "csv") -> Plan:
    """Decide each row's verdict against the catalogue; writes nothing."""
    books = _existing_books(rows)
    copies = _existing_copies(rows)
    plan = Plan(results=[], source_kind=source_kind)
    first_row_of: dict[str, CheckedRow] = {}
    seen_barcodes: dict[str, object] = {}
    in_file: dict[object, list[RowResult]] = defaultdict(list)  # book -> its rows
    for row in rows:
        result = RowResult(row=row)
        plan.results.append(result)
        if row.fatal is not None:
            result.verdict = Verdict.REJECTED
            continue
        key = row.book_key()
        book_ref: object = books.get(key, f"new:{key}")
        if row.barcode:
            if row.barcode in seen_barcodes:
                row.fatal = _l("the barcode %(barcode)s is already on row %(row)s",
                               barcode=row.barcode, row=seen_barcodes[row.barcode])
                result.verdict = Verdict.REJECTED
                continue
            seen_barcodes[row.barcode] = row.number
            owner = copies.get(row.barcode)
            if owner is not None and owner != book_ref:
                row.fatal = _l("the barcode %(barcode)s already belongs to another book",
                               barcode=row.barcode)
                result.verdict = Verdict.REJECTED
                continue
            if owner is not None:
                result.verdict = Verdict.EXISTING
                result.action = _l("this copy is already in the catalogue")
        result.book_ref = book_ref
        if row.status == NO_COPIES:
            if not isinstance(book_ref, str) or key in first_row_of:
                result.verdict = Verdict.EXISTING
                result.action = _l("the catalogue already has this book")
                continue
            result.action = _l("new book (no copies)")
        else:
            in_file[book_ref].append(result)
        if isinstance(book_ref, str):
            first = first_row_of.setdefault(key, row)
            if first is row:
                plan.new_books[key] = row
            elif row.isbn13 and (row.title or "").casefold() != (first.title or "").casefold():
                row.problems.append(_l("row %(row)s has the same ISBN with another title; "
                                       "the title of row %(row)s is kept", row=first.number))
    _plan_generated_copies(plan, in_file, _copy_counts(
        {ref for ref in in_file if isinstance(ref, int)}))
    for result in plan.results:
        if result.verdict in (Verdict.REJECTED, Verdict.EXISTING):
            continue
        row = result.row
        result.verdict = (Verdict.WARNING if row.problems else
                          Verdict.REPAIRED if row.repairs else Verdict.NEW)
    return plan


def _plan_generated_copies(plan: Plan, in_file: dict, existing_counts: dict[int, int]) -> None:
    """Rows without a barcode top the book's copies up to the rows the file has for it."""
    for book_ref, results in in_file.items():
        wanted = len(results)
        have = existing_counts.get(book_ref, 0) if isinstance(book_ref, int) else 0
        have += sum(1 for r in results if r.row.barcode and r.verdict is not Verdict.EXISTING)
        missing = max(0, wanted - have)
        new_book = isinstance(book_ref, str)
        for index, result in enumerate(results):
            if result.row.barcode:
                if result.verdict is not Verdict.EXISTING:
                    result.action = (_l("new book") if new_book and index == 0
                                     else _l("new copy"))
                continue
            if missing > 0:
                missing -= 1
                result.generate_barcode = True
                result.action = (_l("new book") if new_book and index == 0
                                 else _l("new copy (barcode made)"))
            else:
                result.verdict = Verdict.EXISTING
                result.action = _l("the catalogue already has this book with enough copies")


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _book_values(row: CheckedRow, *, source: str, by: Member | None, now: datetime) -> dict:
    values = dict(
        isbn13=row.isbn13, isbn10=row.isbn10, issn=row.issn, volume=row.volume,
        title=row.title, subtitle=row.subtitle,
        authors=row.authors, publisher=row.publisher, year=row.year, language=row.language,
        kdc=row.kdc, kdc_class=row.kdc[0] if row.kdc else None, metadata_source=source,
        needs_metadata=not row.authors, created_at=now, updated_at=now,
        created_by_id=by.id if by is not None else None,
    )
    return values


def _new_book_ids(now: datetime) -> dict[str, int]:
    """Return the ids of the books this import inserted (all stamped `now`), by book key.

    (Plain multi-row inserts without RETURNING are several times faster on SQLite.)
    """
    query = sa.select(Book.id, Book.isbn13, Book.title, Book.subtitle, Book.authors,
                      Book.year).where(Book.created_at == now)
    ids = {}
    for book_id, isbn13, title, subtitle, authors, year in db.session.execute(query):
        key = CheckedRow(number=0, isbn13=isbn13, title=title, subtitle=subtitle,
                         authors=authors, year=year).book_key()
        ids[f"new:{key}"] = book_id
    return ids


def _internal_serial(barcode: str) -> int | None:
    if len(barcode) == 13 and barcode.startswith(COPY_PREFIX) and is_valid_ean13(barcode):
        return int(barcode[3:12])
    return None


def _reserve_copy_serials(count: int, floor: int) -> int:
    """Reserve `count` copy serials above `floor`; return the first one."""
    first = next_serial(COPY_PREFIX)  # creates and locks the counter row
    first = max(first, floor + 1)
    db.session.execute(sa.update(BarcodeCounter).where(BarcodeCounter.prefix == COPY_PREFIX)
                       .values(last_serial=first + max(count, 1) - 1))
    return first


def run_import(rows: list[CheckedRow], *, source_kind: str, by: Member | None,
               now: datetime, filename: str = "",
               progress: Callable[[str], None] | None = None) -> ImportResult:
    """Plan and write an import in the current transaction (flushes; the caller commits).

    Someone adding one of its ISBNs or barcodes meanwhile refuses it (CatalogueChanged):
    the caller rolls back, and nothing is imported.
    """
    started = time.monotonic()
    say = progress or (lambda _text: None)
    plan = plan_import(rows, source_kind=source_kind)
    say(f"planned {len(plan.results)} rows")
    try:
        book_ids = _write_books(plan, source="marc" if source_kind == "marc" else "import",
                                by=by, now=now, say=say)
        copies = _write_copies(plan, book_ids, by=by, now=now, say=say)
    except IntegrityError:
        raise CatalogueChanged() from None
    audit.record("catalog.import", actor=by, now=now, file=filename[:200], kind=source_kind,
                 books=len(plan.new_books), copies=copies, **plan.counts())
    db.session.flush()
    return ImportResult(plan=plan, books_added=len(plan.new_books), copies_added=copies,
                        seconds=round(time.monotonic() - started, 2))


def _write_books(plan: Plan, *, source: str, by: Member | None, now: datetime,
                 say: Callable[[str], None]) -> dict[str, int]:
    """Insert the plan's new books (through the store, which indexes them); return their ids."""
    if not plan.new_books:
        return {}
    store.insert_many([_book_values(row, source=source, by=by, now=now)
                       for row in plan.new_books.values()],
                      progress=lambda done, total: say(f"wrote {done} of {total} books"))
    return _new_book_ids(now)


def _write_copies(plan: Plan, book_ids: dict[str, int], *, by: Member | None, now: datetime,
                  say: Callable[[str], None]) -> int:
    """Insert the plan's copies, making the barcodes rows lack; return how many."""
    to_add = plan.copies_to_add
    generated = [r for r in to_add if r.generate_barcode]
    floor = max((s for r in to_add if r.row.barcode
                 for s in [_internal_serial(r.row.barcode)] if s is not None), default=-1)
    serial = _reserve_copy_serials(len(generated), floor) if generated or floor >= 0 else 0
    site_id = default_site().id
    copy_values = []
    for result in to_add:
        if result.generate_barcode:
            barcode = internal_code(COPY_PREFIX, serial)
            serial += 1
        else:
            barcode = result.row.barcode
        ref = result.book_ref
        copy_values.append(dict(
            barcode=barcode, book_id=ref if isinstance(ref, int) else book_ids[ref],
            site_id=site_id, call_number=result.row.call_number, shelf=result.row.shelf,
            copy_number=result.row.copy_number, location=result.row.location,
            shelved_on=result.row.shelved_on,
            status=CopyStatus(result.row.status or CopyStatus.AVAILABLE),
            status_changed_at=now, created_at=now,
            created_by_id=by.id if by is not None else None,
        ))
        result.row.barcode = barcode
    for start in range(0, len(copy_values), CHUNK):
        db.session.execute(Copy.__table__.insert(), copy_values[start:start + CHUNK])
        say(f"wrote {min(start + CHUNK, len(copy_values))} of {len(copy_values)} copies")
    return len(copy_values)


