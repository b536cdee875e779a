"""The report of an import: one line per row, its verdict, what was done and why."""

from app.core.csvutil import csv_bytes
from app.imports.services import Plan

REPORT_HEADERS = ("row", "verdict", "title", "isbn13", "barcode", "action", "messages")


def report_rows(plan: Plan) -> list[list[str]]:
    """Return the report as rows of text (one per imported row)."""
    out = []
    for result in plan.results:
        row = result.row
        out.append([
            str(row.number), result.verdict.value, row.title or "", row.isbn13 or "",
            row.barcode or "", str(result.action or ""),
            " | ".join(str(m) for m in result.messages),
        ])
    return out


def report_csv(plan: Plan) -> bytes:
    """Return the report as CSV (UTF-8 with BOM, formula-looking cells escaped)."""
    return csv_bytes(REPORT_HEADERS, report_rows(plan))


def summary_text(counts: dict[str, int]) -> str:
    """Return the counts as one line of text."""
    return ", ".join(f"{k}={v}" for k, v in counts.items())


