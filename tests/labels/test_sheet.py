"""Label sheets: where each label sits, and which sheets are refused as unprintable."""

from dataclasses import asdict

import pytest

from app.labels.pdf import render_labels
from app.labels.sheet import LabelError, SheetSpec, label_positions
from tests.labels.rendering import (
    A4_3X8,
    A4_4X10,
    AVERY_5160,
    ROLL_50X30,
    make_items,
)


def test_positions_fill_rows_left_to_right_then_pages():
    pos = label_positions(AVERY_5160, 32, 1)
    assert pos[0] == (0, 4.8, 12.7)
    assert pos[1] == pytest.approx((0, 4.8 + 66.7 + 3.2, 12.7))
    assert pos[2] == pytest.approx((0, 4.8 + 2 * (66.7 + 3.2), 12.7))
    assert pos[3] == pytest.approx((0, 4.8, 12.7 + 25.4))
    assert pos[29] == pytest.approx((0, 4.8 + 2 * (66.7 + 3.2), 12.7 + 9 * 25.4))
    assert pos[30] == (1, 4.8, 12.7)
    assert [p.page for p in pos] == [0] * 30 + [1] * 2


def test_start_at_skips_positions_on_the_first_page_only():
    pos = label_positions(A4_3X8, 30, 5)
    assert pos[0] == label_positions(A4_3X8, 5, 1)[4]
    assert [p.page for p in pos] == [0] * 20 + [1] * 10
    assert pos[20] == (1, 0, 0.5)
    assert label_positions(A4_3X8, 1, 24) == [label_positions(A4_3X8, 24, 1)[23]]


def test_gaps_and_printer_offsets():
    sheet = SheetSpec(
        210, 297, 2, 2, 90, 120, 10, 10, gap_x_mm=5, gap_y_mm=7, offset_x_mm=1.5, offset_y_mm=-0.5
    )
    expected = [(0, 11.5, 9.5), (0, 106.5, 9.5), (0, 11.5, 136.5), (0, 106.5, 136.5)]
    for got, want in zip(label_positions(sheet, 4, 1), expected, strict=True):
        assert got == pytest.approx(want)


def test_roll_template_is_one_label_per_page():
    assert label_positions(ROLL_50X30, 3, 1) == [(0, 0, 0), (1, 0, 0), (2, 0, 0)]


def test_zero_labels_have_no_positions():
    assert label_positions(A4_3X8, 0, 1) == []


@pytest.mark.parametrize("start_at", [0, -1, 25, 1.5, True])
def test_start_at_must_be_on_the_sheet(start_at):
    with pytest.raises(LabelError, match="between 1 and 24"):
        label_positions(A4_3X8, 3, start_at)
    with pytest.raises(LabelError):
        render_labels(make_items(2), A4_3X8, start_at=start_at)


def test_a4_70x37_with_a_4_5mm_margin_does_not_fit():
    # 4.5 + 8 x 37 = 300.5 mm > 297 mm: printing it would cut off the last row
    with pytest.raises(LabelError, match="300.5 mm tall"):
        SheetSpec(210, 297, 8, 3, 70, 37, 4.5, 0, 0, 0)
    SheetSpec(210, 297, 8, 3, 70, 36, 4.5, 0, 0, 0)  # the 70 x 36 mm sheet does


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(columns=4),  # 4 x 70 mm on a 210 mm page
        dict(rows=0),
        dict(columns=2.5),
        dict(label_width_mm=0),
        dict(gap_x_mm=-1),
        dict(margin_top_mm=float("nan")),
        dict(offset_x_mm="1"),
    ],
)
def test_impossible_sheets_are_refused(kwargs):
    with pytest.raises(LabelError):
        SheetSpec(**asdict(A4_3X8) | kwargs)


@pytest.mark.parametrize(("w", "h"), [(38, 15), (25.4, 10), (20, 30)])
def test_labels_too_small_for_a_barcode_are_refused(w, h):
    with pytest.raises(LabelError, match="too small for a readable barcode"):
        SheetSpec(210, 297, 1, 1, w, h, 0, 0, 0, 0)


def test_small_common_labels_are_accepted():
    SheetSpec(210, 297, 13, 5, 38.1, 21.2, 10.7, 4.7, 2.5, 0)  # A4 65-up
    SheetSpec(30, 20, 1, 1, 30, 20, 0, 0, 0, 0)  # small roll label


def test_published_sizes_rounded_up_a_little_still_fit():
    # Avery 5160 in inches is 0.1875 + 3 x 2.625 + 2 x 0.125 = 8.3125 in wide
    assert A4_4X10.problems() == [] and AVERY_5160.problems() == []
    SheetSpec(210, 297, 8, 3, 70, 37.05, 0.5, 0, 0, 0)
