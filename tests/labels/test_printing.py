"""Printing a batch of labels: the PDF from a start position, refusals, the sheet preview."""

import pytest

from app.errors import (
    CannotPrintLabels,
    NothingToPrint,
)
from app.labels.printing import first_page_png, print_labels, sheet_preview
from tests.labels.conftest import CAFE, KOREAN_TITLES, decoded_codes, pdf_text, template_named

pytestmark = pytest.mark.usefixtures("english_request")


def test_print_labels_decodes_in_order_from_the_start_position(make_queued):
    copies = make_queued(3)
    template = template_named("A4 3x8")
    pdf = print_labels(copies, template, start_at=23, cafe_name=CAFE)
    # positions 23 and 24 on the first sheet, then the first label of the next one
    assert decoded_codes(pdf) == [[c.barcode for c in copies[:2]], [copies[2].barcode]]
    text = pdf_text(pdf)
    for title in KOREAN_TITLES[:3]:
        assert title in text
    assert CAFE in text and "813.7-0" in text


def test_print_labels_refuses_what_cannot_print(make_queued):
    copies = make_queued(1)
    template = template_named("A4 3x8")
    with pytest.raises(NothingToPrint):
        print_labels([], template, cafe_name=CAFE)
    with pytest.raises(CannotPrintLabels, match="between 1 and 24"):
        print_labels(copies, template, start_at=25, cafe_name=CAFE)


def test_a_barcode_too_long_for_the_label_is_refused(make_copy):
    copy = make_copy(barcode="LIB-" + "ABCDEFGHIJKLMN" * 2)
    template = template_named("4x10")
    with pytest.raises(CannotPrintLabels, match="too long for these labels"):
        print_labels([copy], template, cafe_name=CAFE)


def test_sheet_preview_marks_skipped_used_and_free_positions(make_queued):
    copies = make_queued(3)
    template = template_named("A4 3x8")
    preview = sheet_preview(template, copies, 4)
    states = [s.state for s in preview.pages[0].slots]
    assert states == ["skipped"] * 3 + ["used"] * 3 + ["free"] * 18
    assert [s.code for s in preview.pages[0].slots[3:6]] == [c.barcode for c in copies]
    assert (preview.total_pages, preview.next_start, preview.problems) == (1, 7, [])
    spill = sheet_preview(template, copies, 23)
    assert spill.total_pages == 2 and spill.next_start == 2
    assert [s.state for s in spill.pages[1].slots][:2] == ["used", "free"]
    bad = sheet_preview(template, copies, 30)
    assert bad.problems and bad.pages == []


def test_first_page_png(make_queued):
    copies = make_queued(2)
    pdf = print_labels(copies, template_named("A4 3x8"), cafe_name=CAFE)
    assert first_page_png(pdf).startswith(b"\x89PNG")
