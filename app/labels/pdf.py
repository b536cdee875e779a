"""Label sheets and member cards as PDF (pure rendering, no database).

Bars are drawn as vector rectangles from the module pattern that
``app.barcodes.bar_pattern`` returns, so labels are sharp at any printer
resolution, small (a few hundred KB for 1,500 labels) and fast to make.

Coordinates in the public API are millimetres measured from the top-left
corner of the page (x to the right, y downwards), as people measure label
sheets. Pages in ``label_positions`` are numbered from 0.
"""

from __future__ import annotations

import io
import math
import os
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from app.barcodes import BarPattern, bar_pattern

MM = 72.0 / 25.4  # points per millimetre

#: TrueType font with Hangul used for every string on labels and cards.
FONT_PATH = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
#: Optional bold face for titles and names; the regular face is used if missing.
FONT_BOLD_PATH = "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"
ELLIPSIS = "\u2026"

# Bar module width: a whole number of 1/600 inch printer dots, so bars fall on
# the dot grid of 300 and 600 dpi printers. 8 dots = 0.339 mm (EAN-13 nominal
# is 0.33 mm); 4 dots = 0.169 mm still decodes from a 300 dpi raster.
DOT_PT = 72.0 / 600
MAX_MODULE_DOTS = 8
MIN_MODULE_DOTS = 4
MAX_BAR_HEIGHT_PT = 18.0 * MM
MIN_BAR_HEIGHT_PT = 5.0 * MM
CARD_PAD = 4 * MM
# Tolerance when checking that a sheet's labels fit on its page (rounded
# published sizes often overshoot by a fraction of a millimetre).
FIT_TOLERANCE_MM = 0.5

BLACK = Color(0, 0, 0)
CARD_EDGE = Color(0.75, 0.75, 0.75)


class LabelError(ValueError):
    """A sheet, batch or start position that cannot be printed."""


class BarcodeTooWide(LabelError):
    """A barcode (a long imported Code 128 code) that cannot be read at this label width."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class FontUnavailable(RuntimeError):
    """The label font is missing or unusable."""


# --------------------------------------------------------------------------
# Data types
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """A sheet template: page, grid, label size, margins, gaps and printer offset (mm)."""

    page_width_mm: float
    page_height_mm: float
    rows: int
    columns: int
    label_width_mm: float
    label_height_mm: float
    margin_top_mm: float
    margin_left_mm: float
    gap_x_mm: float
    gap_y_mm: float
    offset_x_mm: float = 0
    offset_y_mm: float = 0

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise LabelError(problems[0])

    @property
    def per_page(self) -> int:
        """Labels on one sheet."""
        return self.rows * self.columns

    def problems(self) -> list[str]:
        """Return what is wrong with this template (empty if it is usable)."""
        out: list[str] = []
        numbers = (
            self.page_width_mm,
            self.page_height_mm,
            self.label_width_mm,
            self.label_height_mm,
            self.margin_top_mm,
            self.margin_left_mm,
            self.gap_x_mm,
            self.gap_y_mm,
            self.offset_x_mm,
            self.offset_y_mm,
        )
        if not all(isinstance(n, (int, float)) and math.isfinite(n) for n in numbers):
            return [str(_l("Every sheet measurement must be a number."))]
        for n in (self.rows, self.columns):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                return [str(_l("Rows and columns must be whole numbers of at least 1."))]
        if (
            min(self.page_width_mm, self.page_height_mm, self.label_width_mm, self.label_height_mm)
            <= 0
        ):
            out.append(str(_l("Page and label sizes must be greater than zero.")))
        if min(self.margin_top_mm, self.margin_left_mm, self.gap_x_mm, self.gap_y_mm) < 0:
            out.append(str(_l("Margins and gaps cannot be negative.")))
        used_w = (
            self.margin_left_mm
            + self.columns * self.label_width_mm
            + (self.columns - 1) * self.gap_x_mm
        )
        used_h = (
            self.margin_top_mm + self.rows * self.label_height_mm + (self.rows - 1) * self.gap_y_mm
        )
        if not out:
            out.extend(_layout_problems(self.label_width_mm, self.label_height_mm))
        if used_w > self.page_width_mm + FIT_TOLERANCE_MM:
            out.append(
                str(
                    _l(
                        "The labels are %(used)s mm wide with the left margin, "
                        "more than the %(page)s mm page.",
                        used=_fmt(used_w),
                        page=_fmt(self.page_width_mm),
                    )
                )
            )
        if used_h > self.page_height_mm + FIT_TOLERANCE_MM:
            out.append(
                str(
                    _l(
                        "The labels are %(used)s mm tall with the top margin, "
                        "more than the %(page)s mm page.",
                        used=_fmt(used_h),
                        page=_fmt(self.page_height_mm),
                    )
                )
            )
        return out


@dataclass(frozen=True, slots=True)
class LabelItem:
    """One copy label: barcode, title, optional call number/shelf, café name."""

    barcode: str
    title: str
    call_number: str | None
    cafe_name: str


@dataclass(frozen=True, slots=True)
class CardItem:
    """One member card: member name, card barcode, café name."""

    name: str
    barcode: str
    cafe_name: str


class LabelPosition(NamedTuple):
    """Top-left corner of a label: page (from 0) and mm from the page's top-left."""

    page: int
    x_mm: float
    y_mm: float


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------
# Positions
# --------------------------------------------------------------------------


