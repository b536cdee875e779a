"""How a catalogue search is asked of the database: one statement per search shape (the
page, with its copy counts) and its count, built once per process and run with the
search's parameters (`app.catalog.services.search` fills them in)."""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm

from app.models import Book, Copy, CopyStatus, SearchGram


def binary(column, dialect: str):
    """Order text by code point on both databases (SQLite's default, PostgreSQL's "C")."""
    if dialect == "postgresql":
        return sa.collate(column, "C")
    return column


def contains(column, text, dialect: str):
    """Return "column contains text" (literal, no wildcards) on either database.

    Not LIKE '%...%': PostgreSQL guesses such a pattern matches almost no row and then
    scans every book with it instead of starting from the bigram index.
    """
    if dialect == "postgresql":
        return sa.func.strpos(column, text) > 0
    return sa.func.instr(column, text) > 0


@dataclass(frozen=True)
class Shape:
    """What a search statement looks like; searches of one shape share one statement."""

    dialect: str
    mode: str  # "text", "isbn", "barcode" or "browse"
    grams: bool = False  # a text search with a bigram to start from
    words: int = 0
    available: bool = False
    language: bool = False
    subject: bool = False
    new: bool = False


def filters(shape: Shape, *, language=True) -> list:
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


def by_language(shape: Shape) -> bool:
    """Whether a browse reads the language's books from an index in title order: with a
    subject ix_book_kdc_class_language_search_text (the class, then the language), without
    ix_book_language_search_text."""
    return shape.mode == "browse" and shape.language and not shape.new


def language_arms(shape: Shape, *, ordered: bool, limit: str = "arm_limit") -> sa.Subquery:
    """Browsing one language (perhaps with a subject), as two reads of its index (see
    `by_language`): the books of the language ("ko") and those of its regions ("ko-kr"),
    each in title order.

    One condition with OR would read the title index (or the subject's) from its start
    until a page of that language turns up (Korean titles sort after every Latin one:
    ~1 s at 1M books, ~2 s with a subject). Each arm ``ordered`` stops after the rows up
    to the page's end (the parameter named by ``limit``), and the page is the first of
    both merged."""
    others = filters(shape, language=False)
    code = binary(Book.language, shape.dialect)  # the index's collation on PostgreSQL
    # A region's code starts with "ko-": it lies from "ko-" up to "ko." ("." follows "-").
    regions = sa.and_(code >= sa.bindparam("language_regions_from"),
                      code < sa.bindparam("language_regions_to"))
    arms = []
    for language in (code == sa.bindparam("language"), regions):
        arm = sa.select(Book.id.label("id"), sa.literal(3).label("rank"),
                        Book.search_text.label("key")).where(*others, language)
        if ordered:
            arm = sa.select(arm.order_by(binary(Book.search_text, shape.dialect), Book.id)
                            .limit(sa.bindparam(limit)).subquery())
        arms.append(arm)
    return sa.union_all(*arms).subquery("matches")


def matches_of(shape: Shape):
    """Return a subquery of the matching books' ids with their rank and sort key."""
    if by_language(shape):
        return language_arms(shape, ordered=False)
    conditions = filters(shape)
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
    conditions += [contains(Book.search_text, sa.bindparam(f"word{i}"), shape.dialect)
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


def build_statements(shape: Shape):
    """Build the page statement and the count statement of one search shape."""
    matches = counted_matches = matches_of(shape)
    if by_language(shape):
        matches = language_arms(shape, ordered=True)
        if shape.available:
            # Counted in title order too, each arm stopping at the count's limit: unordered,
            # PostgreSQL hashed every available copy to count the first 10,001 books
            # (~350 ms at 1M; in order, one index probe per book read: ~15 ms).
            counted_matches = language_arms(shape, ordered=True, limit="count_limit")
    if shape.mode == "browse" and shape.new:
        order = (matches.c.key.desc(), matches.c.id.desc())
    elif shape.mode == "browse":  # the order of ix_book_search_text (every rank is 3)
        order = (binary(matches.c.key, shape.dialect), matches.c.id)
    else:
        order = (matches.c.rank, binary(matches.c.key, shape.dialect), matches.c.id)
    if shape.mode == "text":
        # The matches are the first MATCH_LIMIT + 1 in catalogue order (services'
        # match_limit): rank the first MATCH_LIMIT of them; the one more only tells that
        # there are more.
        numbered = sa.select(
            matches, sa.func.row_number().over(order_by=matches.c.id).label("number"),
            sa.func.count().over().label("total"),
        ).subquery("numbered")
        page = sa.select(numbered.c.id, numbered.c.rank, numbered.c.key, numbered.c.total) \
            .where(numbered.c.number <= sa.bindparam("rank_limit")) \
            .order_by(numbered.c.rank, binary(numbered.c.key, shape.dialect), numbered.c.id)
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
        page_order = (binary(page.c.key, shape.dialect), page.c.id)
    else:
        page_order = (page.c.rank, binary(page.c.key, shape.dialect), page.c.id)
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


_CACHE: dict[Shape, tuple] = {}


def cached_statements(shape: Shape):
    """Return the statements of a search shape, built once per process."""
    statements = _CACHE.get(shape)
    if statements is None:
        statements = _CACHE[shape] = build_statements(shape)
    return statements
