"""The shelf list (배가 목록): the collection's copies in shelf order, and books ordered by
their call numbers (the catalogue's "sort by call number").

The order is app.callnumbers' collation, which SQL cannot do: the rows are read and sorted
here. A café's collection (thousands of copies) sorts in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from app.callnumbers import placed_call_number, shelf_key, shelf_of
from app.extensions import db
from app.models import Book, Copy, CopyStatus
from app.stocktake.scope import Scope


@dataclass(frozen=True)
class ShelfRow:
    """One copy on the shelf list."""

    copy: Copy
    book: Book
    placed: str
    shelf: str | None


def shelf_list(*, shelf: str | None = None, class_from: str | None = None,
               class_to: str | None = None) -> list[ShelfRow]:
    """Return the copies in the collection with a call number, in shelf order.

    ``shelf`` keeps one 별치기호 shelf; ``class_from`` and ``class_to`` a range of call
    numbers (to 899 takes 899.9 too), as a stocktake's scope does.
    """
    scope = Scope(shelf=shelf or None, call_from=class_from or None, call_to=class_to or None)
    query = (sa.select(Copy, Book).join(Book, Book.id == Copy.book_id)
             .where(Copy.call_number.is_not(None), Copy.call_number != "",
                    Copy.status != CopyStatus.WITHDRAWN))
    rows = []
    for copy, book in db.session.execute(query):
        if not scope.contains(site_id=None, shelf=copy.shelf, call_number=copy.call_number):
            continue
        rows.append(ShelfRow(copy, book, placed_call_number(copy.shelf, copy.call_number),
                             shelf_of(copy.shelf, copy.call_number)))
    rows.sort(key=lambda r: (shelf_key(r.copy.shelf, r.copy.call_number), r.copy.id))
    return rows


def shelves() -> list[str]:
    """Return the 별치기호 shelves the collection uses, in shelf order."""
    found = {shelf_of(s, c) for s, c in db.session.execute(
        sa.select(Copy.shelf, Copy.call_number).distinct()
        .where(Copy.status != CopyStatus.WITHDRAWN))}
    return sorted((s for s in found if s), key=lambda s: shelf_key(s, "0") or ())


def books_in_shelf_order(book_ids: Iterable[int]) -> list[int]:
    """Return book ids ordered by their first copy's call number (those without one last)."""
    ids = list(book_ids)
    first: dict[int, tuple] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for book_id, shelf, call_number in db.session.execute(
                sa.select(Copy.book_id, Copy.shelf, Copy.call_number)
                .where(Copy.book_id.in_(chunk), Copy.call_number.is_not(None),
                       Copy.status != CopyStatus.WITHDRAWN)):
            key = shelf_key(shelf, call_number)
            if key is not None and (book_id not in first or key < first[book_id]):
                first[book_id] = key
    return sorted(ids, key=lambda i: (i not in first, first.get(i, ()), i))


def csv_rows(rows: list[ShelfRow], status_label) -> Iterable[tuple]:
    """Return the shelf list's CSV rows."""
    for row in rows:
        yield (row.placed, row.shelf, row.copy.barcode, row.book.title, row.book.authors,
               row.book.publisher, row.book.year, row.copy.location,
               status_label(row.copy.status))
