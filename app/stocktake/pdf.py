"""A stocktake report as an A4 PDF: the counts, then the missing list by range.

Plain data in, bytes out (no models). Hangul is embedded with NanumGothic (Debian's
fonts-nanum), as the labels and letters are.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from app.labels.fonts import fonts

GREY = Color(0.45, 0.45, 0.45)


@dataclass(frozen=True)
class ReportDocument:
    """What the PDF says, already in words."""

    title: str
    lines: Sequence[str]  # scope, dates, who
    figures: Sequence[tuple[str, str]]
    heading: str  # of the missing list
    columns: Sequence[str]
    # (range label, rows of cells in the order of `columns`)
    groups: Sequence[tuple[str, Sequence[Sequence[str]]]]
    empty: str  # said when nothing is missing
    footer: str



def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# Column widths as shares of the line: call number, barcode, title, state, last loan, seen.
SHARES = (0.17, 0.15, 0.32, 0.1, 0.13, 0.13)


def report_pdf(doc: ReportDocument) -> bytes:
    """Return the report as an A4 PDF (pages as many as the missing list needs)."""
    regular, bold = fonts()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    pdf.setTitle(doc.title)
    width, height = A4
    left, right = 15 * mm, width - 15 * mm
    line_width = right - left
    shares = SHARES[:len(doc.columns)]
    xs = [left + line_width * sum(shares[:i]) / sum(shares) for i in range(len(shares))]
    widths = [line_width * s / sum(shares) - 2 * mm for s in shares]
    page = [1]
    y = height - 20 * mm

    def footer():
        pdf.setFont(regular, 8)
        pdf.setFillColor(GREY)
        pdf.drawString(left, 10 * mm, doc.footer)
        pdf.drawRightString(right, 10 * mm, str(page[0]))
        pdf.setFillColor(Color(0, 0, 0))

    def room(needed: float) -> None:
        nonlocal y
        if y - needed < 18 * mm:
            footer()
            pdf.showPage()
            page[0] += 1
            y = height - 20 * mm

    def columns_row(cells: Sequence[str], font: str, size: float) -> None:
        nonlocal y
        room(6 * mm)
        pdf.setFont(font, size)
        for x, w, cell in zip(xs, widths, cells, strict=False):
            pdf.drawString(x, y, _fit(str(cell or ""), font, size, w))
        y -= 5 * mm

    pdf.setFont(bold, 18)
    pdf.drawString(left, y, doc.title)
    y -= 9 * mm
    pdf.setFont(regular, 10)
    for line in doc.lines:
        pdf.drawString(left, y, _fit(line, regular, 10, line_width))
        y -= 5.5 * mm
    y -= 3 * mm
    for label, value in doc.figures:
        pdf.setFont(regular, 11)
        pdf.drawString(left, y, label)
        pdf.setFont(bold, 11)
        pdf.drawRightString(left + 70 * mm, y, value)
        y -= 6 * mm
    y -= 4 * mm
    pdf.setFont(bold, 13)
    pdf.drawString(left, y, doc.heading)
    y -= 8 * mm
    if not doc.groups:
        pdf.setFont(regular, 10)
        pdf.drawString(left, y, doc.empty)
    for label, rows in doc.groups:
        room(14 * mm)
        pdf.setFont(bold, 11)
        pdf.drawString(left, y, f"{label} ({len(rows)})")
        y -= 6 * mm
        columns_row(doc.columns, bold, 8.5)
        for row in rows:
            columns_row(row, regular, 8.5)
        y -= 3 * mm
    footer()
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
