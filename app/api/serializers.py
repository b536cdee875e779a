"""The API's one view of a book record, shared by the catalogue and intake endpoints."""

from app import isbn as isbnmod
from app.api.util import iso
from app.catalog import services as catalog
from app.models import Book, CopyStatus


def addon_json(code: str | None) -> dict | None:
    """Return a decoded Korean add-on (부가기호), or None."""
    if not code:
        return None
    try:
        addon = isbnmod.decode_addon(code)
    except ValueError:
        return None
    return {
        "code": addon.code,
        "reader_group": addon.reader_group,
        "reader_group_label": str(addon.reader_group_label),
        "form": addon.form,
        "form_label": str(addon.form_label),
        "kdc_class": addon.kdc_class,
        "kdc_class_label": str(addon.kdc_class_label),
        "subject": addon.subject,
    }


def book_json(book: Book, *, with_copies: bool = False) -> dict:
    """Return the API's view of a book; with its copies (never who has them) when asked."""
    data = {
        "id": book.id,
        "isbn13": book.isbn13,
        "isbn10": book.isbn10,
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": book.author_list,
        "publisher": book.publisher,
        "year": book.year,
        "language": book.language,
        "kdc": book.kdc,
        "kdc_class": book.kdc_class,
        "addon": addon_json(book.addon_code),
        "needs_metadata": book.needs_metadata,
        "metadata_source": book.metadata_source,
    }
    if with_copies:
        copies = catalog.public_copies(book)
        data["copies"] = [
            {
                "barcode": c.barcode,
                "status": c.status.value,
                "site": c.site,
                "call_number": c.call_number,
                "due_on": iso(c.due_on),
            }
            for c in copies
        ]
        data["available"] = sum(1 for c in copies if c.status is CopyStatus.AVAILABLE)
        data["donors"] = catalog.donor_credits(book)
    return data
