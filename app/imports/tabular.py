"""Read a spreadsheet (CSV in any common encoding and delimiter, or .xlsx) into a Table.

The import reads a file in one request, every time the preview is shown, so what it
reads is capped: the rows of any spreadsheet, and a workbook's unpacked size and
compression ratio, checked from the zip's directory before anything is unpacked (an
.xlsx of 730 kB can unpack to 220 MB of sheet XML, 30 s of parsing).
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import FileTooLarge, InvalidInput, UnreadableFile

# Encodings tried in order. CP949 is a superset of EUC-KR (what Korean Excel writes).
ENCODINGS = ("utf-8", "cp949")
DELIMITERS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"

# The goodbooks workbook (10,000 books, 23 columns) unpacks to 14 MB at 7.6 to 1 and
# reads in about 3 s; these caps are five times that.
MAX_ROWS = 50_000  # data rows, after the header
MAX_COLUMNS = 200
MAX_UNPACKED_MB = 70
# Sheets compress 5 to 20 to 1 (a sheet of empty formatted cells, more); a zip bomb, 300.
MAX_RATIO = 100
_RATIO_FLOOR = 1024 * 1024  # a member this small cannot hurt, whatever its ratio


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


def _too_many_rows() -> FileTooLarge:
    return FileTooLarge(
        _l("This file has more than %(max)d rows. Split it into files of at most %(max)d "
           "rows."), max=MAX_ROWS)


def check_workbook_size(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook that unpacks past MAX_UNPACKED_MB or MAX_RATIO (FileTooLarge).

    The sizes come from the zip's directory; unpacking never yields more than they say
    (zipfile stops at the stated size and then fails the checksum).
    """
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if member.file_size > _RATIO_FLOOR \
                and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise FileTooLarge(
                _l("This workbook unpacks to more than %(ratio)d times its size, which no "
                   "spreadsheet does. Save it again from your spreadsheet program, or as "
                   "CSV."), ratio=MAX_RATIO)
    if total > MAX_UNPACKED_MB * 1024 * 1024:
        raise FileTooLarge(
            _l("This workbook unpacks to more than %(mb)d MB. Split it into smaller files, "
               "or save it as CSV."), mb=MAX_UNPACKED_MB)


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
            if len(rows) == MAX_ROWS:
                raise _too_many_rows()
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


_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError)


def read_xlsx(path: Path) -> Table:
    """Read the first worksheet of an .xlsx workbook, row by row, within the caps."""
    # A file object, not a name: openpyxl would refuse a name without ".xlsx".
    handle = open(path, "rb")  # noqa: SIM115 - closed below
    try:
        with zipfile.ZipFile(handle) as archive:
            check_workbook_size(archive)
        # Read-only: rows are parsed as they are asked for, not the whole sheet at once.
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, *_XLSX_ERRORS) as error:
        handle.close()
        raise UnreadableFile() from error
    except FileTooLarge:
        handle.close()
        raise
    try:
        sheet = workbook.worksheets[0]
        # The size the sheet states (when it does) is refused before a row is parsed.
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise _too_many_rows()
        headers: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:  # sheet rows, blank ones too: the parse stops here
                raise _too_many_rows()
            if len(values) > MAX_COLUMNS:  # empty cells past the last column are dropped
                extra = values[MAX_COLUMNS:]
                if extra.count(None) != len(extra):
                    raise FileTooLarge(_l("This workbook has more than %(max)d columns."),
                                       max=MAX_COLUMNS)
                values = values[:MAX_COLUMNS]
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            rows.append(cells)
            lines.append(number)
    except _XLSX_ERRORS as error:  # a member shorter or longer than the zip says
        raise UnreadableFile() from error
    finally:
        workbook.close()
        handle.close()
    if headers is None:
        raise UnreadableFile()
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, rows, lines, kind="xlsx")
