"""Spine labels (등록 라벨 / 청구기호 라벨): a copy's call number one part a line, as Korean
libraries print it (별치기호 / class / author+title mark / volume / copy), in the embedded
Korean font, as big as the label allows; and the combined label (the copy label with its
barcode on the left, the spine label on the right, a cut line between).

Pure rendering, no database: the page loop is ``app.labels.pdf.render_sheet``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

from app.callnumbers import parse_call_number
from app.labels.barcode_drawing import Bars
from app.labels.fonts import Fonts, clean_text
from app.labels.pdf import LabelItem, _draw_label, render_sheet
from app.labels.sheet import MM, SheetSpec, label_layout

#: The largest spine text (pt): readable across a room, and what a 24 mm roll allows.
MAX_SPINE_SIZE = 16.0
MIN_SPINE_SIZE = 5.0
LINE_GAP = 1.2  # line height as a multiple of the font size
#: The spine part of a combined label: a third of the label, at most 25 mm.
COMBINED_SPINE_MM = 25.0
# Room a spine-only sheet gives the (undrawn) barcode check: any barcode fits.
_NO_BARS_ROOM = 10_000.0
_COPY_MARK = re.compile(r"(=\s*[0-9]+|[cC]\.\s*[0-9]+)\s*$")


@dataclass(frozen=True, slots=True)
class SpineItem:
    """One copy's spine label (with what its copy label carries, for the combined one)."""

    barcode: str
    lines: tuple[str, ...]
    title: str = ""
    call_number: str | None = None
    cafe_name: str = ""


def spine_lines(call_number: str | None) -> tuple[str, ...]:
    """Return a call number's spine lines: 별치기호, class, author mark, volume, copy mark."""
    text = clean_text(call_number)
    if not text:
        return ()
    copy_mark = None
    match = _COPY_MARK.search(text)
    if match:
        copy_mark = match.group(1).replace(" ", "")
        text = text[:match.start()].rstrip(" -")
    parsed = parse_call_number(text)
    lines = [parsed.shelf, parsed.class_number, parsed.author_mark, parsed.volume, parsed.rest,
             copy_mark]
    return tuple(line for line in lines if line)


def spine_size(lines: Sequence[str], font: str, width: float, height: float) -> float:
    """Return the one font size (pt) every line fits the label at, as big as it allows."""
    if not lines:
        return MAX_SPINE_SIZE
    size = min(MAX_SPINE_SIZE, height / (len(lines) * LINE_GAP))
    widest = max(stringWidth(line, font, 1.0) for line in lines)
    if widest > 0:
        size = min(size, width / widest)
    return max(MIN_SPINE_SIZE, size)


def draw_spine(c: rl_canvas.Canvas, lines: Sequence[str], x: float, y: float, w: float,
               h: float, font: str) -> None:
    """Draw the spine lines centred on a w x h box whose bottom-left corner is (x, y)."""
    pad = min(1.5 * MM, w * 0.08)
    size = spine_size(lines, font, w - 2 * pad, h - 2 * pad)
    block = len(lines) * size * LINE_GAP
    top = y + h / 2 + block / 2
    c.setFont(font, size)
    for n, line in enumerate(lines):
        baseline = top - (n + 1) * size * LINE_GAP + size * (LINE_GAP - 1) / 2 + 0.12 * size
        c.drawCentredString(x + w / 2, baseline, line)


def _draw_spine_label(c: rl_canvas.Canvas, item: SpineItem, _bars: Bars, x: float, y: float,
                      faces: Fonts, *, w: float, h: float) -> None:
    c.saveState()
    clip = c.beginPath()
    clip.rect(x, y, w, h)
    c.clipPath(clip, stroke=0, fill=0)
    draw_spine(c, item.lines, x, y, w, h, faces.bold)
    c.restoreState()


def render_spine_labels(items: Sequence[SpineItem], sheet: SheetSpec, *,
                        start_at: int = 1) -> bytes:
    """Render spine labels on ``sheet`` pages from position ``start_at``; return a PDF."""
    return render_sheet(items, sheet, start_at=start_at, title="Spine labels",
                        bar_room=_NO_BARS_ROOM,
                        draw=partial(_draw_spine_label, w=sheet.label_width_mm * MM,
                                     h=sheet.label_height_mm * MM))


def combined_split(label_width_mm: float) -> tuple[float, float]:
    """Return the widths (mm) of the copy-label part and the spine part of a combined label."""
    spine = min(COMBINED_SPINE_MM, label_width_mm / 3)
    return label_width_mm - spine, spine


def _draw_combined(c: rl_canvas.Canvas, item: SpineItem, bars: Bars, x: float, y: float,
                   faces: Fonts, *, sheet: SheetSpec) -> None:
    left_mm, spine_mm = combined_split(sheet.label_width_mm)
    lay = label_layout(left_mm, sheet.label_height_mm)
    label = LabelItem(barcode=item.barcode, title=item.title, call_number=item.call_number,
                      cafe_name=item.cafe_name)
    _draw_label(c, label, bars, x, y, faces, lay=lay)
    h = sheet.label_height_mm * MM
    cut = x + left_mm * MM
    c.saveState()
    c.setLineWidth(0.3)
    c.setDash(1, 2)
    c.line(cut, y + 1, cut, y + h - 1)  # where to cut the spine label off
    c.restoreState()
    _draw_spine_label(c, item, bars, cut, y, faces, w=spine_mm * MM, h=h)


def render_combined(items: Sequence[SpineItem], sheet: SheetSpec, *, start_at: int = 1) -> bytes:
    """Render one combined label per copy (copy label + spine label); return a PDF."""
    left_mm, _spine = combined_split(sheet.label_width_mm)
    lay = label_layout(left_mm, sheet.label_height_mm)
    return render_sheet(items, sheet, start_at=start_at, title="Labels and spine labels",
                        bar_room=lay.text_w, draw=partial(_draw_combined, sheet=sheet))
