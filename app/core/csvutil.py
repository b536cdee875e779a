"""CSV files people open in a spreadsheet: UTF-8 with a BOM, formula cells neutralised.

Excel guesses a legacy code page for a CSV without a byte order mark, which breaks
Korean; and a cell starting with = + - @ (or a tab or carriage return) is run as a
formula (CSV injection, OWASP). Every CSV the app writes goes through here.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from urllib.parse import quote

from flask import Response

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Return a cell's text, with a leading quote if a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # numbers stay numbers (a negative count is not a formula)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence, rows: Iterable[Sequence]) -> str:
    """Return the CSV text (BOM first, CRLF line ends) of a header and rows."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> Response:
    """Return a download of the CSV (UTF-8 with BOM) under `filename`."""
    body = to_csv(header, rows).encode("utf-8")
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
        content_type="text/csv; charset=utf-8",
    )


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """Return the CSV file's bytes (UTF-8 with BOM), for files written outside a request."""
    return to_csv(header, rows).encode("utf-8")
