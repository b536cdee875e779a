"""The catalogue's search index: bigrams of each book's folded text (table search_gram).

Why bigrams we keep ourselves: most Korean words people type are two syllables (해리,
소년), below the 3-character floor of SQLite FTS5 trigram and of pg_trgm's index, and
SQLite 3.40's trigram table answers short LIKE patterns wrongly. A plain table of
(gram, book_id) with a B-tree primary key works the same on SQLite and PostgreSQL, so
both give the same results. A query word's bigrams pick the candidates through the
index; `LIKE` on Book.search_text then checks the word as a whole substring.
"""

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.extensions import db
from app.models.catalog import SEARCH_FIELD_SEPARATOR, Book, SearchGram, book_search_text

# ISBN digits are found by exact ISBN lookup, not by bigrams (a hundred digit bigrams
# would each point at every book).
_ISBN_WORD = re.compile(r"[0-9x]{10,13}")


def word_grams(word: str) -> set[str]:
    """Return the bigrams of one folded word (none for a single character)."""
    return {word[i : i + 2] for i in range(len(word) - 1)}


def text_grams(search_text: str) -> set[str]:
    """Return the bigrams to index for a book's search text (title, authors, publisher)."""
    grams: set[str] = set()
    for number, part in enumerate(search_text.split(SEARCH_FIELD_SEPARATOR)):
        for word in part.split():
            if number == 2 and _ISBN_WORD.fullmatch(word):
                continue
            grams |= word_grams(word)
    return grams


def write_grams(connection: Connection, book_id: int, search_text: str) -> None:
    """Replace one book's bigrams (called from the Book listeners inside a flush)."""
    table = SearchGram.__table__
    connection.execute(sa.delete(table).where(table.c.book_id == book_id))
    rows = [{"gram": g, "book_id": book_id} for g in sorted(text_grams(search_text))]
    if rows:
        connection.execute(sa.insert(table), rows)


def rebuild(batch_size: int = 1000) -> int:
    """Recompute every book's search text and bigrams; return the number of books."""
    table = SearchGram.__table__
    db.session.flush()
    connection = db.session.connection()
    connection.execute(sa.delete(table))
    count = 0
    last_id = 0
    while True:
        books = db.session.scalars(
            sa.select(Book).where(Book.id > last_id).order_by(Book.id).limit(batch_size)
        ).all()
        if not books:
            break
        rows = []
        for book in books:
            text = book_search_text(book)
            if book.search_text != text:
                connection.execute(
                    sa.update(Book.__table__).where(Book.__table__.c.id == book.id)
                    .values(search_text=text, updated_at=Book.__table__.c.updated_at)
                )
            rows.extend({"gram": g, "book_id": book.id} for g in sorted(text_grams(text)))
        if rows:
            connection.execute(sa.insert(table), rows)
        count += len(books)
        last_id = books[-1].id
        db.session.expire_all()
    return count
