"""What an ISBN is: the scan read, then our catalogue, the metadata cache, the providers.

The lookup chain for an ISBN is: our catalogue, then the metadata cache, then the
configured providers (through app.isbn, within a time budget). The cache is written
here (flushed, never committed: the caller commits).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import isbn as isbnmod
from app.core.memo import request_memo
from app.errors import BadCheckDigit, InvalidISBN, NotABookBarcode
from app.extensions import db
from app.models import Book, MetadataCache

# How long the metadata cache keeps an answer, a "nobody knows it" and a failed try.
CACHE_FOUND_FOR = timedelta(days=30)
CACHE_MISS_FOR = timedelta(days=1)
CACHE_ERROR_FOR = timedelta(hours=1)

SOURCE_CATALOG = "catalog"
SOURCE_CACHE = "cache"
SOURCE_MANUAL = "manual"


def scan_error(scan: isbnmod.Scan) -> InvalidISBN:
    """Return the DomainError that tells the volunteer what a non-ISBN scan was."""
    if scan.kind is isbnmod.ScanKind.BAD_CHECK_DIGIT:
        return BadCheckDigit(scan.message)
    if scan.kind in (isbnmod.ScanKind.OTHER_EAN, isbnmod.ScanKind.COPY,
                     isbnmod.ScanKind.MEMBER):
        return NotABookBarcode(scan.message)
    return InvalidISBN(scan.message or InvalidISBN.default_message)


def read_isbn(raw: str) -> isbnmod.Scan:
    """Parse a scan and return it when it is a book ISBN; raise a clear InvalidISBN if not."""
    if not isinstance(raw, str) or len(raw) > 64:
        raise InvalidISBN()
    scan = isbnmod.parse_scan(raw)
    if not scan.is_book:
        raise scan_error(scan)
    return scan


# The statements of a scan are built once and run with their parameters: building them
# (and their cache keys) anew costs more than the queries themselves.
@functools.cache
def _book_by_isbn_query() -> sa.Select:
    return sa.select(Book).where(Book.isbn13 == sa.bindparam("isbn13"))


def book_by_isbn(isbn13: str) -> Book | None:
    """Return our book with this ISBN-13, if any.

    A request that found it once (the triage, then the intake) is given the same object
    again, unless it left the session, was deleted or its ISBN changed meanwhile.
    """
    memo = request_memo("books_by_isbn")
    book = memo.get(isbn13) if memo is not None else None
    if (book is not None and book in db.session and book not in db.session.deleted
            and sa.inspect(book).persistent and book.isbn13 == isbn13):
        return book
    book = db.session.scalar(_book_by_isbn_query(), {"isbn13": isbn13})
    if book is not None and memo is not None:
        memo[isbn13] = book  # held here: the session keeps only weak references
    return book


# ---------------------------------------------------------------------------
# Metadata: cache and providers
# ---------------------------------------------------------------------------


def _metadata_payload(metadata: isbnmod.Metadata) -> dict:
    payload = dataclasses.asdict(metadata)
    payload["contributors"] = [list(pair) for pair in metadata.contributors]
    return payload


def _metadata_from_payload(payload: object) -> isbnmod.Metadata | None:
    if not isinstance(payload, dict):
        return None
    names = {f.name for f in dataclasses.fields(isbnmod.Metadata)}
    values = {k: v for k, v in payload.items() if k in names}
    try:
        values["contributors"] = [tuple(pair) for pair in values.get("contributors") or []]
        metadata = isbnmod.Metadata(**values)
    except (TypeError, ValueError):
        return None
    return metadata if metadata.title else None


def book_metadata(book: Book) -> isbnmod.Metadata:
    """Return our book's record in the shape providers answer with."""
    return isbnmod.Metadata(
        isbn13=book.isbn13 or "",
        title=book.title,
        subtitle=book.subtitle,
        authors=book.author_list,
        publisher=book.publisher,
        year=book.year,
        language=book.language,
        kdc=book.kdc,
        addon_code=book.addon_code,
        source=SOURCE_CATALOG,
    )


@dataclass(frozen=True)
class ProviderOptions:
    """Which providers to ask, and how long to wait."""

    services: tuple[str, ...]
    timeout: float
    budget: float
    nlk_key: str | None = None


def provider_options() -> ProviderOptions:
    """Return the provider settings of the current app (METADATA_*, NLK_API_KEY)."""
    config = current_app.config
    return ProviderOptions(
        services=tuple(config.get("METADATA_SERVICES") or ()),
        timeout=float(config.get("METADATA_TIMEOUT", 2.5)),
        budget=float(config.get("METADATA_BUDGET", 4)),
        nlk_key=config.get("NLK_API_KEY") or None,
    )


def _store_cache(isbn13: str, *, found: bool, source: str | None, payload: dict | None,
                 now: datetime, ttl: timedelta) -> None:
    values = dict(found=found, source=source, payload=payload, fetched_at=now,
                  expires_at=now + ttl)
    # An upsert: two workers caching the same ISBN at once is not an error.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(MetadataCache.__table__).values(isbn13=isbn13, **values)
        .on_conflict_do_update(index_elements=["isbn13"], set_=values)
    )
    entry = db.session.get(MetadataCache, isbn13)
    if entry is not None:
        db.session.refresh(entry)



def lookup_metadata(
    isbn13: str, *, now: datetime, refresh: bool = False
) -> tuple[isbnmod.Metadata | None, str | None]:
    """Return (metadata, source) from the cache or the providers; (None, None) if unknown."""
    entry = db.session.get(MetadataCache, isbn13)
    if entry is not None and not refresh and entry.expires_at > now:
        if not entry.found:
            return None, None
        metadata = _metadata_from_payload(entry.payload)
        if metadata is not None:
            return metadata, SOURCE_CACHE
    options = provider_options()
    if not options.services:
        return None, None
    # Idempotent; done here so a changed config (tests, instance/config.py) is honoured.
    isbnmod.configure_providers(options.nlk_key, options.timeout)
    result = isbnmod.lookup(isbn13, services=options.services, timeout=options.timeout,
                            budget=options.budget)
    if result.metadata is not None:
        _store_cache(isbn13, found=True, source=result.source,
                     payload=_metadata_payload(result.metadata), now=now, ttl=CACHE_FOUND_FOR)
        return result.metadata, result.source
    asked = [a for a in result.attempts
             if a.outcome is not isbnmod.Outcome.SKIPPED_UNCONFIGURED]
    if asked:
        all_said_no = all(a.outcome is isbnmod.Outcome.NOT_FOUND for a in asked)
        _store_cache(isbn13, found=False, source=None, payload=None, now=now,
                     ttl=CACHE_MISS_FOR if all_said_no else CACHE_ERROR_FOR)
    return None, None


@dataclass
class IsbnAnswer:
    """What the lookup chain knows about a scanned ISBN."""

    scan: isbnmod.Scan
    book: Book | None
    metadata: isbnmod.Metadata | None
    source: str | None


def find_isbn(raw: str, *, now: datetime) -> IsbnAnswer:
    """Read a scan and run the lookup chain: catalogue, cache, providers."""
    scan = read_isbn(raw)
    book = book_by_isbn(scan.isbn13)
    if book is not None:
        return IsbnAnswer(scan, book, book_metadata(book), SOURCE_CATALOG)
    metadata, source = lookup_metadata(scan.isbn13, now=now)
    return IsbnAnswer(scan, None, metadata, source)