def label_positions(sheet: SheetSpec, count: int, start_at: int = 1) -> list[LabelPosition]:
    """Return (page, x_mm, y_mm) of the top-left corner of each of ``count`` labels."""
    _check_start(sheet, start_at)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise LabelError(str(_l("The number of labels must be zero or more.")))
    per_page = sheet.per_page
    step_x = sheet.label_width_mm + sheet.gap_x_mm
    step_y = sheet.label_height_mm + sheet.gap_y_mm
    x0 = sheet.margin_left_mm + sheet.offset_x_mm
    y0 = sheet.margin_top_mm + sheet.offset_y_mm
    out: list[LabelPosition] = []
    for slot in range(start_at - 1, start_at - 1 + count):
        page, within = divmod(slot, per_page)
        row, col = divmod(within, sheet.columns)
        out.append(LabelPosition(page, x0 + col * step_x, y0 + row * step_y))
    return out


def _check_start(sheet: SheetSpec, start_at: int) -> None:
    if (
        isinstance(start_at, bool)
        or not isinstance(start_at, int)
        or not 1 <= start_at <= sheet.per_page
    ):
        raise LabelError(str(_l("Start position must be between 1 and %(n)s.", n=sheet.per_page)))


# --------------------------------------------------------------------------
# Fonts and text
# --------------------------------------------------------------------------

_font_lock = threading.Lock()
_registered: dict[str, str] = {}


def font_path() -> str:
    """Return the label font path (env ``BOOKCAFE_FONT`` or ``FONT_PATH``)."""
    return os.environ.get("BOOKCAFE_FONT") or FONT_PATH


def _register(path: str) -> str:
    """Register the TrueType font at ``path`` once per process; return its name."""
    name = _registered.get(path)
    if name is not None:
        return name
    with _font_lock:
        name = _registered.get(path)
        if name is not None:
            return name
        if not os.path.isfile(path):
            raise FontUnavailable(
                str(
                    _l(
                        "The label font %(path)s does not exist. Install the fonts-nanum "
                        "package or set BOOKCAFE_FONT to a TrueType font with Hangul.",
                        path=path,
                    )
                )
            )
        name = f"BookCafe{len(_registered)}"
        try:
            pdfmetrics.registerFont(TTFont(name, path))
        except Exception as exc:  # reportlab raises TTFError and friends
            raise FontUnavailable(
                str(
                    _l(
                        "The label font %(path)s cannot be used (%(error)s). Set "
                        "BOOKCAFE_FONT to a TrueType (.ttf) font with Hangul.",
                        path=path,
                        error=exc,
                    )
                )
            ) from exc
        _registered[path] = name
        return name


def _fonts() -> tuple[str, str]:
    """Return (regular, bold) registered font names."""
    regular = _register(font_path())
    bold_path = os.environ.get("BOOKCAFE_FONT_BOLD") or FONT_BOLD_PATH
    if os.environ.get("BOOKCAFE_FONT") and not os.environ.get("BOOKCAFE_FONT_BOLD"):
        return regular, regular  # a custom font without a bold face
    try:
        bold = _register(bold_path)
    except FontUnavailable:
        bold = regular
    return regular, bold


@lru_cache(maxsize=65536)
def _char_width(ch: str, font: str) -> float:
    """Advance of one character at 1000 pt (reportlab adds advances, no kerning)."""
    return pdfmetrics.stringWidth(ch, font, 1000.0)


def _width(text: str, font: str, size: float) -> float:
    return 0.001 * size * sum(_char_width(ch, font) for ch in text)


