"""Catalogue search, book details and the lists the home page and the city's site show."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.callnumbers import placed_call_number
from app.catalog.index import gram_frequencies, signature, word_grams
from app.catalog.statements import Shape, cached_statements, matches_of
from app.core.params import MAX_PAGE
from app.core.text import escape_like, fold, nfc
from app.core.validation import Messages, QueryFlag, QueryInt, parse_args
from app.errors import BookNotFound, InvalidInput
from app.extensions import db
from app.isbn import Addon, ScanKind, decode_addon, parse_scan
from app.models import (
    MAX_ID,
    Book,
    Copy,
    CopyStatus,
    Donation,
    Loan,
    Member,
    Site,
)
from app.models.catalog import SEARCH_FIELD_SEPARATOR

# A book catalogued within this many days is a "new arrival".
NEW_ARRIVAL_DAYS = 30
# "Most borrowed" counts loans started within this many days.
POPULAR_DAYS = 90
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
_LANGUAGE = "^[a-z]{2,3}$"


def _search_text(value):
    """The search as typed, in NFC with its spaces collapsed."""
    return (nfc(value) or "") if isinstance(value, str) else value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise InvalidInput(_l("The search contains characters that are not allowed."))
    return value


def _code(value):
    """A code parameter: trimmed, lower case; empty is none."""
    return (value.strip().lower() or None) if isinstance(value, str) else value


class SearchQuery(BaseModel):
    """What a catalogue search asks for: text, filters and the page (the page's and the
    API's query string)."""

    model_config = ConfigDict(frozen=True)

    q: Annotated[
        str, Field(max_length=MAX_QUERY_LENGTH), BeforeValidator(_search_text),
        AfterValidator(_no_nul),
        Messages(string_too_long=_l("The search is too long (at most %(max)d characters).")),
    ] = Field("", description=(
        "Words to find in title, subtitle, authors and publisher (each word a substring, "
        "case- and accent-insensitive; two Korean syllables are enough), or an ISBN in any "
        "form (10 or 13 digits, hyphens, an 18-digit scan with its add-on)."))
    available: QueryFlag = Field(False, description="Only books with a copy available now.")
    language: Annotated[
        Annotated[str, Field(pattern=_LANGUAGE)] | None, BeforeValidator(_code),
        Messages(_l("The parameter 'language' must be a language code such as ko.")),
    ] = Field(None, description="Only books in this language (ISO 639 code, e.g. ko, en).")
    subject: Annotated[
        Annotated[str, Field(pattern="^[0-9]$")] | None, BeforeValidator(_code),
        Messages(_l("The parameter 'subject' must be one digit (a KDC main class).")),
    ] = Field(None, description="Only books of this KDC main class (0-9).")
    new: QueryFlag = Field(False, description="Only books catalogued in the last 30 days.")
    sort: Annotated[
        Literal["relevance", "call_number"] | None, BeforeValidator(_code),
        Messages(_l("The parameter 'sort' must be relevance or call_number.")),
    ] = Field(None, description="call_number: in shelf order (by the first copy's call "
                                "number); otherwise by relevance (or newest for new arrivals).")
    page: QueryInt(1, MAX_PAGE) = Field(1, description="Page number.")
    per_page: QueryInt(1, MAX_PER_PAGE) = Field(
        DEFAULT_PER_PAGE, description=f"Results per page (default {DEFAULT_PER_PAGE}).")

    @property
    def has_filters(self) -> bool:
        """Tell whether any filter is set."""
        return bool(self.available or self.language or self.subject or self.new)


@dataclass
class BookHit:
    """One book in a result list, with how many copies it has and how many are in."""

    book: Book
    copies: int = 0
    available: int = 0


@dataclass
class SearchPage:
    """One page of search results."""

    query: SearchQuery
    items: list[BookHit] = field(default_factory=list)
    total: int = 0
    # True when a text search matched more books than it ranks, or browsing found more
    # than it counts: `total` is then the limit (MATCH_LIMIT, BROWSE_COUNT_LIMIT), and
    # "more than" that many books were found.
    capped: bool = False

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.query.per_page))

    @property
    def has_next(self) -> bool:
        """Tell whether a next page exists."""
        return self.query.page < self.pages


def parse_search_args(args) -> SearchQuery:
    """Read and validate the search parameters of a request (raise InvalidInput)."""
    return parse_args(SearchQuery, args)


