"""Catalogue search, book details and the lists the home page and the city's site show."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l

from app.catalog.index import gram_frequencies, word_grams
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.isbn import ScanKind, parse_scan
from app.models import Book, Copy, CopyStatus, Donation, Loan, Member, SearchGram, Site
from app.models.catalog import SEARCH_FIELD_SEPARATOR
from app.text import escape_like, fold, nfc

# A book catalogued within this many days is a "new arrival".
NEW_ARRIVAL_DAYS = 30
# "Most borrowed" counts loans started within this many days.
POPULAR_DAYS = 90
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
DEFAULT_PER_PAGE = 20
MAX_ID = 2**31 - 1
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class BookNotFound(NotFound):
    code = "book_not_found"
    default_message = _l("There is no book with this number.")


@dataclass(frozen=True)
class SearchQuery:
    """What a catalogue search asks for: text, filters and the page."""

    q: str = ""
    available: bool = False
    language: str | None = None
    subject: str | None = None
    new: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

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

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.query.per_page))

    @property
    def has_next(self) -> bool:
        """Tell whether a next page exists."""
        return self.query.page < self.pages


def _flag(args, name: str) -> bool:
    value = args.get(name)
    if value is None:
        return False
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(_l("The parameter '%(name)s' must be true or false."), name=name)


def _int(args, name: str, default: int, low: int, high: int) -> int:
    value = args.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip()
    if not re.fullmatch(r"[0-9]{1,6}", value) or not low <= int(value) <= high:
        raise InvalidInput(
            _l("The parameter '%(name)s' must be a whole number from %(low)d to %(high)d."),
            name=name, low=low, high=high,
        )
    return int(value)


def parse_search_args(args) -> SearchQuery:
    """Read and validate the search parameters of a request (raise InvalidInput)."""
    q = nfc(args.get("q") or "") or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            _l("The search is too long (at most %(max)d characters)."), max=MAX_QUERY_LENGTH
        )
    if "\x00" in q:
        raise InvalidInput(_l("The search contains characters that are not allowed."))
    language = (args.get("language") or "").strip().lower() or None
    if language is not None and not _LANGUAGE.fullmatch(language):
        raise InvalidInput(_l("The parameter 'language' must be a language code such as ko."))
    subject = (args.get("subject") or "").strip() or None
    if subject is not None and not re.fullmatch(r"[0-9]", subject):
        raise InvalidInput(_l("The parameter 'subject' must be one digit (a KDC main class)."))
    return SearchQuery(
        q=q,
        available=_flag(args, "available"),
        language=language,
        subject=subject,
        new=_flag(args, "new"),
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def _binary(column):
    """Order text by code point on both databases (SQLite's default, PostgreSQL's "C")."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.collate(column, "C")
    return column


def _contains(column, text: str):
    """Return "column contains text" (literal, no wildcards) on either database.

    Not LIKE '%...%': PostgreSQL guesses such a pattern matches almost no row and then
    scans every book with it instead of starting from the bigram index.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.strpos(column, text) > 0
    return sa.func.instr(column, text) > 0


def _available_ids():
    return sa.select(Copy.book_id).where(Copy.status == CopyStatus.AVAILABLE)


# Bigrams that drive a text search: the rarest few. More would cost index lookups and
# prune little, since every word is checked as a whole against search_text anyway.
DRIVING_GRAMS = 3


def _candidates(grams: set[str]):
    """Return a select of the ids of books that have the rarest few of `grams`."""
    frequency = gram_frequencies(grams)
    rarest = sorted(grams, key=lambda g: (frequency[g], g))[:DRIVING_GRAMS]
    first = sa.orm.aliased(SearchGram)
    select = sa.select(first.book_id).where(first.gram == rarest[0])
    for gram in rarest[1:]:
        other = sa.orm.aliased(SearchGram)
        select = select.where(
            sa.exists().where(other.gram == gram, other.book_id == first.book_id)
        )
    return select


def _text_match(words: list[str]):
    """Return (condition, rank) for folded query words: all must occur in search_text."""
    grams = set().union(*(word_grams(w) for w in words))
    escaped = [escape_like(w) for w in words]
    sep = SEARCH_FIELD_SEPARATOR
    conditions = [_contains(Book.search_text, w) for w in words]
    if grams:
        conditions.insert(0, Book.id.in_(_candidates(grams)))
    in_title = sa.and_(*(Book.search_text.like(f"%{e}%{sep}%{sep}%", escape="\\") for e in escaped))
    in_authors = sa.and_(*(Book.search_text.like(f"%{e}%{sep}%", escape="\\") for e in escaped))
    rank = sa.case((in_title, 1), (in_authors, 2), else_=3)
    return sa.and_(*conditions), rank


def _exact_match(q: str):
    """Return the condition for a query that is an ISBN (any form) or a copy barcode."""
    scan = parse_scan(q)
    if scan.kind is ScanKind.ISBN:
        return Book.isbn13 == scan.isbn13
    if scan.kind is ScanKind.COPY:
        return Book.id.in_(sa.select(Copy.book_id).where(Copy.barcode == scan.code))
    return None


def search(query: SearchQuery, *, now: datetime) -> SearchPage:
    """Find books: an exact ISBN first, then title matches, then author matches, then rest."""
    conditions = []
    rank = sa.literal(3)
    exact = _exact_match(query.q) if query.q else None
    if exact is not None:
        conditions.append(exact)
        rank = sa.literal(0)
    elif query.q:
        words = list(dict.fromkeys(fold(query.q).split()))[:MAX_QUERY_WORDS]
        if words:
            condition, rank = _text_match(words)
            conditions.append(condition)
    if query.available:
        conditions.append(Book.id.in_(_available_ids()))
    if query.language:
        # "en" also finds books whose language has a region ("en-us").
        conditions.append(sa.or_(Book.language == query.language,
                                 Book.language.like(f"{query.language}-%")))
    if query.subject:
        conditions.append(Book.kdc_class == query.subject)
    if query.new:
        conditions.append(Book.created_at >= now - timedelta(days=NEW_ARRIVAL_DAYS))

    if query.q:
        order = (rank, _binary(Book.search_text), Book.id)
    elif query.new:
        order = (Book.created_at.desc(), Book.id.desc())
    else:
        order = (_binary(Book.search_text), Book.id)
    # One statement for the page and the total (a window count), a second only when
    # the page is past the end.
    rows = db.session.execute(
        sa.select(Book, sa.func.count().over().label("total")).where(*conditions)
        .order_by(*order).limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).all()
    books = [row[0] for row in rows]
    if rows:
        total = rows[0][1]
    elif query.page == 1:
        total = 0
    else:
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(Book).where(*conditions)
        ) or 0
    return SearchPage(query=query, items=hits(books), total=total)


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
    if not 1 <= book_id <= MAX_ID:  # larger numbers overflow the databases' integers
        raise BookNotFound()
    book = db.session.get(Book, book_id)
    if book is None:
        raise BookNotFound()
    return book


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
            call_number=c.call_number,
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
    loans = sa.func.count(Loan.id).label("loans")
    rows = db.session.execute(
        sa.select(Copy.book_id, loans)
        .join(Loan, Loan.copy_id == Copy.id)
        .where(Loan.checked_out_at >= now - timedelta(days=days))
        .group_by(Copy.book_id)
        .order_by(loans.desc(), Copy.book_id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    books = {b.id: b for b in db.session.scalars(
        sa.select(Book).where(Book.id.in_([r[0] for r in rows]))).all()}
    ordered = [books[book_id] for book_id, _ in rows]
    return list(zip(hits(ordered), [n for _, n in rows], strict=True))
