"""Label sheets as PDF: the one page loop that draws an item at each position of a sheet,
and the copy label (title, call number or shelf, café name, barcode) it draws most.

Member cards are drawn by the same loop (``app.labels.card_pdf``). Pure rendering, no
database: the sheet's geometry is ``app.labels.sheet``, the bars
``app.labels.barcode_drawing``, the text ``app.labels.fonts``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import Color
from reportlab.pdfgen import canvas as rl_canvas

from app.barcodes import bar_pattern
from app.labels.barcode_drawing import Bars, draw_barcode, module_width
from app.labels.fonts import Fonts, clean_text, fit_text, fonts
from app.labels.sheet import (
    MAX_BAR_HEIGHT_PT,
    MM,
    LabelError,
    LabelLayout,
    SheetSpec,
    bar_height,
    label_layout,
    label_positions,
)

BLACK = Color(0, 0, 0)

#: draw(canvas, item, its bars, x, y, fonts): one item with its bottom-left corner at
#: (x, y) points.
DrawItem = Callable[[rl_canvas.Canvas, object, Bars, float, float, Fonts], None]


@dataclass(frozen=True, slots=True)
class LabelItem:
    """One copy label: barcode, title, optional call number/shelf, café name."""

    barcode: str
    title: str
    call_number: str | None
    cafe_name: str


def render_sheet(items: Sequence, sheet: SheetSpec, *, start_at: int, title: str,
                 bar_room: float, draw: DrawItem) -> bytes:
    """Draw each item (it has a ``barcode``) at the next position of ``sheet``, skipping
    ``start_at - 1`` positions, over as many pages as needed; return the PDF.

    Every barcode is read, and fitted to ``bar_room`` points, before anything is drawn.
    """
    items = list(items)
    if not items:
        raise LabelError(str(_l("There is nothing to print.")))
    positions = label_positions(sheet, len(items), start_at)
    patterns = [bar_pattern(item.barcode) for item in items]  # validate before drawing
    bars = [Bars(p, module_width(p, bar_room)) for p in patterns]
    faces = fonts()
    page_h = sheet.page_height_mm * MM

    buf = io.BytesIO()
    c = _new_canvas(buf, sheet, title, faces.regular)
    page = 0
    for item, item_bars, pos in zip(items, bars, positions, strict=True):
        if pos.page != page:
            c.showPage()
            c.setFillColor(BLACK)
            page = pos.page
        x = pos.x_mm * MM
        y = page_h - (pos.y_mm + sheet.label_height_mm) * MM
        draw(c, item, item_bars, x, y, faces)
    c.showPage()
    c.save()
    return buf.getvalue()


def _new_canvas(buf: io.BytesIO, sheet: SheetSpec, title: str, font: str) -> rl_canvas.Canvas:
    """Return a canvas of the sheet's page size that writes into ``buf``."""
    # initialFontName: without it every page refers to (unembedded) Helvetica
    c = rl_canvas.Canvas(
        buf,
        pagesize=(sheet.page_width_mm * MM, sheet.page_height_mm * MM),
        invariant=1,
        pageCompression=1,
        initialFontName=font,
    )
    c.setTitle(title)
    c.setAuthor("bookcafe")
    c.setSubject(title)
    c.setCreator("bookcafe")
    c.setFillColor(BLACK)
    return c


def _draw_label(c: rl_canvas.Canvas, item: LabelItem, bars: Bars, x: float, y: float,
                faces: Fonts, *, lay: LabelLayout) -> None:
    """Draw one copy label with its bottom-left corner at (x, y) points."""
    regular, bold = faces
    c.saveState()
    clip = c.beginPath()
    clip.rect(x, y, lay.w, lay.h)
    c.clipPath(clip, stroke=0, fill=0)
    cx = x + lay.w / 2

    title = fit_text(clean_text(item.title), bold, lay.title_size, lay.text_w)
    if title:
        c.setFont(bold, lay.title_size)
        c.drawCentredString(cx, y + lay.title_y, title)
    call = fit_text(clean_text(item.call_number), regular, lay.small_size, lay.text_w)
    if call:
        c.setFont(regular, lay.small_size)
        c.drawCentredString(cx, y + lay.call_y, call)
    cafe = fit_text(clean_text(item.cafe_name), regular, lay.small_size, lay.text_w)
    if cafe:
        c.setFont(regular, lay.small_size)
        c.drawCentredString(cx, y + lay.cafe_y, cafe)

    digits_h = lay.digit_size * (0.25 + 0.72 + 0.1)
    band = lay.region_top - lay.region_bottom
    bar_h = max(0.0, min(MAX_BAR_HEIGHT_PT, bar_height(lay)))
    bars_bottom = y + lay.region_bottom + (band - bar_h - digits_h) / 2 + digits_h
    draw_barcode(c, bars, cx, bars_bottom, bar_h, regular, lay.digit_size, lay.text_w)
    c.restoreState()


def render_labels(items: Sequence[LabelItem], sheet: SheetSpec, *, start_at: int = 1) -> bytes:
    """Render copy labels on ``sheet`` pages, skipping ``start_at - 1`` positions; return a PDF."""
    lay = label_layout(sheet.label_width_mm, sheet.label_height_mm)
    return render_sheet(items, sheet, start_at=start_at, title="Labels", bar_room=lay.text_w,
                        draw=partial(_draw_label, lay=lay))
