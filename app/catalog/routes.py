"""Catalogue pages: search and one book."""

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.catalog import bp, shelflist
from app.catalog import services as catalog
from app.catalog.forms import ShelfListForm
from app.core.access import ANYONE, access
from app.core.classification import KDC_CLASSES
from app.core.csvutil import csv_response
from app.core.params import page_arg
from app.core.vocabulary import COPY_STATUS_LABELS as STATUS_LABELS
from app.models import Role, utcnow

SHELF_LIST_PAGE = 200

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


@bp.route("/catalog/shelf-list")
@access(Role.VOLUNTEER)
def shelf_list():
    """The collection's copies in shelf order (by 별치기호 and call-number range)."""
    form = ShelfListForm(request.args)
    filters = form.filters() if form.validate() else {}
    rows = shelflist.shelf_list(**filters)
    page = page_arg()
    shown = rows[(page - 1) * SHELF_LIST_PAGE:page * SHELF_LIST_PAGE]
    pages = max(1, -(-len(rows) // SHELF_LIST_PAGE))
    args = {k: v for k, v in filters.items() if v}
    return render_template("catalog/shelf_list.html", form=form, rows=shown, total=len(rows),
                           page=page, pages=pages, args=args, shelves=shelflist.shelves(),
                           status_labels=_translated(STATUS_LABELS))


@bp.route("/catalog/shelf-list.csv")
@access(Role.VOLUNTEER)
def shelf_list_csv():
    """The shelf list as CSV (the same filters)."""
    form = ShelfListForm(request.args)
    rows = shelflist.shelf_list(**(form.filters() if form.validate() else {}))
    labels = _translated(STATUS_LABELS)
    return csv_response(
        "shelf-list.csv",
        [_("Call number"), _("Shelf prefix"), _("Barcode"), _("Title"), _("Authors"),
         _("Publisher"), _("Year"), _("Location"), _("Status")],
        shelflist.csv_rows(rows, lambda status: labels[status]))
