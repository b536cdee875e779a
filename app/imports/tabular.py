"""Read a spreadsheet (CSV in any common encoding and delimiter, or .xlsx) into a Table."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import InvalidInput, UnreadableFile

# Encodings tried in order. CP949 is a superset of EUC-KR (what Korean Excel writes).
ENCODINGS = ("utf-8", "cp949")
DELIMITERS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    """A header row and data rows of text cells, with how the file was read."""

    headers: list[str]
    rows: list[list[str]]
    # The file's line number (1-based) of each data row, for the report.
    line_numbers: list[int] = field(default_factory=list)
    kind: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None


def read_table(path: Path) -> Table:
    """Read a .csv/.tsv/.txt or .xlsx file; raise UnreadableFile when it is neither."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == XLSX_MAGIC:
        return read_xlsx(path)
    return read_csv_bytes(Path(path).read_bytes())


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-16 (BOM), UTF-8 (with or without BOM) or CP949/EUC-KR."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:  # odd length, lone surrogate
            raise UnreadableFile() from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise UnreadableFile() from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile()


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the header line into the most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(first, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def read_csv_bytes(data: bytes) -> Table:
    """Parse CSV bytes: encoding and delimiter detected; CR, LF or CRLF line ends."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile()
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if headers is None:
                headers = [cell.strip() for cell in record]
                continue
            rows.append(record)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise InvalidInput(str(error)) from error
    if headers is None:
        raise UnreadableFile()
    return Table(headers, rows, lines, kind="csv", encoding=encoding, delimiter=delimiter)


def cell_text(value: object) -> str:
    """Turn a spreadsheet cell into text: 9788936433598.0 -> '9788936433598', dates -> year."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    return str(value)


def read_xlsx(path: Path) -> Table:
    """Read the first worksheet of an .xlsx workbook."""
    # A file object, not a name: openpyxl would refuse a name without ".xlsx".
    handle = open(path, "rb")  # noqa: SIM115 - closed below
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        handle.close()
        raise UnreadableFile() from error
    try:
        sheet = workbook.worksheets[0]
        headers: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            rows.append(cells)
            lines.append(number)
    finally:
        workbook.close()
        handle.close()
    if headers is None:
        raise UnreadableFile()
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, rows, lines, kind="xlsx")
