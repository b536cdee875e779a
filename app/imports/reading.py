"""Reading an uploaded collection: what the file is, its rows, which column is which field."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.errors import MappingInvalid, UnreadableFile, WrongFileType
from app.imports import marc
from app.imports.rows import FIELD_NAMES, CheckedRow, check_row, guess_mapping
from app.imports.tabular import Table, check_workbook_size, read_table


@dataclass
class Source:
    """An uploaded file, read: a table (CSV/xlsx) or MARC records."""

    kind: str
    table: Table | None = None
    items: list[marc.MarcItem] | None = None

    @property
    def headers(self) -> list[str]:
        """Return the table's headers (none for MARC)."""
        return self.table.headers if self.table else []





# Files people upload by mistake, told apart by their first bytes (not by their name).
_OTHER_FORMATS = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\xd0\xcf\x11\xe0",  # images, PDF, .xls
    b"MZ", b"\x7fELF", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"Rar!", b"{\\rtf",
)


def file_kind(path: Path) -> str:
    """Return what an uploaded file is by its content ('marc', 'xlsx', 'csv'), or refuse it."""
    path = Path(path)
    if marc.looks_like_marc(path):
        return "marc"
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    check_workbook_size(archive)  # a zip bomb is refused at the upload
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise WrongFileType()  # a .docx, .zip, .odt, ...
    if head.startswith(_OTHER_FORMATS):
        raise WrongFileType()
    # Text has no NUL bytes, except UTF-16 (which starts with its byte order mark).
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WrongFileType()
    return "csv"


def load_source(path: Path) -> Source:
    """Read an uploaded file: MARC (binary or XML), .xlsx or CSV (checked by content)."""
    path = Path(path)
    file_kind(path)
    if marc.looks_like_marc(path):
        items = list(marc.read_marc(path))
        if not items:
            raise UnreadableFile()
        return Source(kind="marc", items=items)
    table = read_table(path)
    return Source(kind=table.kind, table=table)


def check_rows(source: Source, mapping: dict[str, int] | None = None) -> list[CheckedRow]:
    """Check every row (or MARC record) of a source with a column mapping."""
    if source.kind == "marc":
        return _marc_rows(source.items or [])
    table = source.table
    mapping = guess_mapping(table.headers) if mapping is None else mapping
    if "title" not in mapping:
        raise MappingInvalid()
    rows = []
    for line, cells in zip(table.line_numbers, table.rows, strict=True):
        values = {name: cells[index] if index < len(cells) else ""
                  for name, index in mapping.items()}
        rows.append(check_row(line, values))
    return rows


def _marc_rows(items: list[marc.MarcItem]) -> list[CheckedRow]:
    rows = []
    for item in items:
        if item.error:
            rows.append(CheckedRow(number=item.number, fatal=_l(
                "the record could not be read (%(error)s)", error=item.error)))
            continue
        copies = item.copies or [("", "")]
        for index, (barcode, call_number) in enumerate(copies, start=1):
            number = item.number if len(copies) == 1 else f"{item.number}.{index}"
            values = dict(item.values, barcode=barcode, call_number=call_number)
            row = check_row(number, values, isbn_cells=item.isbn_cells)
            for warning in item.warnings:
                row.problems.append(_l("the record has a fault: %(warning)s",
                                       warning=warning))
            rows.append(row)
    return rows



def parse_mapping(headers: list[str], form: dict[str, str]) -> dict[str, int]:
    """Read a mapping from form fields map_<field> = column index ('' = none)."""
    mapping = {}
    for name in FIELD_NAMES:
        value = (form.get(f"map_{name}") or "").strip()
        if value.isdigit() and int(value) < len(headers):
            mapping[name] = int(value)
    return mapping


def parse_mapping_option(headers: list[str], options: Iterable[str]) -> dict[str, int]:
    """Read CLI mapping options 'field=Header' (or 'field=3', a 1-based column) over a guess."""
    mapping = guess_mapping(headers)
    for option in options:
        name, _sep, column = option.partition("=")
        name = name.strip()
        if name not in FIELD_NAMES:
            raise MappingInvalid(_l("Unknown field %(name)s.", name=name))
        column = column.strip()
        if not column:
            mapping.pop(name, None)
        elif column in headers:
            mapping[name] = headers.index(column)
        elif column.isdigit() and 1 <= int(column) <= len(headers):
            mapping[name] = int(column) - 1
        else:
            raise MappingInvalid(_l("No column %(column)s in the file.", column=column))
    return mapping


