"""Books as intake makes them: typed or found fields, a new book, edits, completing later.

Every write goes through app.catalog.store (which keeps the search index); services
flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import isbn as isbnmod
from app.catalog import callnumbers, store
from app.core import audit
from app.core.text import nfc
from app.errors import InvalidInput, IsbnTaken
from app.extensions import db, savepoint
from app.intake.lookup import book_by_isbn, lookup_metadata, read_isbn
from app.models import Book, Member

TITLE_MAX = 500
AUTHORS_MAX = 1000
PUBLISHER_MAX = 300


@dataclass
class BookFields:
    """What a person typed (or a client sent) about a book."""

    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: int | None = None
    language: str | None = None

    def cleaned(self) -> BookFields:
        """Return the fields normalised (NFC, trimmed), or raise InvalidInput."""
        title = nfc(self.title)
        subtitle = nfc(self.subtitle)
        authors = [a for a in (nfc(x) for x in self.authors or []) if a]
        publisher = nfc(self.publisher)
        language = nfc(self.language)
        if title and len(title) > TITLE_MAX or subtitle and len(subtitle) > TITLE_MAX:
            raise InvalidInput()
        if len("; ".join(authors)) > AUTHORS_MAX or publisher and len(publisher) > PUBLISHER_MAX:
            raise InvalidInput()
        if language and len(language) > 8:
            raise InvalidInput()
        year = self.year
        if year is not None and (isinstance(year, bool) or not 0 <= int(year) <= 2200):
            raise InvalidInput()
        return BookFields(title, subtitle, authors, publisher, year,
                          language.lower() if language else None)


def provisional_title(isbn13: str) -> str:
    """Return the stand-in title of a book saved with its ISBN only."""
    return f"ISBN {isbn13}"


def apply_addon(book: Book, code: str | None) -> None:
    """Store a Korean add-on and what it decodes to (the KDC class too, if unknown)."""
    if not code:
        return
    try:
        addon = isbnmod.decode_addon(code)
    except (TypeError, ValueError):
        return
    book.addon_code = addon.code
    book.addon_reader_group = addon.reader_group
    book.addon_form = addon.form
    book.addon_subject = addon.subject
    if not book.kdc:
        book.kdc_class = addon.kdc_class


def set_kdc(book: Book, kdc: str | None) -> None:
    """Set a book's KDC number and its main class (else the add-on's, else none)."""
    book.kdc = kdc or None
    if kdc and kdc[0].isdigit():
        book.kdc_class = kdc[0]
    elif book.addon_code:
        book.kdc_class = book.addon_code[2]
    else:
        book.kdc_class = None


def new_book(scan: isbnmod.Scan | None, *, fields: BookFields, source: str | None,
             needs_metadata: bool, kdc: str | None = None, addon_code: str | None = None,
             by: Member, now: datetime) -> Book:
    """Catalogue a new book (raise IsbnTaken if its ISBN was catalogued a moment ago)."""
    if not fields.title:
        raise InvalidInput()
    book = Book(
        isbn13=scan.isbn13 if scan else None,
        isbn10=scan.isbn10 if scan else None,
        title=fields.title,
        subtitle=fields.subtitle,
        publisher=fields.publisher,
        year=fields.year,
        language=fields.language,
        metadata_source=source,
        needs_metadata=needs_metadata,
        created_at=now,
        updated_at=now,
        created_by_id=by.id,
    )
    book.author_list = fields.authors
    set_kdc(book, kdc)
    addon = scan.addon.code if scan is not None and scan.addon else addon_code
    apply_addon(book, addon)
    try:  # someone may have catalogued the same ISBN a moment ago
        with savepoint():
            store.add(book)
    except IntegrityError:
        raise IsbnTaken() from None
    audit.record("book.create", actor=by, entity="book", entity_id=book.id, now=now,
                 isbn13=book.isbn13, source=source, needs_metadata=needs_metadata)
    return book


def fields_from_metadata(metadata: isbnmod.Metadata) -> BookFields:
    """Return a provider's metadata as book fields, cut to what our columns hold."""
    year = metadata.year if metadata.year is not None and 0 <= metadata.year <= 2200 else None
    return BookFields(
        title=(metadata.title or "")[:TITLE_MAX] or None,
        subtitle=(metadata.subtitle or "")[:TITLE_MAX] or None,
        authors=list(metadata.authors or []),
        publisher=(metadata.publisher or "")[:PUBLISHER_MAX] or None,
        year=year,
        language=(metadata.language or "")[:8] or None,
    ).cleaned()


def _flush_or_clash() -> None:
    """Flush in a savepoint; raise IsbnTaken on a unique clash (an ISBN catalogued a moment
    ago by someone else)."""
    try:
        with savepoint():
            db.session.flush()
    except IntegrityError:
        raise IsbnTaken() from None


# ---------------------------------------------------------------------------
# Completing and editing books
# ---------------------------------------------------------------------------

EDITABLE = ("isbn13", "title", "subtitle", "authors", "publisher", "year", "language", "kdc",
            "addon_code", "description")