# A text search ranks at most this many matching books (the first ones catalogued) and
# counts no further: a common two-syllable word matches a large part of a big catalogue,
# and counting and sorting every match would cost a second or more. The page then says
# "more than 1000 books"; a longer or second word narrows the search.
MATCH_LIMIT = 1000
# Browsing (no text, perhaps filters) counts at most this many books, or the page's
# books when it lies further: counting a whole large catalogue costs a read of every
# book (about a second at 1M); the page then says "more than 10000 books".
BROWSE_COUNT_LIMIT = 10_000


def _driving_gram(words: list[str]) -> tuple[str | None, int]:
    """Return the bigram that drives a text search (the rarest) and the query's signature.

    The search reads only the rarest bigram's index entries; the signature's bits of all
    the query's bigrams then sort out, from those entries alone, the books that lack one.
    """
    grams = set().union(*(word_grams(w) for w in words))
    if not grams:
        return None, 0
    frequency = gram_frequencies(grams)
    return min(grams, key=lambda g: (frequency[g], g)), signature(grams)


def _text_params(words: list[str]) -> tuple[bool, dict]:
    """Return (whether a bigram drives the search, parameters) for folded query words."""
    params: dict = {"match_limit": MATCH_LIMIT + 1, "rank_limit": MATCH_LIMIT}
    gram, sig = _driving_gram(words)
    if gram is not None:
        params.update(gram0=gram, sig=sig)
    sep = SEARCH_FIELD_SEPARATOR
    for i, word in enumerate(words):
        escaped = escape_like(word)
        params[f"word{i}"] = word
        params[f"in_title{i}"] = f"%{escaped}%{sep}%{sep}%"
        params[f"in_authors{i}"] = f"%{escaped}%{sep}%"
    return gram is not None, params


def search(query: SearchQuery, *, now: datetime) -> SearchPage:
    """Find books: an exact ISBN first, then title matches, then author matches, then rest.

    A text search ranks and counts at most MATCH_LIMIT books, browsing counts at most
    BROWSE_COUNT_LIMIT (or to the next page) (see `SearchPage.capped`).
    """
    params: dict = {}
    mode, grams, words = "browse", False, []
    scan = parse_scan(query.q) if query.q else None
    if scan is not None and scan.kind is ScanKind.ISBN:
        mode, params["isbn13"] = "isbn", scan.isbn13
    elif scan is not None and scan.kind is ScanKind.COPY:
        mode, params["barcode"] = "barcode", scan.code
    elif query.q:
        words = list(dict.fromkeys(fold(query.q).split()))[:MAX_QUERY_WORDS]
        if words:
            mode = "text"
            grams, text_params = _text_params(words)
            params.update(text_params)
    if query.language:
        params["language"] = query.language
        params["language_region"] = f"{query.language}-%"
        params["language_regions_from"] = f"{query.language}-"
        params["language_regions_to"] = f"{query.language}."
    if query.subject:
        params["subject"] = query.subject
    if query.new:
        params["new_since"] = now - timedelta(days=NEW_ARRIVAL_DAYS)
    shape = Shape(
        dialect=db.session.get_bind().dialect.name, mode=mode, grams=grams, words=len(words),
        available=query.available, language=bool(query.language),
        subject=bool(query.subject), new=query.new,
    )
    rows_statement, count_statement = cached_statements(shape)
    if query.sort == "call_number":
        return _in_shelf_order(query, shape, params)
    params.update(limit=query.per_page, offset=(query.page - 1) * query.per_page,
                  arm_limit=query.page * query.per_page)
    rows = db.session.execute(rows_statement, params).all()
    if mode == "browse":
        limit = max(BROWSE_COUNT_LIMIT, (query.page + 1) * query.per_page)
        total = db.session.scalar(count_statement, {**params, "count_limit": limit + 1})
        capped = total > limit
        items = [BookHit(book, copies, available) for book, _, copies, available in rows]
        return SearchPage(query=query, items=items, total=min(total, limit), capped=capped)
    if rows:
        total = rows[0][1]
    elif query.page == 1:
        total = 0
    else:  # past the end of the results: count them on their own
        total = db.session.scalar(count_statement, params) or 0
    capped = mode == "text" and total > MATCH_LIMIT
    items = [BookHit(book, copies, available) for book, _, copies, available in rows]
    return SearchPage(query=query, items=items, total=min(total, MATCH_LIMIT) if capped
                      else total, capped=capped)


