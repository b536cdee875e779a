"""Public, read-only API endpoints for the catalogue: search, one book, lists."""

from flask import Response, jsonify, request
from pydantic import BaseModel, Field

from app.api import bp
from app.api.openapi import spec
from app.api.serializers import Book
from app.api.spec import Reply, declared_operation, operation
from app.catalog import services as catalog
from app.catalog.services import SearchQuery
from app.core.access import ANYONE, access
from app.core.validation import QueryInt
from app.models import utcnow

MAX_AGE = 60  # seconds a client or proxy may reuse a catalogue answer


@bp.after_request
def _cors_and_cache(response: Response) -> Response:
    """Let other sites read the public catalogue (CORS) and cache it (ETag, max-age)."""
    declared = declared_operation(request.endpoint)
    if declared is None or not declared.public_read:
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response.add_etag()
        response.make_conditional(request)
    return response


class BookSummary(BaseModel):
    """The API's short view of a book (search results, lists)."""

    id: int
    title: str
    authors: list[str]
    isbn13: str | None = Field(pattern="^97[89][0-9]{10}$")
    copies: int = Field(ge=0, description="Copies in the collection.")
    available: int = Field(ge=0, description="Copies on the shelf now.")

    @classmethod
    def fields_of(cls, hit: catalog.BookHit) -> dict:
        """Return the summary's fields of a search hit."""
        book = hit.book
        return dict(id=book.id, title=book.title, authors=book.author_list,
                    isbn13=book.isbn13, copies=hit.copies, available=hit.available)

    @classmethod
    def of(cls, hit: catalog.BookHit) -> "BookSummary":
        """Return the API's short view of a search hit."""
        return cls(**cls.fields_of(hit))


class BookPage(BaseModel):
    """One page of search results."""

    items: list[BookSummary]
    total: int = Field(ge=0, description="Books found; a text search counts at most 1000, "
                                         "browsing (no `q`) at most 10000 or to the next page.")
    total_capped: bool = Field(description="True when more books were found than `total` "
                                           "(a text search ranks only the first 1000 matches; "
                                           "browsing counts no further).")
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)


class BookList(BaseModel):
    """Books, newest first."""

    items: list[BookSummary]


class PopularBook(BookSummary):
    """A book and how often it was borrowed."""

    loans: int = Field(ge=1)


class PopularList(BaseModel):
    """The books borrowed most in the last `days` days, most loans first."""

    days: int
    items: list[PopularBook]


class ListQuery(BaseModel):
    """How many books a list has."""

    limit: QueryInt(1, 50) = Field(10, description="How many books (default 10).")


@bp.route("/books", methods=["GET"])
@access(ANYONE)
@operation("searchBooks", tag="catalogue", query=SearchQuery, public_read=True,
           responses={200: (BookPage, "One page of results.")},
           description="Ranking: an exact ISBN first, then title matches, then author matches, "
                       "then the rest. Public, CORS-enabled, cacheable (ETag, Cache-Control).")
def books(query: SearchQuery):
    """Search the catalogue (no query: every book), one page at a time."""
    page = catalog.search(query, now=utcnow())
    return BookPage(items=[BookSummary.of(hit) for hit in page.items], total=page.total,
                    total_capped=page.capped, page=query.page, per_page=query.per_page)


@bp.route("/books/<int(max=2147483647):book_id>", methods=["GET"])
@access(ANYONE)
@operation("getBook", tag="catalogue", public_read=True,
           responses={200: (Book, "The book."), 404: "No such book (book_not_found)."})
def book(book_id: int):
    """One book with its copies and their status."""
    return Book.of(catalog.get_book(book_id))


@bp.route("/books/new", methods=["GET"])
@access(ANYONE)
@operation("newBooks", tag="catalogue", query=ListQuery, public_read=True,
           responses={200: (BookList, "Newest first.")})
def new_books(query: ListQuery):
    """The newest books in the catalogue."""
    hits = catalog.new_arrivals(limit=query.limit)
    return BookList(items=[BookSummary.of(hit) for hit in hits])


@bp.route("/books/popular", methods=["GET"])
@access(ANYONE)
@operation("popularBooks", tag="catalogue", query=ListQuery, public_read=True,
           responses={200: (PopularList, "Most loans first.")})
def popular_books(query: ListQuery):
    """The books borrowed most in the last 90 days."""
    rows = catalog.most_borrowed(now=utcnow(), limit=query.limit)
    return PopularList(days=catalog.POPULAR_DAYS,
                       items=[PopularBook(**BookSummary.fields_of(hit), loans=loans)
                              for hit, loans in rows])


@bp.route("/openapi.json", methods=["GET"])
@access(ANYONE)
@operation("getOpenApi", tag="meta", public_read=True, responses={
    200: Reply(description="The OpenAPI document.", schema={"type": "object"})})
def openapi():
    """This description of the API (OpenAPI 3.1), written from the code."""
    return jsonify(spec())
