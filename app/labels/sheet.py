"""A label sheet: its measurements, where each label sits on it, and how a copy label's
text and bars fit in one label (a sheet whose labels cannot carry a readable barcode is
refused). Pure geometry: no drawing, no database.

Coordinates are millimetres measured from the top-left corner of the page (x to the
right, y downwards), as people measure label sheets. Pages in ``label_positions`` are
numbered from 0; drawing is in points (``MM`` points per millimetre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from app.barcodes import bar_pattern

MM = 72.0 / 25.4  # points per millimetre

# Bar module width: a whole number of 1/600 inch printer dots, so bars fall on
# the dot grid of 300 and 600 dpi printers. 8 dots = 0.339 mm (EAN-13 nominal
# is 0.33 mm); 4 dots = 0.169 mm still decodes from a 300 dpi raster.
DOT_PT = 72.0 / 600
MAX_MODULE_DOTS = 8
MIN_MODULE_DOTS = 4
MAX_BAR_HEIGHT_PT = 18.0 * MM
MIN_BAR_HEIGHT_PT = 5.0 * MM
# Tolerance when checking that a sheet's labels fit on its page (rounded
# published sizes often overshoot by a fraction of a millimetre).
FIT_TOLERANCE_MM = 0.5
# An EAN-13 (the café's own codes, ISBNs): a label is laid out for its width.
_PROBE_CODE = "2010000000014"


class LabelError(ValueError):
    """A sheet, batch or start position that cannot be printed."""


def fmt(x: float) -> str:
    """Return a measurement in millimetres as people write it (37, 37.5; never 37.50)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


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
    # False for labels that carry no barcode (spine labels): any size prints.
    barcode: bool = True

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
        if not out and getattr(self, "barcode", True):
            out.extend(layout_problems(self.label_width_mm, self.label_height_mm))
        if used_w > self.page_width_mm + FIT_TOLERANCE_MM:
            out.append(
                str(
                    _l(
                        "The labels are %(used)s mm wide with the left margin, "
                        "more than the %(page)s mm page.",
                        used=fmt(used_w),
                        page=fmt(self.page_width_mm),
                    )
                )
            )
        if used_h > self.page_height_mm + FIT_TOLERANCE_MM:
            out.append(
                str(
                    _l(
                        "The labels are %(used)s mm tall with the top margin, "
                        "more than the %(page)s mm page.",
                        used=fmt(used_h),
                        page=fmt(self.page_height_mm),
                    )
                )
            )
        return out


class LabelPosition(NamedTuple):
    """Top-left corner of a label: page (from 0) and mm from the page's top-left."""

    page: int
    x_mm: float
    y_mm: float


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
# One copy label's layout
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelLayout:
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
def label_layout(w_mm: float, h_mm: float) -> LabelLayout:
    """Return where title, call number, café name and bars go on a w_mm x h_mm label."""
    w, h = w_mm * MM, h_mm * MM
    pad = min(max(min(w_mm, h_mm) * 0.06, 1.5), 3.0) * MM
    title_size = min(max(h_mm * 0.27, 6.0), 10.0)
    small_size = max(5.0, round(title_size * 0.8, 1))
    title_y = h - pad - 0.8 * title_size
    call_y = title_y - 0.2 * title_size - 0.9 * small_size
    cafe_y = pad + 0.2 * small_size
    # digits sized from the EAN-13 module width this label gets
    probe = bar_pattern(_PROBE_CODE).width_modules
    dots = min(MAX_MODULE_DOTS, max(MIN_MODULE_DOTS, int((w - 2 * pad) / probe / DOT_PT)))
    x_mod = dots * DOT_PT
    digit_size = min(9.0, 7 * x_mod / 0.606 * 0.85, title_size)
    region_top = call_y - 0.25 * small_size - 1.5
    region_bottom = cafe_y + 0.8 * small_size + 1.0
    return LabelLayout(
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


def bar_height(lay: LabelLayout) -> float:
    """Bar height (pt) a label of this layout gets, before the cap."""
    return lay.region_top - lay.region_bottom - lay.digit_size * (0.25 + 0.72 + 0.1)


def layout_problems(w_mm: float, h_mm: float) -> list[str]:
    """Return why labels of ``w_mm`` x ``h_mm`` cannot carry a readable barcode, if they cannot."""
    lay = label_layout(w_mm, h_mm)
    ean_width = bar_pattern(_PROBE_CODE).width_modules * MIN_MODULE_DOTS * DOT_PT
    if bar_height(lay) < MIN_BAR_HEIGHT_PT or lay.text_w < ean_width:
        return [
            str(
                _l(
                    "Labels of %(w)s x %(h)s mm are too small for a readable barcode.",
                    w=fmt(w_mm),
                    h=fmt(h_mm),
                )
            )
        ]
    return []
