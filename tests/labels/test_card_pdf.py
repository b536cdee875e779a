"""Member cards: rasterise, decode, and check every card is where it belongs."""

import pytest

from app.barcodes import internal_code
from app.labels.card_pdf import MEMBER_CARD_SHEET, CardItem, render_member_cards
from tests.labels.decode import decode_pdf
from tests.labels.rendering import (
    CAFE,
    DPI,
    assert_barcodes_in_place,
    assert_text_stays_in_its_label,
    blank_positions_are_empty,
    extract_text,
)


def test_member_card_sheet_is_2_by_5_centred_on_a4():
    s = MEMBER_CARD_SHEET
    assert (s.columns, s.rows, s.label_width_mm, s.label_height_mm) == (2, 5, 85.6, 54)
    assert s.margin_left_mm * 2 + 2 * 85.6 == pytest.approx(210)
    assert s.margin_top_mm * 2 + 5 * 54 == pytest.approx(297)


def test_member_cards_decode_in_place():
    names = [
        "김민준",
        "이서연",
        "박지훈",
        "최수아",
        "정예준",
        "Alexander Hamilton-Washington",
        "남궁민수",
        "황보영희",
    ]
    cards = [CardItem(name, internal_code("202", i + 1), CAFE) for i, name in enumerate(names)]
    pdf = render_member_cards(cards, start_at=5)
    pages = decode_pdf(pdf, dpi=DPI)
    assert [len(p) for p in pages] == [6, 2]
    assert_barcodes_in_place(pages, MEMBER_CARD_SHEET, [c.barcode for c in cards], 5)
    blank_positions_are_empty(pages, MEMBER_CARD_SHEET, 5)
    text = extract_text(pdf)
    for name in names:
        assert name in text
    assert CAFE in text
    assert_text_stays_in_its_label(pdf, MEMBER_CARD_SHEET, len(cards), 5)


def test_member_cards_fill_ten_per_page():
    cards = [CardItem(f"회원 {i}", internal_code("202", i + 1), CAFE) for i in range(12)]
    pages = decode_pdf(render_member_cards(cards), dpi=DPI)
    assert [len(p) for p in pages] == [10, 2]
    assert_barcodes_in_place(pages, MEMBER_CARD_SHEET, [c.barcode for c in cards], 1)
