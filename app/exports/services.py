"""Take everything out: the catalogue (CSV, .xlsx, MARC21), members and loans.

The catalogue's CSV/xlsx columns use headers the importer recognises, one row per copy
(a book without copies gets one row without a barcode), so export then import gives
the same catalogue.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.orm import aliased

from app.admin.accesslog import log_access
from app.core import audit
from app.core.csvutil import csv_bytes, safe_cell
from app.extensions import db
from app.imports import marc
from app.imports.rows import NO_COPIES
from app.models import Book, Copy, Loan, Member

PERSONAL = ("members", "loans")  # exports of personal data: in the access log

CATALOG_HEADERS = ("ISBN", "ISBN-10", "Title", "Subtitle", "Authors", "Publisher", "Year",
                   "Language", "KDC", "Barcode", "Call number", "Status")
MEMBER_HEADERS = ("Name", "Email", "Phone", "Role", "Card", "Active", "Registered")
LOAN_HEADERS = ("Loan", "Copy barcode", "Title", "Member card", "Checked out", "Due",
                "Renewals", "Returned")
FORMATS = {
    "catalog": ("csv", "xlsx", "mrc", "xml"),
    "members": ("csv", "xlsx"),
    "loans": ("csv", "xlsx"),
}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "mrc": "application/marc",
    "xml": "application/marcxml+xml",
}


def catalog_rows() -> Iterator[list]:
    """Yield one row per copy (and per book without copies), in catalogue order."""
    query = (sa.select(Book, Copy.barcode, Copy.call_number, Copy.status)
             .outerjoin(Copy, Copy.book_id == Book.id).order_by(Book.id, Copy.id))
    for book, barcode, call_number, status in db.session.execute(query):
        yield [book.isbn13, book.isbn10, book.title, book.subtitle, book.authors,
               book.publisher, book.year, book.language, book.kdc, barcode, call_number,
               status.value if status else NO_COPIES]


def member_rows() -> Iterator[list]:
    """Yield one row per member."""
    for m in db.session.scalars(sa.select(Member).order_by(Member.id)):
        yield [m.name, m.email, m.phone, m.role.value, m.card_barcode,
               "yes" if m.active else "no", m.created_at.isoformat()]


def loan_rows() -> Iterator[list]:
    """Yield one row per loan (the borrower's card only while the loan links to them)."""
    borrower = aliased(Member)
    query = (sa.select(Loan, Copy.barcode, Book.title, borrower.card_barcode)
             .join(Copy, Loan.copy_id == Copy.id).join(Book, Copy.book_id == Book.id)
             .outerjoin(borrower, Loan.member_id == borrower.id).order_by(Loan.id))
    for loan, barcode, title, card in db.session.execute(query):
        yield [loan.id, barcode, title, card, loan.checked_out_at.isoformat(),
               loan.due_on.isoformat(), loan.renewals,
               loan.returned_at.isoformat() if loan.returned_at else None]


def marc_books() -> Iterator[marc.MarcBook]:
    """Yield each book with its copies, for MARC export."""
    current: marc.MarcBook | None = None
    current_id = None
    query = (sa.select(Book, Copy.barcode, Copy.call_number)
             .outerjoin(Copy, Copy.book_id == Book.id).order_by(Book.id, Copy.id))
    for book, barcode, call_number in db.session.execute(query):
        if book.id != current_id:
            if current is not None:
                yield current
            current_id = book.id
            current = marc.MarcBook(title=book.title, subtitle=book.subtitle,
                                    authors=book.author_list, publisher=book.publisher,
                                    year=book.year, language=book.language, kdc=book.kdc,
                                    isbn13=book.isbn13)
        if barcode:
            current.copies.append((barcode, call_number))
    if current is not None:
        yield current


def xlsx_bytes(headers, rows, *, title: str) -> bytes:
    """Return an .xlsx workbook of one sheet (text cells escaped like CSV)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for row in rows:
        sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_bytes(what: str, fmt: str, *, now: datetime) -> bytes:
    """Return an export's file contents; ValueError for an unknown kind or format."""
    if fmt not in FORMATS.get(what, ()):
        raise ValueError(f"cannot export {what} as {fmt}")
    if what == "catalog" and fmt in ("mrc", "xml"):
        buffer = io.BytesIO()
        (marc.write_binary if fmt == "mrc" else marc.write_xml)(marc_books(), buffer)
        return buffer.getvalue()
    headers, rows = {
        "catalog": (CATALOG_HEADERS, catalog_rows),
        "members": (MEMBER_HEADERS, member_rows),
        "loans": (LOAN_HEADERS, loan_rows),
    }[what]
    if fmt == "xlsx":
        return xlsx_bytes(headers, rows(), title=what)
    return csv_bytes(headers, rows())


def download(what: str, fmt: str, *, by: Member, now: datetime) -> bytes:
    """Return an export a coordinator downloads, recorded: personal data in the access log
    (kept a year), the catalogue in the audit trail."""
    data = export_bytes(what, fmt, now=now)
    if what in PERSONAL:
        log_access(f"export_{what}", actor=by, now=now, format=fmt)
    else:
        audit.record(f"export.{what}", actor=by, now=now, format=fmt)
    return data


def export_filename(what: str, fmt: str, now: datetime) -> str:
    """Return the download's file name, e.g. bookcafe-catalog-20260315.csv."""
    return f"bookcafe-{what}-{now:%Y%m%d-%H%M}.{fmt}"
