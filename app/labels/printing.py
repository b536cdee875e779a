"""Printing: a batch of copy labels (or member cards) as a PDF on a template's sheets,
and the preview of which positions of which sheets a print will use."""

from __future__ import annotations

import math
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.barcodes import InvalidBarcode
from app.callnumbers import placed_call_number
from app.errors import CannotPrintLabels, NothingToPrint
from app.labels.lookups import MAX_BATCH
from app.labels.pdf import LabelItem, render_labels
from app.labels.preferences import next_start
from app.labels.sheet import LabelError, label_positions
from app.labels.sheet_templates import SHEET_FIELDS, sheet_spec, template_problems
from app.labels.spine_pdf import SpineItem, render_combined, render_spine_labels, spine_lines
from app.models import Copy, LabelTemplate


def check_start(template: LabelTemplate, start_at: int) -> None:
    """Raise CannotPrintLabels unless `start_at` is a position on the template's sheet."""
    per_page = template.rows * template.columns
    if not 1 <= start_at <= per_page:
        raise CannotPrintLabels(
            _l("Start position must be between 1 and %(n)s.", n=per_page)
        )


def label_items(copies: Sequence[Copy], *, cafe_name: str) -> list[LabelItem]:
    """Return what each copy's label shows: barcode, title, call number (or shelf), café."""
    return [
        LabelItem(barcode=c.barcode, title=c.book.title,
                  call_number=placed_call_number(c.shelf, c.call_number) or c.shelf,
                  cafe_name=cafe_name)
        for c in copies
    ]


def check_batch(count: int) -> None:
    """Raise unless `count` labels (or cards) can be printed at once."""
    if count == 0:
        raise NothingToPrint()
    if count > MAX_BATCH:
        raise CannotPrintLabels(
            _l("At most %(max)d labels can be printed at once.", max=MAX_BATCH)
        )


def print_batch(template: LabelTemplate, items: Sequence, *, start_at: int,
                render: Callable[..., bytes], barcode: bool = True) -> bytes:
    """Return the PDF `render` makes of these items on the template's sheets from position
    start_at, or raise CannotPrintLabels saying why they cannot be printed."""
    check_batch(len(items))
    check_start(template, start_at)
    sheet = sheet_spec(template, barcode=barcode)
    try:
        return render(items, sheet=sheet, start_at=start_at)
    except (LabelError, InvalidBarcode) as error:  # BarcodeTooWide is a LabelError
        raise CannotPrintLabels(str(error)) from error


#: What a print of copy labels puts on each label.
CONTENTS = ("labels", "spine", "combined")


def spine_items(copies: Sequence[Copy], *, cafe_name: str) -> list[SpineItem]:
    """Return each copy's spine label (and what its copy label shows, for combined ones)."""
    items = []
    for c in copies:
        placed = placed_call_number(c.shelf, c.call_number)
        items.append(SpineItem(barcode=c.barcode, lines=spine_lines(placed or c.shelf),
                               title=c.book.title, call_number=placed or c.shelf,
                               cafe_name=cafe_name))
    return items


def print_labels(copies: Sequence[Copy], template: LabelTemplate, *, start_at: int = 1,
                 cafe_name: str, content: str = "labels") -> bytes:
    """Return a PDF of these copies' labels on the template's sheets, from position start_at:
    copy labels, spine labels, or both on one label (``content``)."""
    if content == "spine":
        return print_batch(template, spine_items(copies, cafe_name=cafe_name),
                           start_at=start_at, render=render_spine_labels, barcode=False)
    if content == "combined":
        return print_batch(template, spine_items(copies, cafe_name=cafe_name),
                           start_at=start_at, render=render_combined, barcode=False)
    return print_batch(template, label_items(copies, cafe_name=cafe_name), start_at=start_at,
                       render=render_labels)


@dataclass(frozen=True)
class Slot:
    """One position of a sheet in the preview: where it is and what it will hold."""

    number: int  # 1-based position on its page
    x_mm: float
    y_mm: float
    state: str  # "skipped", "used" or "free"
    code: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class PagePreview:
    """One sheet of the preview."""

    number: int  # 1-based
    slots: list[Slot]


@dataclass(frozen=True)
class SheetPreview:
    """Which positions of which sheets a print will use."""

    width_mm: float
    height_mm: float
    label_width_mm: float
    label_height_mm: float
    pages: list[PagePreview]
    total_pages: int
    count: int
    start_at: int
    next_start: int
    problems: list[str]


def sheet_preview(template: LabelTemplate, copies: Sequence[Copy], start_at: int, *,
                  max_pages: int = 2, content: str = "labels") -> SheetPreview:
    """Return the layout of the first sheets: skipped, used and free positions."""
    per_page = template.rows * template.columns
    problems = template_problems({f: getattr(template, f) for f in SHEET_FIELDS},
                                 barcode=content == "labels")
    if not 1 <= start_at <= per_page:
        problems.append(str(_l("Start position must be between 1 and %(n)s.", n=per_page)))
        start_at = 1
    count = len(copies)
    total_pages = max(1, math.ceil((start_at - 1 + count) / per_page))
    pages: list[PagePreview] = []
    if not problems:
        spec = sheet_spec(template, barcode=content == "labels")
        grid = label_positions(spec, per_page, 1)
        for page in range(min(total_pages, max_pages)):
            slots = []
            for n, pos in enumerate(grid):
                slot_no = page * per_page + n  # counted from the first sheet's position 1
                index = slot_no - (start_at - 1)
                if slot_no < start_at - 1:
                    state, copy = "skipped", None
                elif index < count:
                    state, copy = "used", copies[index]
                else:
                    state, copy = "free", None
                slots.append(Slot(n + 1, pos.x_mm, pos.y_mm, state,
                                  copy.barcode if copy else None,
                                  copy.book.title if copy else None))
            pages.append(PagePreview(page + 1, slots))
    return SheetPreview(
        width_mm=template.page_width_mm, height_mm=template.page_height_mm,
        label_width_mm=template.label_width_mm, label_height_mm=template.label_height_mm,
        pages=pages, total_pages=total_pages, count=count, start_at=start_at,
        next_start=next_start(start_at, count, per_page), problems=problems,
    )


def first_page_png(pdf: bytes, *, dpi: int = 50) -> bytes:
    """Return the first page of a PDF as a PNG (poppler's pdftoppm), for an on-screen preview."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "labels.pdf"
        src.write_bytes(pdf)
        out = Path(tmp) / "page"
        subprocess.run(  # noqa: S603 - fixed program, our own temporary files
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",  # noqa: S607
             str(src), str(out)],
            check=True, capture_output=True, timeout=60,
        )
        return out.with_suffix(".png").read_bytes()
