"""Copy labels: rasterise, decode, and check every barcode is where it belongs."""

import io
from dataclasses import replace

import pypdf
import pytest

from app.barcodes import InvalidBarcode, internal_code
from app.labels.barcode_drawing import BarcodeTooWide
from app.labels.card_pdf import CardItem, render_member_cards
from app.labels.fonts import ELLIPSIS
from app.labels.pdf import LabelItem, render_labels
from app.labels.sheet import LabelError, label_positions
from tests.labels.decode import decode_pdf, px_to_mm
from tests.labels.rendering import (
    A4_3X8,
    A4_4X10,
    A4_65,
    AVERY_5160,
    CAFE,
    DPI,
    LONG_TITLE,
    ROLL_30X20,
    ROLL_50X30,
    TITLES,
    assert_barcodes_in_place,
    assert_text_stays_in_its_label,
    blank_positions_are_empty,
    extract_text,
    inside,
    make_items,
    pdf_words,
    rect,
)


@pytest.mark.parametrize(
    "sheet", [A4_3X8, A4_4X10, AVERY_5160], ids=["a4-3x8", "a4-4x10", "avery-5160"]
)
def test_every_barcode_decodes_at_its_label_position(sheet):
    start_at = 5
    count = sheet.per_page - (start_at - 1) + 2  # spills onto a second page
    items = make_items(count)
    pdf = render_labels(items, sheet, start_at=start_at)

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(sheet.page_width_mm * 72 / 25.4, abs=0.01)
    assert float(box.height) == pytest.approx(sheet.page_height_mm * 72 / 25.4, abs=0.01)

    pages = decode_pdf(pdf, dpi=DPI)
    codes = [item.barcode for item in items]
    assert_barcodes_in_place(pages, sheet, codes, start_at)
    blank_positions_are_empty(pages, sheet, start_at)
    assert len(pages[0]) == sheet.per_page - 4 and len(pages[1]) == 2
    formats = {d.text: d.format for page in pages for d in page}
    assert formats["9791190090018"] == "EAN13" and formats["LIB-00042"] == "Code128"
    assert formats[codes[0]] == "EAN13"

    text = extract_text(pdf)
    for title in TITLES:
        assert title in text
    assert CAFE in text and "813.7-손67ㅇ" in text
    assert LONG_TITLE not in text
    shortened = [line for line in text.splitlines() if line.startswith(LONG_TITLE[:14])]
    assert shortened and all(line.rstrip().endswith(ELLIPSIS) for line in shortened)
    assert_text_stays_in_its_label(pdf, sheet, count, start_at)


def test_long_title_is_cut_to_the_label_width():
    pdf = render_labels(make_items(2), A4_4X10)
    label = rect(label_positions(A4_4X10, 2, 1)[1], A4_4X10)
    words = [w for w in pdf_words(pdf)[0] if inside((w[1] + w[3]) / 2, (w[2] + w[4]) / 2, label)]
    title_words = [w for w in words if w[2] < label[1] + 6]  # the top line
    line = " ".join(w[0] for w in title_words)
    assert line.endswith(ELLIPSIS) and LONG_TITLE.startswith(line[:-1].rstrip())
    assert len(line) > 10  # it was shortened, not dropped
    assert min(w[1] for w in title_words) >= label[0]
    assert max(w[3] for w in title_words) <= label[2]


def test_roll_labels_one_per_page():
    items = make_items(3)
    pdf = render_labels(items, ROLL_50X30)
    pages = decode_pdf(pdf, dpi=DPI)
    assert [[d.text for d in page] for page in pages] == [[item.barcode] for item in items]
    assert_barcodes_in_place(pages, ROLL_50X30, [i.barcode for i in items], 1)
    assert_text_stays_in_its_label(pdf, ROLL_50X30, 3, 1)


def test_printer_offset_moves_every_label():
    shifted = replace(A4_3X8, offset_x_mm=3.0, offset_y_mm=2.0)
    items = make_items(3)
    plain = decode_pdf(render_labels(items, A4_3X8), dpi=DPI)
    moved = decode_pdf(render_labels(items, shifted), dpi=DPI)
    assert_barcodes_in_place(moved, shifted, [i.barcode for i in items], 1)
    for a, b in zip(sorted(plain[0]), sorted(moved[0]), strict=True):
        assert a.text == b.text
        assert px_to_mm(b.x_px - a.x_px, DPI) == pytest.approx(3.0, abs=0.2)
        assert px_to_mm(b.y_px - a.y_px, DPI) == pytest.approx(2.0, abs=0.5)


@pytest.mark.parametrize("sheet", [A4_65, ROLL_30X20], ids=["a4-65up", "roll-30x20"])
def test_small_labels_still_decode(sheet):
    items = make_items(4)
    pdf = render_labels(items, sheet)
    pages = decode_pdf(pdf, dpi=DPI)
    assert_barcodes_in_place(pages, sheet, [i.barcode for i in items], 1)
    assert_text_stays_in_its_label(pdf, sheet, len(items), 1)


def test_long_code128_decodes_on_wide_labels_and_is_refused_on_narrow_ones():
    code = "IMPORT-2019-000123-ABCD"
    items = [LabelItem(code, "수입 도서", None, CAFE)]
    pages = decode_pdf(render_labels(items, A4_3X8), dpi=DPI)
    assert [[d.text for d in p] for p in pages] == [[code]]
    with pytest.raises(BarcodeTooWide, match="needs .* mm") as exc:
        render_labels(make_items(3) + items, A4_65)
    assert exc.value.code == code
    assert isinstance(exc.value, LabelError)


def test_nothing_to_print():
    with pytest.raises(LabelError):
        render_labels([], A4_3X8)
    with pytest.raises(LabelError):
        render_member_cards([])


def test_a_bad_barcode_stops_the_batch_before_drawing():
    items = make_items(3) + [LabelItem("2010000000015", "잘못된 번호", None, CAFE)]
    with pytest.raises(InvalidBarcode, match="2010000000015"):
        render_labels(items, A4_3X8)
    with pytest.raises(InvalidBarcode):
        render_member_cards([CardItem("김민준", "", CAFE)])


def test_output_is_deterministic():
    items = make_items(5)
    assert render_labels(items, A4_3X8) == render_labels(items, A4_3X8)


def test_1500_labels_make_a_compact_pdf():
    """A full campaign's labels: the right page count and a small file (speed: make bench)."""
    items = [
        LabelItem(
            internal_code("201", i + 1),
            f"{TITLES[i % len(TITLES)]} {i}권 {LONG_TITLE[: i % 40]}",  # all different
            f"813.7-손{i}ㅇ",
            CAFE,
        )
        for i in range(1500)
    ]
    pdf = render_labels(items, A4_3X8)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 63  # 1500 / 24, rounded up
    assert len(pdf) < 1_500_000
