"""Import a collection: read a file, check every row, plan against the catalogue, write.

A use case is `plan_import` (what would happen to each row; nothing written) and
`run_import` (the same plan, then bulk inserts, flushed in the caller's transaction:
the caller commits once, or rolls back for a dry run). Re-importing a file adds
nothing: books match on ISBN-13 (or, without one, on title/subtitle/authors/year),
copies on their barcode, and rows without a barcode only top a book's copies up to the
number of rows the file has for it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog import store
from app.core import audit
from app.core.numbering import COPY_PREFIX, next_serial
from app.errors import ImportExpired, MappingInvalid, UnreadableFile, WrongFileType
from app.extensions import db
from app.imports import marc
from app.imports.rows import (
    FIELD_NAMES,
    NO_COPIES,
    CheckedRow,
    check_row,
    guess_mapping,
)
from app.imports.tabular import Table, check_workbook_size, read_table
from app.isbn import is_valid_ean13
from app.models import BarcodeCounter, Book, Copy, CopyStatus, Member

CHUNK = 1000
UPLOAD_MAX_AGE = 24 * 3600


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
class Source:
    """An uploaded file, read: a table (CSV/xlsx) or MARC records."""

    kind: str
    table: Table | None = None
    items: list[marc.MarcItem] | None = None

    @property
    def headers(self) -> list[str]:
        """Return the table's headers (none for MARC)."""
        return self.table.headers if self.table else []


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
# Reading
# ---------------------------------------------------------------------------


# Files people upload by mistake, told apart by their first bytes (not by their name).
_OTHER_FORMATS = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\xd0\xcf\x11\xe0",  # images, PDF, .xls
    b"MZ", b"\x7fELF", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"Rar!", b"{\\rtf",
)


def file_kind(path: Path) -> str:
    """Return what an uploaded file is by its content ('marc', 'xlsx', 'csv'), or refuse it."""
    import zipfile

    path = Path(path)
    if marc.looks_like_marc(path):
        return "marc"
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    check_workbook_size(archive)  # a zip bomb is refused at the upload
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise WrongFileType()  # a .docx, .zip, .odt, ...
    if head.startswith(_OTHER_FORMATS):
        raise WrongFileType()
    # Text has no NUL bytes, except UTF-16 (which starts with its byte order mark).
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WrongFileType()
    return "csv"


def load_source(path: Path) -> Source:
    """Read an uploaded file: MARC (binary or XML), .xlsx or CSV (checked by content)."""
    path = Path(path)
    file_kind(path)
    if marc.looks_like_marc(path):
        items = list(marc.read_marc(path))
        if not items:
            raise UnreadableFile()
        return Source(kind="marc", items=items)
    table = read_table(path)
    return Source(kind=table.kind, table=table)


def check_rows(source: Source, mapping: dict[str, int] | None = None) -> list[CheckedRow]:
    """Check every row (or MARC record) of a source with a column mapping."""
    if source.kind == "marc":
        return _marc_rows(source.items or [])
    table = source.table
    mapping = guess_mapping(table.headers) if mapping is None else mapping
    if "title" not in mapping:
        raise MappingInvalid()
    rows = []
    for line, cells in zip(table.line_numbers, table.rows, strict=True):
        values = {name: cells[index] if index < len(cells) else ""
                  for name, index in mapping.items()}
        rows.append(check_row(line, values))
    return rows


def _marc_rows(items: list[marc.MarcItem]) -> list[CheckedRow]:
    rows = []
    for item in items:
        if item.error:
            rows.append(CheckedRow(number=item.number, fatal=_l(
                "the record could not be read (%(error)s)", error=item.error)))
            continue
        copies = item.copies or [("", "")]
        for index, (barcode, call_number) in enumerate(copies, start=1):
            number = item.number if len(copies) == 1 else f"{item.number}.{index}"
            values = dict(item.values, barcode=barcode, call_number=call_number)
            row = check_row(number, values, isbn_cells=item.isbn_cells)
            for warning in item.warnings:
                row.problems.append(_l("the record has a fault: %(warning)s",
                                       warning=warning))
            rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


