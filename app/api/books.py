"""Public, read-only API endpoints for the catalogue: search, one book, lists."""

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.serializers import book_json
from app.catalog import services as catalog
from app.core.access import ANYONE, access
from app.errors import InvalidInput
from app.models import utcnow

# Read-only endpoints anyone (another website too) may call from a browser.
PUBLIC_READ = {
    "api.books", "api.book", "api.new_books", "api.popular_books", "api.openapi",
}
MAX_AGE = 60  # seconds a client or proxy may reuse a catalogue answer


@bp.after_request
def _cors_and_cache(response: Response) -> Response:
    """Let other sites read the public catalogue (CORS) and cache it (ETag, max-age)."""
    if request.endpoint not in PUBLIC_READ:
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


def summary_json(hit: catalog.BookHit) -> dict:
    """Return the API's short view of a book (search results, lists)."""
    book = hit.book
    return {
        "id": book.id,
        "title": book.title,
        "authors": book.author_list,
        "isbn13": book.isbn13,
        "copies": hit.copies,
        "available": hit.available,
    }


def _limit(default: int = 10, high: int = 50) -> int:
    value = (request.args.get("limit") or "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= high:
        raise InvalidInput(
            _l("The parameter '%(name)s' must be a whole number from %(low)d to %(high)d."),
            name="limit", low=1, high=high,
        )
    return int(value)


@bp.route("/books", methods=["GET"])
@access(ANYONE)
def books():
    """Search the catalogue (no query: every book), one page at a time."""
    query = catalog.parse_search_args(request.args)
    page = catalog.search(query, now=utcnow())
    return jsonify({
        "items": [summary_json(hit) for hit in page.items],
        "total": page.total,
        "total_capped": page.capped,
        "page": query.page,
        "per_page": query.per_page,
    })


@bp.route("/books/<int(max=2147483647):book_id>", methods=["GET"])
@access(ANYONE)
def book(book_id: int):
    """One book with its copies and their status."""
    return jsonify(book_json(catalog.get_book(book_id), with_copies=True))


@bp.route("/books/new", methods=["GET"])
@access(ANYONE)
def new_books():
    """The newest books in the catalogue."""
    return jsonify({"items": [summary_json(h) for h in catalog.new_arrivals(limit=_limit())]})


@bp.route("/books/popular", methods=["GET"])
@access(ANYONE)
def popular_books():
    """The books borrowed most in the last 90 days."""
    rows = catalog.most_borrowed(now=utcnow(), limit=_limit())
    return jsonify({
        "days": catalog.POPULAR_DAYS,
        "items": [dict(summary_json(hit), loans=loans) for hit, loans in rows],
    })


@bp.route("/openapi.json", methods=["GET"])
@access(ANYONE)
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from app.api.openapi import spec

    return jsonify(spec())
