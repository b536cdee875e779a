"""Barcodes drawn on a PDF canvas: bars as vector rectangles on the printer's dot grid,
and the human-readable code below them.

Bars come from the module pattern that ``app.barcodes.bar_pattern`` returns, so labels
are sharp at any printer resolution, small (a few hundred KB for 1,500 labels) and fast
to make.
"""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from reportlab.pdfgen import canvas as rl_canvas

from app.barcodes import BarPattern
from app.labels.fonts import fit_size, fit_text, text_width
from app.labels.sheet import DOT_PT, MAX_MODULE_DOTS, MIN_MODULE_DOTS, MM, LabelError, fmt


class Bars(NamedTuple):
    """A barcode ready to draw: its module pattern and the module width in points."""

    pattern: BarPattern
    x_mod: float


class BarcodeTooWide(LabelError):
    """A barcode (a long imported Code 128 code) that cannot be read at this label width."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def module_width(pattern: BarPattern, avail_w: float) -> float:
    """Module width in points: whole 1/600" dots between MIN and MAX that fit ``avail_w``."""
    dots = min(MAX_MODULE_DOTS, int(avail_w / pattern.width_modules / DOT_PT + 1e-9))
    if dots < MIN_MODULE_DOTS:
        needed = pattern.width_modules * MIN_MODULE_DOTS * DOT_PT / MM
        raise BarcodeTooWide(
            str(
                _l(
                    "The barcode %(code)s is too long for these labels: it needs %(mm)s mm "
                    "of width. Print it on wider labels.",
                    code=pattern.code,
                    mm=fmt(needed + 0.05),
                )
            ),
            pattern.code,
        )
    return dots * DOT_PT


_EAN_GUARDS = ((0, 3), (45, 5), (92, 3))


def draw_barcode(c: rl_canvas.Canvas, bars: Bars, cx: float, bars_bottom: float, bar_h: float,
                 digit_font: str, digit_size: float, max_text_w: float) -> None:
    """Draw bars centred on ``cx`` and the human-readable text below them."""
    pattern, x_mod = bars
    ql, _qr = pattern.quiet_zone
    total = pattern.width_modules * x_mod
    left = cx - total / 2
    left = round(left / DOT_PT) * DOT_PT  # on the printer dot grid
    x_bars = left + ql * x_mod
    is_ean = pattern.symbology == "ean13"
    digit_top_gap = 0.25 * digit_size
    baseline = bars_bottom - digit_top_gap - 0.72 * digit_size
    guard_bottom = baseline + 0.3 * digit_size if is_ean else bars_bottom

    # Bars as raw "re" operators in one filled path: reportlab's path objects
    # format every number in pure Python, which was most of the time for 1,500
    # labels. Wrapped in q/Q with an explicit black fill, so it is self-contained.
    top = bars_bottom + bar_h
    ops = ["q 0 g"]
    for start, width in pattern.runs():
        long_bar = is_ean and any(g <= start < g + n for g, n in _EAN_GUARDS)
        y = guard_bottom if long_bar else bars_bottom
        ops.append(f"{x_bars + start * x_mod:.3f} {y:.3f} {width * x_mod:.3f} {top - y:.3f} re")
    ops.append("f Q")
    c.addLiteral("\n".join(ops))

    code = pattern.code
    if is_ean:
        c.setFont(digit_font, digit_size)
        adv = text_width("0", digit_font, digit_size)
        space = 7 * x_mod - adv
        # first digit in the left quiet zone, then two groups of six under the bars
        c.drawString(x_bars - x_mod - adv, baseline, code[0])
        c.drawString(x_bars + 6.5 * x_mod - adv / 2, baseline, code[1:7], charSpace=space)
        c.drawString(x_bars + 53.5 * x_mod - adv / 2, baseline, code[7:], charSpace=space)
    else:
        size = fit_size(code, digit_font, digit_size, 4.5, max_text_w)
        text = fit_text(code, digit_font, size, max_text_w)
        c.setFont(digit_font, size)
        c.drawCentredString(cx, baseline, text)
