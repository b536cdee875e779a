"""The report of an import: one line per row, its verdict, what was done and why."""

from flask_babel import lazy_gettext as _l

from app.core.csvutil import csv_bytes
from app.imports.services import VERDICT_LABELS, Plan

REPORT_HEADERS = (_l("Row"), _l("Verdict"), _l("Title"), _l("ISBN"), _l("Barcode"),
                  _l("What was done"), _l("Messages"))


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
    """Return the report as CSV (UTF-8 with BOM, formula-looking cells escaped), in the
    reader's language: its column names and verdicts."""
    verdicts = {verdict: str(label) for verdict, label in VERDICT_LABELS.items()}
    rows = [[number, verdicts[verdict], *rest]
            for number, verdict, *rest in report_rows(plan)]
    return csv_bytes([str(header) for header in REPORT_HEADERS], rows)


def summary_text(counts: dict[str, int]) -> str:
    """Return the counts as one line of text."""
    return ", ".join(f"{k}={v}" for k, v in counts.items())


