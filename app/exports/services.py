"""Take everything out: the catalogue (CSV, .xlsx, MARC21), members and loans.

The catalogue's CSV/xlsx columns use headers the importer recognises, one row per copy
(a book without copies gets one row without a barcode), so export then import gives
the same catalogue. Headers and words (a copy's status, a member's role) are in the
language of the page the export is downloaded from; the importer reads both languages.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy.orm import aliased

from app.admin.accesslog import log_access
from app.core import audit
from app.core.csvutil import csv_bytes, safe_cell
from app.core.timebuckets import local_minute
from app.core.vocabulary import COPY_STATUS_LABELS, NO_COPIES_LABEL, ROLE_LABELS, YES_NO
from app.extensions import db
from app.imports import marc
from app.models import Book, Copy, Loan, Member

PERSONAL = ("members", "loans")  # exports of personal data: in the access log

CATALOG_HEADERS = (_l("ISBN"), _l("ISBN-10"), _l("Title"), _l("Subtitle"), _l("Authors"),
                   _l("Publisher"), _l("Year"), _l("Language"), _l("KDC"), _l("Barcode"),
                   _l("Call number"), _l("Status"))
MEMBER_HEADERS = (_l("Name"), _l("Email"), _l("Phone"), _l("Role"), _l("Card"), _l("Active"),
                  _l("Registered"))
LOAN_HEADERS = (_l("Loan"), _l("Copy barcode"), _l("Title"), _l("Member card"),
                _l("Checked out"), _l("Due"), _l("Renewals"), _l("Returned"))
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
    statuses = {status: str(label) for status, label in COPY_STATUS_LABELS.items()}
    no_copies = str(NO_COPIES_LABEL)
    for book, barcode, call_number, status in db.session.execute(query):
        yield [book.isbn13, book.isbn10, book.title, book.subtitle, book.authors,
               book.publisher, book.year, book.language, book.kdc, barcode, call_number,
               statuses[status] if status else no_copies]


def member_rows() -> Iterator[list]:
    """Yield one row per member."""
    roles = {role: str(label) for role, label in ROLE_LABELS.items()}
    yes_no = {flag: str(label) for flag, label in YES_NO.items()}
    for m in db.session.scalars(sa.select(Member).order_by(Member.id)):
        yield [m.name, m.email, m.phone, roles[m.role], m.card_barcode, yes_no[m.active],
               local_minute(m.created_at)]


def loan_rows() -> Iterator[list]:
    """Yield one row per loan (the borrower's card only while the loan links to them)."""
    borrower = aliased(Member)
    query = (sa.select(Loan, Copy.barcode, Book.title, borrower.card_barcode)
             .join(Copy, Loan.copy_id == Copy.id).join(Book, Copy.book_id == Book.id)
             .outerjoin(borrower, Loan.member_id == borrower.id).order_by(Loan.id))
    for loan, barcode, title, card in db.session.execute(query):
        yield [loan.id, barcode, title, card, local_minute(loan.checked_out_at),
               loan.due_on.isoformat(), loan.renewals, local_minute(loan.returned_at)]


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
    headers = [str(header) for header in headers]
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
