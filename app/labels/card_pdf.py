"""Member cards as PDF: ID-1 cards (85.6 x 54 mm) with the café's name, the member's name
and their card's barcode, drawn by the label sheets' page loop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from reportlab.lib.colors import Color
from reportlab.pdfgen import canvas as rl_canvas

from app.labels.barcode_drawing import Bars, draw_barcode
from app.labels.fonts import Fonts, clean_text, fit_size, fit_text
from app.labels.pdf import BLACK, render_sheet
from app.labels.sheet import MM, SheetSpec

CARD_PAD = 4 * MM
CARD_EDGE = Color(0.75, 0.75, 0.75)


@dataclass(frozen=True, slots=True)
class CardItem:
    """One member card: member name, card barcode, café name."""

    name: str
    barcode: str
    cafe_name: str


#: ID-1 cards (85.6 x 54 mm), 2 x 5 centred on A4.
MEMBER_CARD_SHEET = SheetSpec(
    page_width_mm=210,
    page_height_mm=297,
    rows=5,
    columns=2,
    label_width_mm=85.6,
    label_height_mm=54,
    margin_top_mm=(297 - 5 * 54) / 2,
    margin_left_mm=(210 - 2 * 85.6) / 2,
    gap_x_mm=0,
    gap_y_mm=0,
)


def _draw_card(c: rl_canvas.Canvas, card: CardItem, bars: Bars, x: float, y: float,
               faces: Fonts, *, w: float, h: float) -> None:
    """Draw one member card with its bottom-left corner at (x, y) points."""
    regular, bold = faces
    pad = CARD_PAD
    text_w = w - 2 * pad
    c.saveState()
    c.setStrokeColor(CARD_EDGE)
    c.setLineWidth(0.3)
    c.roundRect(x + 0.3, y + 0.3, w - 0.6, h - 0.6, 3 * MM, stroke=1, fill=0)

    cafe = fit_text(clean_text(card.cafe_name), bold, 10.0, text_w)
    if cafe:
        c.setFont(bold, 10.0)
        c.drawString(x + pad, y + h - pad - 8.0, cafe)
        c.setLineWidth(0.5)
        c.setStrokeColor(BLACK)
        c.line(x + pad, y + h - pad - 12.0, x + w - pad, y + h - pad - 12.0)
    name_size = fit_size(clean_text(card.name), bold, 16.0, 11.0, text_w)
    name = fit_text(clean_text(card.name), bold, name_size, text_w)
    if name:
        c.setFont(bold, name_size)
        c.drawString(x + pad, y + h - pad - 12.0 - 6.0 - 0.8 * name_size, name)

    digit_size = 9.0
    bar_h = 12 * MM
    bars_bottom = y + pad + digit_size * (0.25 + 0.72 + 0.1)
    draw_barcode(c, bars, x + w / 2, bars_bottom, bar_h, regular, digit_size, text_w)
    c.restoreState()


def render_member_cards(
    cards: Sequence[CardItem],
    *,
    start_at: int = 1,
    sheet: SheetSpec | None = None,
) -> bytes:
    """Render member cards (85.6 x 54 mm, 10 per A4 page by default); return PDF bytes."""
    sheet = sheet or MEMBER_CARD_SHEET
    w, h = sheet.label_width_mm * MM, sheet.label_height_mm * MM
    return render_sheet(cards, sheet, start_at=start_at, title="Member cards",
                        bar_room=w - 2 * CARD_PAD, draw=partial(_draw_card, w=w, h=h))