def clean_text(text: str | None) -> str:
    """Return ``text`` in NFC with runs of whitespace/control characters as one space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    return " ".join(
        "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split()
    )


@lru_cache(maxsize=65536)
def fit_text(text: str, font: str, size: float, max_width: float) -> str:
    """Return ``text``, or its longest prefix + an ellipsis, no wider than ``max_width`` pt."""
    scale = 0.001 * size
    advances = [_char_width(ch, font) * scale for ch in text]
    if sum(advances) <= max_width:
        return text
    room = max_width - _char_width(ELLIPSIS, font) * scale
    if room < 0:
        return ""
    # longest prefix (trailing spaces dropped) that leaves room for the ellipsis
    keep, used = 0, 0.0
    for i, adv in enumerate(advances):
        used += adv
        if used > room:
            break
        if not text[i].isspace():
            keep = i + 1
    # never split a base character from its combining marks
    while 0 < keep < len(text) and unicodedata.combining(text[keep]):
        keep -= 1
    return text[:keep].rstrip() + ELLIPSIS


def _fit_size(text: str, font: str, size: float, min_size: float, max_width: float) -> float:
    """Largest size <= ``size`` (>= ``min_size``) at which ``text`` fits ``max_width``."""
    w = _width(text, font, size)
    if w <= max_width:
        return size
    return max(min_size, size * max_width / w * 0.999)


# --------------------------------------------------------------------------
# Barcode drawing
# --------------------------------------------------------------------------


def _module_width(pattern: BarPattern, avail_w: float) -> float:
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
                    mm=_fmt(needed + 0.05),
                )
            ),
            pattern.code,
        )
    return dots * DOT_PT


_EAN_GUARDS = ((0, 3), (45, 5), (92, 3))


def _draw_barcode(
    c: rl_canvas.Canvas,
    pattern: BarPattern,
    cx: float,
    bars_bottom: float,
    bar_h: float,
    x_mod: float,
    digit_font: str,
    digit_size: float,
    max_text_w: float,
) -> None:
    """Draw bars centred on ``cx`` and the human-readable text below them."""
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
        adv = _width("0", digit_font, digit_size)
        space = 7 * x_mod - adv
        # first digit in the left quiet zone, then two groups of six under the bars
        c.drawString(x_bars - x_mod - adv, baseline, code[0])
        c.drawString(x_bars + 6.5 * x_mod - adv / 2, baseline, code[1:7], charSpace=space)
        c.drawString(x_bars + 53.5 * x_mod - adv / 2, baseline, code[7:], charSpace=space)
    else:
        size = _fit_size(code, digit_font, digit_size, 4.5, max_text_w)
        text = fit_text(code, digit_font, size, max_text_w)
        c.setFont(digit_font, size)
        c.drawCentredString(cx, baseline, text)


# --------------------------------------------------------------------------
# Copy labels
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LabelLayout:
    """Sizes and offsets (points, from the label's bottom-left) shared by a sheet."""

    w: float
    h: float
    pad: float
    title_size: float
    small_size: float
    title_y: float
    call_y: float
    cafe_y: float
    digit_size: float
    region_bottom: float  # free band for bars + digits
    region_top: float
    text_w: float


@lru_cache(maxsize=64)
def _label_layout(w_mm: float, h_mm: float) -> _LabelLayout:
    w, h = w_mm * MM, h_mm * MM
    pad = min(max(min(w_mm, h_mm) * 0.06, 1.5), 3.0) * MM
    title_size = min(max(h_mm * 0.27, 6.0), 10.0)
    small_size = max(5.0, round(title_size * 0.8, 1))
    title_y = h - pad - 0.8 * title_size
    call_y = title_y - 0.2 * title_size - 0.9 * small_size
    cafe_y = pad + 0.2 * small_size
    # digits sized from the EAN-13 module width this label gets
    probe = bar_pattern("2010000000014").width_modules
    dots = min(MAX_MODULE_DOTS, max(MIN_MODULE_DOTS, int((w - 2 * pad) / probe / DOT_PT)))
    x_mod = dots * DOT_PT
    digit_size = min(9.0, 7 * x_mod / 0.606 * 0.85, title_size)
    region_top = call_y - 0.25 * small_size - 1.5
    region_bottom = cafe_y + 0.8 * small_size + 1.0
    return _LabelLayout(
        w=w,
        h=h,
        pad=pad,
        title_size=title_size,
        small_size=small_size,
        title_y=title_y,
        call_y=call_y,
        cafe_y=cafe_y,
        digit_size=digit_size,
        region_bottom=region_bottom,
        region_top=region_top,
        text_w=w - 2 * pad,
    )


def _bar_height(lay: _LabelLayout) -> float:
    """Bar height (pt) a label of this layout gets, before the cap."""
    return lay.region_top - lay.region_bottom - lay.digit_size * (0.25 + 0.72 + 0.1)


def _layout_problems(w_mm: float, h_mm: float) -> list[str]:
    """Return why labels of ``w_mm`` x ``h_mm`` cannot carry a readable barcode, if they cannot."""
    lay = _label_layout(w_mm, h_mm)
    ean_width = bar_pattern("2010000000014").width_modules * MIN_MODULE_DOTS * DOT_PT
    if _bar_height(lay) < MIN_BAR_HEIGHT_PT or lay.text_w < ean_width:
        return [
            str(
                _l(
                    "Labels of %(w)s x %(h)s mm are too small for a readable barcode.",
                    w=_fmt(w_mm),
                    h=_fmt(h_mm),
                )
            )
        ]
    return []


def _draw_label(
    c: rl_canvas.Canvas,
    item: LabelItem,
    pattern: BarPattern,
    x_mod: float,
    x: float,
    y: float,
    lay: _LabelLayout,
    regular: str,
    bold: str,
) -> None:
    """Draw one copy label with its bottom-left corner at (x, y) points."""
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
    bar_h = max(0.0, min(MAX_BAR_HEIGHT_PT, _bar_height(lay)))
    bars_bottom = y + lay.region_bottom + (band - bar_h - digits_h) / 2 + digits_h
    _draw_barcode(c, pattern, cx, bars_bottom, bar_h, x_mod, regular, lay.digit_size, lay.text_w)
    c.restoreState()


def _new_canvas(buf: io.BytesIO, sheet: SheetSpec, title: str, font: str) -> rl_canvas.Canvas:
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


def _patterns(codes: Iterable[str]) -> list[BarPattern]:
    return [bar_pattern(code) for code in codes]


def render_labels(items: Sequence[LabelItem], sheet: SheetSpec, *, start_at: int = 1) -> bytes:
    """Render copy labels on ``sheet`` pages, skipping ``start_at - 1`` positions; return a PDF."""
    items = list(items)
    if not items:
        raise LabelError(str(_l("There is nothing to print.")))
    positions = label_positions(sheet, len(items), start_at)
    patterns = _patterns(item.barcode for item in items)  # validate before drawing
    lay = _label_layout(sheet.label_width_mm, sheet.label_height_mm)
    widths = [_module_width(p, lay.text_w) for p in patterns]
    regular, bold = _fonts()
    page_h = sheet.page_height_mm * MM

    buf = io.BytesIO()
    c = _new_canvas(buf, sheet, "Labels", regular)
    page = 0
    for item, pattern, x_mod, pos in zip(items, patterns, widths, positions, strict=True):
        if pos.page != page:
            c.showPage()
            c.setFillColor(BLACK)
            page = pos.page
        x = pos.x_mm * MM
        y = page_h - (pos.y_mm + sheet.label_height_mm) * MM
        _draw_label(c, item, pattern, x_mod, x, y, lay, regular, bold)
    c.showPage()
    c.save()
    return buf.getvalue()


# --------------------------------------------------------------------------
# Member cards
# --------------------------------------------------------------------------


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


def _draw_card(
    c: rl_canvas.Canvas,
    card: CardItem,
    pattern: BarPattern,
    x_mod: float,
    x: float,
    y: float,
    w: float,
    h: float,
    regular: str,
    bold: str,
) -> None:
    """Draw one member card with its bottom-left corner at (x, y) points."""
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
    name_size = _fit_size(clean_text(card.name), bold, 16.0, 11.0, text_w)
    name = fit_text(clean_text(card.name), bold, name_size, text_w)
    if name:
        c.setFont(bold, name_size)
        c.drawString(x + pad, y + h - pad - 12.0 - 6.0 - 0.8 * name_size, name)

    digit_size = 9.0
    bar_h = 12 * MM
    bars_bottom = y + pad + digit_size * (0.25 + 0.72 + 0.1)
    _draw_barcode(c, pattern, x + w / 2, bars_bottom, bar_h, x_mod, regular, digit_size, text_w)
    c.restoreState()


def render_member_cards(
    cards: Sequence[CardItem],
    *,
    start_at: int = 1,
    sheet: SheetSpec | None = None,
) -> bytes:
    """Render member cards (85.6 x 54 mm, 10 per A4 page by default); return PDF bytes."""
    sheet = sheet or MEMBER_CARD_SHEET
    cards = list(cards)
    if not cards:
        raise LabelError(str(_l("There is nothing to print.")))
    positions = label_positions(sheet, len(cards), start_at)
    patterns = _patterns(card.barcode for card in cards)
    w, h = sheet.label_width_mm * MM, sheet.label_height_mm * MM
    widths = [_module_width(p, w - 2 * CARD_PAD) for p in patterns]
    regular, bold = _fonts()
    page_h = sheet.page_height_mm * MM

    buf = io.BytesIO()
    c = _new_canvas(buf, sheet, "Member cards", regular)
    page = 0
    for card, pattern, x_mod, pos in zip(cards, patterns, widths, positions, strict=True):
        if pos.page != page:
            c.showPage()
            c.setFillColor(BLACK)
            page = pos.page
        x = pos.x_mm * MM
        y = page_h - (pos.y_mm + sheet.label_height_mm) * MM
        _draw_card(c, card, pattern, x_mod, x, y, w, h, regular, bold)
    c.showPage()
    c.save()
    return buf.getvalue()