def _chunks(values: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_books(rows: list[CheckedRow]) -> dict[str, int]:
    isbns = sorted({r.isbn13 for r in rows if r.isbn13 and r.fatal is None})
    found: dict[str, int] = {}
    for chunk in _chunks(isbns):
        for book_id, isbn in db.session.execute(
                sa.select(Book.id, Book.isbn13).where(Book.isbn13.in_(chunk))):
            found[isbn] = book_id
    if any(not r.isbn13 and r.fatal is None for r in rows):
        query = sa.select(Book.id, Book.title, Book.subtitle, Book.authors, Book.year).where(
            Book.isbn13.is_(None)).order_by(Book.id)
        for book_id, title, subtitle, authors, year in db.session.execute(query):
            key = CheckedRow(number=0, title=title, subtitle=subtitle, authors=authors,
                             year=year).book_key()
            found.setdefault(key, book_id)
    return found


def _existing_copies(rows: list[CheckedRow]) -> dict[str, int]:
    barcodes = sorted({r.barcode for r in rows if r.barcode and r.fatal is None})
    found: dict[str, int] = {}
    for chunk in _chunks(barcodes):
        for barcode, book_id in db.session.execute(
                sa.select(Copy.barcode, Copy.book_id).where(Copy.barcode.in_(chunk))):
            found[barcode] = book_id
    return found


def _copy_counts(book_ids: set[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for chunk in _chunks(sorted(book_ids)):
        query = (sa.select(Copy.book_id, sa.func.count(Copy.id))
                 .where(Copy.book_id.in_(chunk)).group_by(Copy.book_id))
        counts.update(dict(db.session.execute(query).all()))
    return counts


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
    """Plan and write an import in the current transaction (flushes; the caller commits)."""
    from app.barcodes import internal_code
    from app.core.defaults import default_site

    started = time.monotonic()
    say = progress or (lambda _text: None)
    plan = plan_import(rows, source_kind=source_kind)
    say(f"planned {len(plan.results)} rows")
    source = "marc" if source_kind == "marc" else "import"
    keys = list(plan.new_books)
    store.insert_many([_book_values(plan.new_books[k], source=source, by=by, now=now)
                       for k in keys],
                      progress=lambda done, total: say(f"wrote {done} of {total} books"))
    book_ids = _new_book_ids(now) if keys else {}
    to_add = [r for r in plan.copies_to_add]
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
    counts = plan.counts()
    audit.record("catalog.import", actor=by, now=now, file=filename[:200], kind=source_kind,
                 books=len(keys), copies=len(copy_values), **counts)
    db.session.flush()
    return ImportResult(plan=plan, books_added=len(keys), copies_added=len(copy_values),
                        seconds=round(time.monotonic() - started, 2))


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------

REPORT_HEADERS = ("row", "verdict", "title", "isbn13", "barcode", "action", "messages")


def report_rows(plan: Plan) -> list[list[str]]:
    """Return the report as rows of text (one per imported row)."""
    out = []
    for result in plan.results:
        row = result.row
        out.append([
            str(row.number), result.verdict.value, row.title or "", row.isbn13 or "",
            row.barcode or "", str(result.action or ""),
            " | ".join(str(m) for m in result.messages),
        ])
    return out


def report_csv(plan: Plan) -> bytes:
    """Return the report as CSV (UTF-8 with BOM, formula-looking cells escaped)."""
    from app.core.csvutil import csv_bytes

    return csv_bytes(REPORT_HEADERS, report_rows(plan))


# ---------------------------------------------------------------------------
# Uploads kept between the preview and the import (a temp file, never the session)
# ---------------------------------------------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Upload:
    """A stored upload: its file, original name, column mapping and last report."""

    token: str
    directory: Path
    filename: str
    mapping: dict[str, int] | None = None
    uploaded_by: int | None = None

    @property
    def path(self) -> Path:
        """Return the stored file."""
        return self.directory / "upload"

    @property
    def report_path(self) -> Path:
        """Return where the last report is kept."""
        return self.directory / "report.csv"

    def save(self) -> None:
        """Write the upload's settings beside the file."""
        meta = {"filename": self.filename, "mapping": self.mapping,
                "uploaded_by": self.uploaded_by}
        (self.directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def store_upload(root: Path, stream, filename: str, *, by: Member | None) -> Upload:
    """Keep an uploaded file in a private temp directory; return its handle."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    _forget_old_uploads(root)
    token = secrets.token_urlsafe(24)
    directory = root / token
    directory.mkdir(mode=0o700)
    with open(directory / "upload", "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    upload = Upload(token=token, directory=directory, filename=Path(filename or "").name[:200],
                    uploaded_by=by.id if by is not None else None)
    upload.save()
    return upload


def open_upload(root: Path, token: str) -> Upload:
    """Return a stored upload; raise ImportExpired when it is gone or the token is bad."""
    if not _TOKEN.match(token or ""):
        raise ImportExpired()
    directory = root / token
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ImportExpired() from None
    mapping = meta.get("mapping")
    return Upload(token=token, directory=directory, filename=meta.get("filename") or "",
                  mapping={k: int(v) for k, v in mapping.items()} if mapping else None,
                  uploaded_by=meta.get("uploaded_by"))


def discard_upload(upload: Upload) -> None:
    """Delete a stored upload."""
    shutil.rmtree(upload.directory, ignore_errors=True)


def _forget_old_uploads(root: Path) -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for directory in root.iterdir():
        try:
            if directory.is_dir() and directory.stat().st_mtime < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
        except OSError:
            continue


def parse_mapping(headers: list[str], form: dict[str, str]) -> dict[str, int]:
    """Read a mapping from form fields map_<field> = column index ('' = none)."""
    mapping = {}
    for name in FIELD_NAMES:
        value = (form.get(f"map_{name}") or "").strip()
        if value.isdigit() and int(value) < len(headers):
            mapping[name] = int(value)
    return mapping


def parse_mapping_option(headers: list[str], options: Iterable[str]) -> dict[str, int]:
    """Read CLI mapping options 'field=Header' (or 'field=3', a 1-based column) over a guess."""
    mapping = guess_mapping(headers)
    for option in options:
        name, _sep, column = option.partition("=")
        name = name.strip()
        if name not in FIELD_NAMES:
            raise MappingInvalid(_l("Unknown field %(name)s.", name=name))
        column = column.strip()
        if not column:
            mapping.pop(name, None)
        elif column in headers:
            mapping[name] = headers.index(column)
        elif column.isdigit() and 1 <= int(column) <= len(headers):
            mapping[name] = int(column) - 1
        else:
            raise MappingInvalid(_l("No column %(column)s in the file.", column=column))
    return mapping


def summary_text(counts: dict[str, int]) -> str:
    """Return the counts as one line of text."""
    return ", ".join(f"{k}={v}" for k, v in counts.items())


def report_to_text(plan: Plan) -> str:
    """Return the report as CSV text (for the CLI)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADERS)
    writer.writerows(report_rows(plan))
    return buffer.getvalue()