def edit_book(book: Book, values: dict, *, by: Member, now: datetime) -> dict:
    """Change a book's metadata; record every change in the audit trail; return the changes.

    Its copies' call numbers follow a changed class, author or title (those the data gave).
    """
    before = callnumbers.generated(book)
    with store.editing(book):
        changes = _edit_book(book, values, by=by, now=now)
    if changes.keys() & CALL_NUMBER_FIELDS:
        callnumbers.follow_edit(book, before)
        db.session.flush()
    return changes


CALL_NUMBER_FIELDS = {"kdc", "kdc_class", "authors", "title", "publisher", "volume",
                      "addon_code", "subtitle"}


def _edit_book(book: Book, values: dict, *, by: Member, now: datetime) -> dict:
    before = {name: getattr(book, name) for name in EDITABLE}
    before["needs_metadata"] = book.needs_metadata
    if "isbn13" in values:
        raw = values["isbn13"]
        if raw:
            scan = read_isbn(raw)
            other = book_by_isbn(scan.isbn13)
            if other is not None and other.id != book.id:
                raise IsbnTaken()
            book.isbn13, book.isbn10 = scan.isbn13, scan.isbn10
            if scan.addon is not None:
                values.setdefault("addon_code", scan.addon.code)
        else:
            book.isbn13 = book.isbn10 = None
    fields = BookFields(
        title=values.get("title", book.title), subtitle=values.get("subtitle", book.subtitle),
        authors=values["authors"] if "authors" in values else book.author_list,
        publisher=values.get("publisher", book.publisher), year=values.get("year", book.year),
        language=values.get("language", book.language),
    ).cleaned()
    if not fields.title:
        raise InvalidInput()
    book.title, book.subtitle, book.publisher = fields.title, fields.subtitle, fields.publisher
    book.author_list = fields.authors
    book.year, book.language = fields.year, fields.language
    if "description" in values:
        book.description = (values["description"] or "").strip() or None
    if "addon_code" in values:
        code = (values["addon_code"] or "").strip()
        if code:
            try:
                isbnmod.decode_addon(code)
            except ValueError:
                raise InvalidInput() from None
            apply_addon(book, code)
        else:
            book.addon_code = book.addon_reader_group = book.addon_form = None
            book.addon_subject = None
    if "kdc" in values:
        kdc = (values["kdc"] or "").strip()[:20] or None
        set_kdc(book, kdc)
    elif book.addon_code and not book.kdc:
        book.kdc_class = book.addon_code[2]
    if book.needs_metadata and book.title != provisional_title(book.isbn13 or ""):
        book.needs_metadata = False
    after = {name: getattr(book, name) for name in EDITABLE}
    after["needs_metadata"] = book.needs_metadata
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        book.updated_at = now
        _flush_or_clash()
        audit.record("book.update", actor=by, entity="book", entity_id=book.id, now=now,
                     changes=changes)
    return changes


def incomplete_books_query() -> sa.Select:
    """Return the books saved with too little metadata, oldest first."""
    return sa.select(Book).where(Book.needs_metadata.is_(True)).order_by(Book.created_at, Book.id)


def complete_from_metadata(book: Book, metadata: isbnmod.Metadata, *, by: Member | None,
                           now: datetime) -> dict:
    """Fill a flagged book's empty fields from provider metadata and clear its flag."""
    with store.editing(book):
        return _complete_from_metadata(book, metadata, by=by, now=now)


def _complete_from_metadata(book: Book, metadata: isbnmod.Metadata, *, by: Member | None,
                            now: datetime) -> dict:
    fields = fields_from_metadata(metadata)
    changes: dict = {}

    def put(name: str, value) -> None:
        old = getattr(book, name)
        if value not in (None, "", []) and old in (None, ""):
            setattr(book, name, value)
            changes[name] = [old, value]

    if book.isbn13 and book.title == provisional_title(book.isbn13) and fields.title:
        changes["title"] = [book.title, fields.title]
        book.title = fields.title
    put("subtitle", fields.subtitle)
    if not book.authors and fields.authors:
        book.author_list = fields.authors
        changes["authors"] = [None, book.authors]
    put("publisher", fields.publisher)
    put("year", fields.year)
    put("language", fields.language)
    if metadata.kdc and not book.kdc:
        set_kdc(book, metadata.kdc)
        changes["kdc"] = [None, book.kdc]
    if metadata.addon_code and not book.addon_code:
        apply_addon(book, metadata.addon_code)
        changes["addon_code"] = [None, book.addon_code]
    book.needs_metadata = False
    book.metadata_source = metadata.source
    book.updated_at = now
    changes["needs_metadata"] = [True, False]
    audit.record("book.refresh_metadata", actor=by, entity="book", entity_id=book.id, now=now,
                 source=metadata.source, changes=changes)
    return changes


def refresh_metadata(book: Book, *, by: Member | None, now: datetime) -> bool:
    """Ask the providers again for a flagged book (skipping the cache); tell if completed."""
    if not book.isbn13 or not book.needs_metadata:
        return False
    metadata, _source = lookup_metadata(book.isbn13, now=now, refresh=True)
    if metadata is None:
        return False
    complete_from_metadata(book, metadata, by=by, now=now)
    db.session.flush()
    return True
