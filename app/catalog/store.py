"""The catalogue store: the only code that writes the book and search_gram tables.

A book's search text (Book.search_text) and its bigram rows (search_gram) are derived
from its title, authors, publisher and ISBNs. They are kept here, in the same
transaction as the write, by every way a book is written: one at a time (`add`,
`editing`, `delete`), many at once (`insert_many`, an import), or all again (`rebuild`,
`index_missing`). No other module issues an INSERT, UPDATE or DELETE on these tables:
a guard on every engine refuses such a statement outside `writing()` (so a new write
path that forgets the index fails its first test instead of leaving books unsearchable),
and tests/catalog/test_write_paths.py checks the derived data after every write path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app.catalog.index import forget_frequencies, gram_rows
from app.core.text import fold
from app.extensions import db
from app.models.catalog import SEARCH_FIELD_SEPARATOR, Book, SearchGram

GUARDED_TABLES = ("book", "search_gram")
_WRITE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+'
    r'"?(book|search_gram)"?(?:\s|\(|$)',
    re.IGNORECASE,
)
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "insert", "update", "delete")
_writing: ContextVar[bool] = ContextVar("catalog_store_writing", default=False)
# The Book objects the store is writing now (by id()): an ORM flush may write only those.
_claimed: ContextVar[frozenset[int]] = ContextVar("catalog_store_claimed", default=frozenset())
# Book rows per multi-row INSERT (SQLite allows 32,766 bound parameters a statement;
# a book has 20 columns, an index row 3).
CHUNK = 1000
# From this many index rows on, PostgreSQL writes them with COPY (an import, a reindex).
COPY_FROM = 5000


class UnguardedWrite(RuntimeError):
    """A statement wrote the book or search_gram table outside the catalogue store."""


@contextmanager
def writing() -> Iterator[None]:
    """Let the statements inside write the catalogue tables (the store, and migrations)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def _refuse_unguarded(_conn, _cursor, statement: str, _parameters, _context,
                      _executemany) -> None:
    if statement.lstrip()[:6] in _WRITE_VERBS and not _writing.get():
        found = _WRITE.match(statement)
        if found:
            raise UnguardedWrite(
                f"{found.group(1)} is written only through app.catalog.store "
                f"(the search index would go stale): {statement[:120]!r}")


@contextmanager
def _claiming(books: Iterable[Book]) -> Iterator[None]:
    token = _claimed.set(_claimed.get() | {id(book) for book in books})
    try:
        with writing():
            yield
    finally:
        _claimed.reset(token)


def _refuse_unclaimed_books(session: Session, _context, _instances) -> None:
    """Refuse a flush that writes a Book the store is not writing (its index would go stale),
    even inside another book's write."""
    claimed = _claimed.get()
    for book in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(book, Book) or id(book) in claimed:
            continue
        if book in session.dirty and not session.is_modified(book, include_collections=False):
            continue  # only its copies changed
        raise UnguardedWrite(f"book is written only through app.catalog.store (the search "
                             f"index would go stale): {book!r} changed outside it")


def install_guard() -> None:
    """Refuse, on every engine and session of the process, writes of the catalogue outside
    the store."""
    if not sa.event.contains(Engine, "before_cursor_execute", _refuse_unguarded):
        sa.event.listen(Engine, "before_cursor_execute", _refuse_unguarded)
    if not sa.event.contains(Session, "before_flush", _refuse_unclaimed_books):
        sa.event.listen(Session, "before_flush", _refuse_unclaimed_books)


# ---------------------------------------------------------------------------
# The derived text
# ---------------------------------------------------------------------------

_TEXT_FIELDS = ("title", "subtitle", "authors", "publisher", "isbn13", "isbn10")


def search_text(book: Book | Mapping) -> str:
    """Return the folded text catalogue search matches against: title, authors, rest."""
    if isinstance(book, Mapping):
        title, subtitle, authors, publisher, isbn13, isbn10 = (
            book.get(name) for name in _TEXT_FIELDS)
    else:
        title, subtitle, authors, publisher, isbn13, isbn10 = (
            getattr(book, name) for name in _TEXT_FIELDS)
    parts = (
        fold(" ".join(p for p in (title, subtitle) if p)),
        fold(authors),
        fold(" ".join(p for p in (publisher, isbn13, isbn10) if p)),
    )
    return f" {SEARCH_FIELD_SEPARATOR} ".join(parts)


def _write_grams(connection: Connection, books: Iterable[tuple[int, str]], *,
                 replace: bool) -> None:
    books = list(books)
    table = SearchGram.__table__
    if replace and books:
        ids = [book_id for book_id, _text in books]
        for start in range(0, len(ids), CHUNK):
            connection.execute(sa.delete(table).where(
                table.c.book_id.in_(ids[start:start + CHUNK])))
    rows = [row for book_id, text in books for row in gram_rows(book_id, text)]
    if connection.dialect.name == "postgresql" and len(rows) > COPY_FROM:
        _copy_grams(connection, rows)
        return
    for start in range(0, len(rows), CHUNK * 10):
        connection.execute(sa.insert(table), rows[start:start + CHUNK * 10])


