"""A month's approved volunteer shifts as a PDF (NanumGothic embedded, as the labels)."""

import io

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from app.labels.fonts import fonts


def month_pdf(year: int, month: int, rows) -> bytes:
    """Return the month's shifts, one line each, with each volunteer's total."""
    regular, bold = fonts()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    width, height = A4
    title = _("Volunteer hours %(year)d-%(month)02d", year=year, month=month)
    pdf.setTitle(title)
    y = height - 25 * mm

    def line(text: str, font: str = regular, size: float = 10) -> None:
        nonlocal y
        if y < 20 * mm:
            pdf.showPage()
            y = height - 20 * mm
        pdf.setFont(font, size)
        pdf.drawString(20 * mm, y, text)
        y -= 6 * mm

    line(title, bold, 16)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.volunteer] = totals.get(row.volunteer, 0) + row.minutes
        line(f"{row.volunteer} · {row.day.isoformat()} {row.start}–{row.end} "
             f"({row.minutes // 60}:{row.minutes % 60:02d}) · {row.activity} {row.note}"[:110])
    y -= 4 * mm
    for name, minutes in totals.items():
        line(_("%(name)s: %(hours)d h %(minutes)02d min in total", name=name,
               hours=minutes // 60, minutes=minutes % 60), bold)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
