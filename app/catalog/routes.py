"""Catalogue pages: search and one book."""

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.catalog import bp
from app.catalog import services as catalog
from app.core.access import ANYONE, access
from app.core.classification import KDC_CLASSES
from app.models import utcnow

SUBJECTS = KDC_CLASSES

LANGUAGES = {
    "ko": _l("Korean"),
    "en": _l("English"),
    "ja": _l("Japanese"),
    "zh": _l("Chinese"),
    "fr": _l("French"),
    "de": _l("German"),
}


def _page_url(page: int) -> str:
    args = {k: v for k, v in request.args.items() if k != "page"}
    return url_for("catalog.search", page=page, **args)


_TRANSLATED: dict[tuple[int, str], dict] = {}


def _translated(labels: dict) -> dict:
    """Return the labels translated (a lazy string costs two lookups per use in a page),
    once per process and language: the catalogue page shows them on every request."""
    key = (id(labels), str(get_locale()))
    translated = _TRANSLATED.get(key)
    if translated is None:
        translated = _TRANSLATED[key] = {code: str(label) for code, label in labels.items()}
    return translated


@bp.route("/catalog")
@access(ANYONE)
def search():
    """Search the catalogue (with no query: browse it)."""
    query = catalog.parse_search_args(request.args)
    results = catalog.search(query, now=utcnow())
    return render_template(
        "catalog/search.html", query=query, results=results, subjects=_translated(SUBJECTS),
        languages=_translated(LANGUAGES), page_url=_page_url,
    )


@bp.route("/catalog/<int(max=2147483647):book_id>")
@access(ANYONE)
def book(book_id: int):
    """One book: its metadata, its copies and whether they are in, holds, donors."""
    book = catalog.get_book(book_id)
    return render_template(
        "catalog/book.html",
        book=book,
        addon=catalog.book_addon(book),
        subject=SUBJECTS.get(book.kdc_class or ""),
        language=LANGUAGES.get(book.language or "", book.language),
        copies=catalog.public_copies(book),
        donors=catalog.donor_credits(book),
    )