def _in_shelf_order(query: SearchQuery, shape: Shape, params: dict) -> SearchPage:
    """The search's matches (all of a browse, the first MATCH_LIMIT of a text search) in
    shelf order, one page of them."""
    from app.catalog.shelflist import books_in_shelf_order

    matches = matches_of(shape)
    ids = db.session.scalars(sa.select(matches.c.id), params).all()
    capped = shape.mode == "text" and len(ids) > MATCH_LIMIT
    ordered = books_in_shelf_order(ids[:MATCH_LIMIT] if capped else ids)
    start = (query.page - 1) * query.per_page
    page_ids = ordered[start:start + query.per_page]
    books = {b.id: b for b in db.session.scalars(sa.select(Book).where(Book.id.in_(page_ids)))}
    return SearchPage(query=query, items=hits([books[i] for i in page_ids]),
                      total=len(ordered), capped=capped)


def hits(books: list[Book]) -> list[BookHit]:
    """Wrap books with their copy counts (copies in the collection, and available)."""
    if not books:
        return []
    ids = [b.id for b in books]
    rows = db.session.execute(
        sa.select(
            Copy.book_id,
            sa.func.count(Copy.id),
            sa.func.count(Copy.id).filter(Copy.status == CopyStatus.AVAILABLE),
        )
        .where(Copy.book_id.in_(ids), Copy.status != CopyStatus.WITHDRAWN)
        .group_by(Copy.book_id)
    ).all()
    counts = {book_id: (total, available) for book_id, total, available in rows}
    return [BookHit(b, *counts.get(b.id, (0, 0))) for b in books]


def get_book(book_id: int) -> Book:
    """Return a book by id, or raise BookNotFound."""
    book = db.session.get(Book, book_id) if 1 <= book_id <= MAX_ID else None
    if book is None:
        raise BookNotFound()
    return book


def book_addon(book: Book) -> Addon | None:
    """Return the book's Korean add-on spelled out (None if it has none we can read)."""
    if not book.addon_code:
        return None
    try:
        return decode_addon(book.addon_code)
    except ValueError:
        return None


@dataclass
class CopyView:
    """What the public may know of a copy: where and whether it is in, never who has it."""

    barcode: str
    status: CopyStatus
    site: str
    call_number: str | None
    due_on: date | None


def public_copies(book: Book) -> list[CopyView]:
    """Return the book's copies in the collection with status and due date (no borrower)."""
    copies = [c for c in book.copies if c.status.in_collection]
    due = {}
    if copies:
        due = dict(db.session.execute(
            sa.select(Loan.copy_id, Loan.due_on)
            .where(Loan.copy_id.in_([c.id for c in copies]), Loan.returned_at.is_(None))
        ).all())
    sites = {s.id: s.name for s in db.session.scalars(sa.select(Site)).all()}
    return [
        CopyView(
            barcode=c.barcode,
            status=c.status,
            site=sites.get(c.site_id, ""),
            call_number=placed_call_number(c.shelf, c.call_number),
            due_on=due.get(c.id) if c.status is CopyStatus.ON_LOAN else None,
        )
        for c in copies
    ]


def donor_credits(book: Book) -> list[str]:
    """Return the names of donors of this book's copies who agreed to be named."""
    names = db.session.scalars(
        sa.select(Donation.donor_id).distinct()
        .join(Copy, Copy.donation_id == Donation.id)
        .where(Copy.book_id == book.id, Donation.anonymous.is_(False),
               Donation.donor_id.is_not(None))
    ).all()
    if not names:
        return []
    members = db.session.scalars(
        sa.select(Member).where(Member.id.in_(names), Member.donor_named.is_(True))
        .order_by(Member.name)
    ).all()
    return [m.name for m in members]


def new_arrivals(*, limit: int = 8) -> list[BookHit]:
    """Return the newest catalogued books (with complete metadata), newest first."""
    books = db.session.scalars(
        sa.select(Book).where(Book.needs_metadata.is_(False))
        .order_by(Book.created_at.desc(), Book.id.desc()).limit(limit)
    ).all()
    return hits(books)


def most_borrowed(*, now: datetime, days: int = POPULAR_DAYS, limit: int = 8) -> list[
    tuple[BookHit, int]
]:
    """Return the books lent most often in the last `days` days, with their loan counts."""
    loans = sa.func.count().label("loans")
    rows = db.session.execute(
        sa.select(Loan.book_id, loans)
        .where(Loan.checked_out_at >= now - timedelta(days=days))
        .group_by(Loan.book_id)
        .order_by(loans.desc(), Loan.book_id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    books = {b.id: b for b in db.session.scalars(
        sa.select(Book).where(Book.id.in_([r[0] for r in rows]))).all()}
    ordered = [books[book_id] for book_id, _ in rows]
    return list(zip(hits(ordered), [n for _, n in rows], strict=True))
