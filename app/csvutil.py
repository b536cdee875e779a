"""CSV for spreadsheets: UTF-8 with BOM (Excel reads Hangul), formula-looking cells escaped."""

import csv
import io
from collections.abc import Iterable

# A cell starting with one of these is run as a formula by Excel/LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """Return a cell's text, with a leading ' when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """Return a CSV file's bytes: UTF-8 with BOM, CRLF line ends, every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(h) for h in headers])
    for row in rows:
        writer.writerow([escape_cell(v) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