def _copy_grams(connection: Connection, rows: list[dict]) -> None:
    """Write many index rows with PostgreSQL's COPY, in the same transaction: an insert
    sends one row per statement (an import of 10k books writes ~300k rows: 9 s), COPY
    streams them (under a second)."""
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy("COPY search_gram (gram, book_id, sig) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((row["gram"], row["book_id"], row["sig"]))


# ---------------------------------------------------------------------------
# One book at a time (the ORM)
# ---------------------------------------------------------------------------


def add(book: Book) -> Book:
    """Add a new book with its search index; flush (an ISBN clash raises here)."""
    add_all([book])
    return book


def add_all(books: list[Book]) -> list[Book]:
    """Add new books with their search index, in one flush."""
    with _claiming(books):
        for book in books:
            book.search_text = search_text(book)
        db.session.add_all(books)
        db.session.flush()
        _write_grams(db.session.connection(), [(b.id, b.search_text) for b in books],
                     replace=False)
    return books


@contextmanager
def editing(book: Book) -> Iterator[Book]:
    """Change a book inside the block; on leaving, flush it and bring its index up to date."""
    with _claiming([book]):
        yield book
        text = search_text(book)
        changed = text != book.search_text
        if changed:
            book.search_text = text
        db.session.flush()
        if changed:
            _write_grams(db.session.connection(), [(book.id, text)], replace=True)


def delete(book: Book) -> None:
    """Delete a book and its index rows (its copies, loans and holds must be gone)."""
    with _claiming([book]):
        db.session.execute(sa.delete(SearchGram.__table__).where(
            SearchGram.__table__.c.book_id == book.id))
        db.session.delete(book)
        db.session.flush()


# ---------------------------------------------------------------------------
# Many books at once (Core): imports
# ---------------------------------------------------------------------------


def insert_many(rows: list[dict],
                progress: Callable[[int, int], None] | None = None) -> int:
    """Insert new books (dicts of Book columns, without ids) and index them; return count.

    Plain multi-row inserts without RETURNING are several times faster on SQLite; the
    new ids are read back as those above the largest id before (this transaction holds
    the rows it inserted; another's uncommitted rows are not visible to it).
    """
    if not rows:
        return 0
    table = Book.__table__
    with writing():
        db.session.flush()
        connection = db.session.connection()
        before = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
        before = before.scalar_one()
        for row in rows:
            row["search_text"] = search_text(row)
        for start in range(0, len(rows), CHUNK):
            connection.execute(sa.insert(table), rows[start:start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(rows)), len(rows))
        created = connection.execute(
            sa.select(table.c.id, table.c.search_text).where(table.c.id > before)
            .order_by(table.c.id)).all()
        _write_grams(connection, created, replace=True)
    forget_frequencies()
    return len(rows)


# ---------------------------------------------------------------------------
# Every book again: the CLI's reindex, restores and the healing migration
# ---------------------------------------------------------------------------


def _reindex(connection: Connection, where, batch_size: int) -> int:
    table = Book.__table__
    count = 0
    last_id = 0
    columns = [table.c.id, table.c.search_text, *(table.c[name] for name in _TEXT_FIELDS)]
    while True:
        books = connection.execute(
            sa.select(*columns).where(table.c.id > last_id, where)
            .order_by(table.c.id).limit(batch_size)).mappings().all()
        if not books:
            break
        indexed = []
        for book in books:
            text = search_text(book)
            if text != book["search_text"]:
                # updated_at stays: the book itself did not change.
                connection.execute(sa.update(table).where(table.c.id == book["id"])
                                   .values(search_text=text, updated_at=table.c.updated_at))
            indexed.append((book["id"], text))
        _write_grams(connection, indexed, replace=True)
        count += len(books)
        last_id = books[-1]["id"]
    forget_frequencies()
    return count


def rebuild(batch_size: int = 1000) -> int:
    """Recompute every book's search text and bigrams; return the number of books."""
    with writing():
        db.session.flush()
        connection = db.session.connection()
        connection.execute(sa.delete(SearchGram.__table__))
        count = _reindex(connection, sa.true(), batch_size)
    db.session.expire_all()
    return count


def index_missing(connection: Connection | None = None, batch_size: int = 1000) -> int:
    """Index the books that have no index rows (written by code that skipped the index).

    A book whose text has no bigram (a one-letter title, say) has none either and is
    looked at again each time: cheap, and it changes nothing.
    """
    table = Book.__table__
    grams = SearchGram.__table__
    unindexed = ~sa.exists().where(grams.c.book_id == table.c.id)
    with writing():
        if connection is None:
            db.session.flush()
            connection = db.session.connection()
        return _reindex(connection, unindexed, batch_size)
