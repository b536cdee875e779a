"""Catalogue search, book details and the lists the home page and the city's site show."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.callnumbers import placed_call_number
from app.catalog.index import gram_frequencies, signature, word_grams
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
    SearchGram,
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


def _binary(column, dialect: str):
    """Order text by code point on both databases (SQLite's default, PostgreSQL's "C")."""
    if dialect == "postgresql":
        return sa.collate(column, "C")
    return column


def _contains(column, text, dialect: str):
    """Return "column contains text" (literal, no wildcards) on either database.

    Not LIKE '%...%': PostgreSQL guesses such a pattern matches almost no row and then
    scans every book with it instead of starting from the bigram index.
    """
    if dialect == "postgresql":
        return sa.func.strpos(column, text) > 0
    return sa.func.instr(column, text) > 0


# A text search ranks at most this many matching books (the first ones catalogued) and
# counts no further: a common two-syllable word matches a large part of a big catalogue,
# and counting and sorting every match would cost a second or more. The page then says
# "more than 1000 books"; a longer or second word narrows the search.
MATCH_LIMIT = 1000
# Browsing (no text, perhaps filters) counts at most this many books, or the page's
# books when it lies further: counting a whole large catalogue costs a read of every
# book (about a second at 1M); the page then says "more than 10000 books".
BROWSE_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class _Shape:
    """What a search statement looks like; searches of one shape share one statement."""

    dialect: str
    mode: str  # "text", "isbn", "barcode" or "browse"
    grams: bool = False  # a text search with a bigram to start from
    words: int = 0
    available: bool = False
    language: bool = False
    subject: bool = False
    new: bool = False


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


def _filters(shape: _Shape, *, language=True) -> list:
    """Return the conditions of the search's filters (the language's unless told not to)."""
    conditions = []
    if shape.available:
        # A probe of copy(book_id, ...) per book read, not IN (every available copy): SQLite
        # built a table of all of them first (~1.4 s at 1M books), whatever the page.
        conditions.append(sa.exists().where(Copy.book_id == Book.id,
                                            Copy.status == CopyStatus.AVAILABLE))
    if shape.language and language:
        # "en" also finds books whose language has a region ("en-us").
        conditions.append(sa.or_(Book.language == sa.bindparam("language"),
                                 Book.language.like(sa.bindparam("language_region"))))
    if shape.subject:
        conditions.append(Book.kdc_class == sa.bindparam("subject"))
    if shape.new:
        conditions.append(Book.created_at >= sa.bindparam("new_since"))
    return conditions


def _by_language(shape: _Shape) -> bool:
    """Whether a browse reads the language's books from an index in title order: with a
    subject ix_book_kdc_class_language_search_text (the class, then the language), without
    ix_book_language_search_text."""
    return shape.mode == "browse" and shape.language and not shape.new


def _language_arms(shape: _Shape, *, ordered: bool, limit: str = "arm_limit") -> sa.Subquery:
    """Browsing one language (perhaps with a subject), as two reads of its index (see
    `_by_language`): the books of the language ("ko") and those of its regions ("ko-kr"),
    each in title order.

    One condition with OR would read the title index (or the subject's) from its start
    until a page of that language turns up (Korean titles sort after every Latin one:
    ~1 s at 1M books, ~2 s with a subject). Each arm ``ordered`` stops after the rows up
    to the page's end (the parameter named by ``limit``), and the page is the first of
    both merged."""
    others = _filters(shape, language=False)
    code = _binary(Book.language, shape.dialect)  # the index's collation on PostgreSQL
    # A region's code starts with "ko-": it lies from "ko-" up to "ko." ("." follows "-").
    regions = sa.and_(code >= sa.bindparam("language_regions_from"),
                      code < sa.bindparam("language_regions_to"))
    arms = []
    for language in (code == sa.bindparam("language"), regions):
        arm = sa.select(Book.id.label("id"), sa.literal(3).label("rank"),
                        Book.search_text.label("key")).where(*others, language)
        if ordered:
            arm = sa.select(arm.order_by(_binary(Book.search_text, shape.dialect), Book.id)
                            .limit(sa.bindparam(limit)).subquery())
        arms.append(arm)
    return sa.union_all(*arms).subquery("matches")


def _matches(shape: _Shape):
    """Return a subquery of the matching books' ids with their rank and sort key."""
    if _by_language(shape):
        return _language_arms(shape, ordered=False)
    conditions = _filters(shape)
    if shape.mode == "browse":
        key = Book.created_at if shape.new else Book.search_text
        return sa.select(Book.id.label("id"), sa.literal(3).label("rank"), key.label("key")) \
            .where(*conditions).subquery("matches")
    if shape.mode == "isbn":
        conditions.append(Book.isbn13 == sa.bindparam("isbn13"))
    elif shape.mode == "barcode":
        conditions.append(Book.id.in_(
            sa.select(Copy.book_id).where(Copy.barcode == sa.bindparam("barcode"))))
    if shape.mode != "text":
        return sa.select(Book.id.label("id"), sa.literal(0).label("rank"),
                         Book.search_text.label("key")) \
            .where(*conditions).subquery("matches")

    # Text: walk the rarest bigram's index entries in book order, keep the entries whose
    # signature has every query bigram, then the books that contain every word, and stop
    # after the limit.
    conditions += [_contains(Book.search_text, sa.bindparam(f"word{i}"), shape.dialect)
                   for i in range(shape.words)]
    in_title = sa.and_(*(Book.search_text.like(sa.bindparam(f"in_title{i}"), escape="\\")
                         for i in range(shape.words)))
    in_authors = sa.and_(*(Book.search_text.like(sa.bindparam(f"in_authors{i}"), escape="\\")
                           for i in range(shape.words)))
    rank = sa.case((in_title, 1), (in_authors, 2), else_=3)
    if shape.grams:
        first = sa.orm.aliased(SearchGram, name="gram0")
        mask = sa.bindparam("sig", type_=sa.BigInteger)
        # "sig & mask >= mask" is "sig & mask = mask" (both are positive, and sig & mask
        # never exceeds mask), written so: PostgreSQL guesses that 0.5% of the entries pass
        # an equality on an expression, and then plans as if it had to read a common
        # bigram's whole list (in parallel workers); for an inequality it guesses a third.
        select = sa.select(Book.id.label("id"), rank.label("rank"),
                           Book.search_text.label("key")) \
            .select_from(first).join(Book, Book.id == first.book_id) \
            .where(first.gram == sa.bindparam("gram0"), first.sig.bitwise_and(mask) >= mask)
        order = first.book_id
    else:  # only one-character words: no bigram to start from
        select = sa.select(Book.id.label("id"), rank.label("rank"),
                           Book.search_text.label("key"))
        order = Book.id
    return select.where(*conditions).order_by(order) \
        .limit(sa.bindparam("match_limit")).subquery("matches")


def _statements(shape: _Shape):
    """Build the page statement and the count statement of one search shape."""
    matches = counted_matches = _matches(shape)
    if _by_language(shape):
        matches = _language_arms(shape, ordered=True)
        if shape.available:
            # Counted in title order too, each arm stopping at the count's limit: unordered,
            # PostgreSQL hashed every available copy to count the first 10,001 books
            # (~350 ms at 1M; in order, one index probe per book read: ~15 ms).
            counted_matches = _language_arms(shape, ordered=True, limit="count_limit")
    if shape.mode == "browse" and shape.new:
        order = (matches.c.key.desc(), matches.c.id.desc())
    elif shape.mode == "browse":  # the order of ix_book_search_text (every rank is 3)
        order = (_binary(matches.c.key, shape.dialect), matches.c.id)
    else:
        order = (matches.c.rank, _binary(matches.c.key, shape.dialect), matches.c.id)
    if shape.mode == "text":
        # The matches are the first MATCH_LIMIT + 1 in catalogue order: rank the first
        # MATCH_LIMIT of them; the one more only tells that there are more.
        numbered = sa.select(
            matches, sa.func.row_number().over(order_by=matches.c.id).label("number"),
            sa.func.count().over().label("total"),
        ).subquery("numbered")
        page = sa.select(numbered.c.id, numbered.c.rank, numbered.c.key, numbered.c.total) \
            .where(numbered.c.number <= sa.bindparam("rank_limit")) \
            .order_by(numbered.c.rank, _binary(numbered.c.key, shape.dialect), numbered.c.id)
    elif shape.mode == "browse":
        # Read in the order of an index (book.search_text, or created_at), stop after the
        # page: no window count (it would read and sort every book); search() counts
        # with a limit.
        page = sa.select(matches.c.id, matches.c.rank, matches.c.key,
                         sa.null().label("total")).order_by(*order)
    else:
        page = sa.select(matches.c.id, matches.c.rank, matches.c.key,
                         sa.func.count().over().label("total")).order_by(*order)
    page = page.limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page")
    if shape.mode == "browse" and shape.new:
        page_order = (page.c.key.desc(), page.c.id.desc())
    elif shape.mode == "browse":
        page_order = (_binary(page.c.key, shape.dialect), page.c.id)
    else:
        page_order = (page.c.rank, _binary(page.c.key, shape.dialect), page.c.id)
    in_collection = sa.select(sa.func.count(Copy.id)).where(
        Copy.book_id == Book.id, Copy.status != CopyStatus.WITHDRAWN)
    available = sa.select(sa.func.count(Copy.id)).where(
        Copy.book_id == Book.id, Copy.status == CopyStatus.AVAILABLE)
    # One statement for the page, the total (a window count) and the copy counts.
    rows = sa.select(Book, page.c.total, in_collection.scalar_subquery(),
                     available.scalar_subquery()) \
        .join(page, page.c.id == Book.id).order_by(*page_order)
    if shape.mode == "browse":
        counted = sa.select(counted_matches.c.id).limit(sa.bindparam("count_limit")).subquery()
        count = sa.select(sa.func.count()).select_from(counted)
    else:
        count = sa.select(sa.func.count()).select_from(matches)
    return rows, count


_STATEMENTS: dict[_Shape, tuple] = {}


def _cached_statements(shape: _Shape):
    """Return the statements of a search shape, built once per process."""
    statements = _STATEMENTS.get(shape)
    if statements is None:
        statements = _STATEMENTS[shape] = _statements(shape)
    return statements


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
    shape = _Shape(
        dialect=db.session.get_bind().dialect.name, mode=mode, grams=grams, words=len(words),
        available=query.available, language=bool(query.language),
        subject=bool(query.subject), new=query.new,
    )
    rows_statement, count_statement = _cached_statements(shape)
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


def _in_shelf_order(query: SearchQuery, shape: _Shape, params: dict) -> SearchPage:
    """The search's matches (all of a browse, the first MATCH_LIMIT of a text search) in
    shelf order, one page of them."""
    from app.catalog.shelflist import books_in_shelf_order

    matches = _matches(shape)
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
