"""Label sheets and member cards: rasterise, decode, and check every barcode is where it belongs."""

import io
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics

from app.barcodes import InvalidBarcode, internal_code
from app.labels import pdf as labels_pdf
from app.labels.pdf import (
    ELLIPSIS,
    MEMBER_CARD_SHEET,
    BarcodeTooWide,
    CardItem,
    FontUnavailable,
    LabelError,
    LabelItem,
    LabelPosition,
    SheetSpec,
    clean_text,
    fit_text,
    label_positions,
    render_labels,
    render_member_cards,
)
from tests.labels.decode import Decoded, decode_pdf, px_to_mm

DPI = 300
CAFE = "서산시민센터 북카페"

# A4 24-up, 70 x 37 mm, no gaps. 8 x 37 = 296 mm, so the top margin can only be
# 0.5 mm (the 4.5 mm margin belongs to the 70 x 36 mm variant: see
# test_a4_70x37_with_a_4_5mm_margin_does_not_fit).
A4_3X8 = SheetSpec(
    210, 297, 8, 3, 70, 37, margin_top_mm=0.5, margin_left_mm=0, gap_x_mm=0, gap_y_mm=0
)
A4_4X10 = SheetSpec(
    210, 297, 10, 4, 48.5, 25.4, margin_top_mm=21.5, margin_left_mm=8, gap_x_mm=0, gap_y_mm=0
)
AVERY_5160 = SheetSpec(
    215.9,
    279.4,
    10,
    3,
    66.7,
    25.4,
    margin_top_mm=12.7,
    margin_left_mm=4.8,
    gap_x_mm=3.2,
    gap_y_mm=0,
)
ROLL_50X30 = SheetSpec(50, 30, 1, 1, 50, 30, 0, 0, 0, 0)

TITLES = [
    "아몬드",
    "소년이 온다",
    "82년생 김지영",
    "해리 포터와 마법사의 돌",
    "채식주의자",
    "Pachinko 파친코",
    "코스모스",
]
LONG_TITLE = (
    "서산시민센터 북카페 활성화 캠페인 기증 도서 목록과 함께 읽는 아주 길고 긴 제목의 "
    "시민 교양 총서 제3권: 공유와 나눔의 역사"
)


def make_items(n: int) -> list[LabelItem]:
    """Copy labels: internal codes, one ISBN, one imported Code 128 code, one very long title."""
    items = []
    for i in range(n):
        code = internal_code("201", 1000 + i)
        title = TITLES[i % len(TITLES)]
        call = ["813.7-손67ㅇ", None, "843-롤73ㅎ v.1 c.2"][i % 3]
        items.append(LabelItem(code, title, call, CAFE))
    if n > 1:
        items[1] = replace(items[1], title=LONG_TITLE)
    if n > 3:
        items[2] = replace(items[2], barcode="9791190090018")
        items[3] = replace(items[3], barcode="LIB-00042")
    return items


def rect(pos: LabelPosition, sheet: SheetSpec) -> tuple[float, float, float, float]:
    return (pos.x_mm, pos.y_mm, pos.x_mm + sheet.label_width_mm, pos.y_mm + sheet.label_height_mm)


def inside(x: float, y: float, r: tuple[float, float, float, float], tol: float = 0.0) -> bool:
    return r[0] - tol <= x <= r[2] + tol and r[1] - tol <= y <= r[3] + tol


def assert_barcodes_in_place(
    pages: list[list[Decoded]],
    sheet: SheetSpec,
    codes: list[str],
    start_at: int,
) -> None:
    """Every code decodes exactly once, on its page, inside its own label, and nothing else does."""
    positions = label_positions(sheet, len(codes), start_at)
    assert len(pages) == positions[-1].page + 1
    for page_no, found in enumerate(pages):
        expected = [
            (code, pos) for code, pos in zip(codes, positions, strict=True) if pos.page == page_no
        ]
        assert len(found) == len(expected), (page_no, found)
        for code, pos in expected:
            r = rect(pos, sheet)
            here = [d for d in found if inside(px_to_mm(d.x_px, DPI), px_to_mm(d.y_px, DPI), r)]
            assert [d.text for d in here] == [code], (page_no, code, pos, found)


def blank_positions_are_empty(pages: list[list[Decoded]], sheet: SheetSpec, start_at: int) -> None:
    for pos in label_positions(sheet, start_at - 1, 1):
        r = rect(pos, sheet)
        hits = [d for d in pages[0] if inside(px_to_mm(d.x_px, DPI), px_to_mm(d.y_px, DPI), r)]
        assert hits == [], (pos, hits)


def pdf_words(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Words per page with their boxes in mm from the top-left (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    pt = 25.4 / 72
    for page in ET.fromstring(out).iterfind(".//h:page", ns):
        pages.append(
            [
                (
                    w.text or "",
                    float(w.get("xMin")) * pt,
                    float(w.get("yMin")) * pt,
                    float(w.get("xMax")) * pt,
                    float(w.get("yMax")) * pt,
                )
                for w in page.iterfind("h:word", ns)
            ]
        )
    return pages


def assert_text_stays_in_its_label(pdf: bytes, sheet: SheetSpec, count: int, start_at: int) -> None:
    positions = label_positions(sheet, count, start_at)
    for page_no, words in enumerate(pdf_words(pdf)):
        rects = [rect(p, sheet) for p in positions if p.page == page_no]
        for text, x0, y0, x1, y1 in words:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            owners = [r for r in rects if inside(cx, cy, r)]
            assert len(owners) == 1, (page_no, text)
            r = owners[0]
            assert inside(x0, y0, r, 0.05) and inside(x1, y1, r, 0.05), (page_no, text, r)


def extract_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


# ---------------------------------------------------------------------------
# Positions and templates
# ---------------------------------------------------------------------------


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
    fields = dict(
        page_width_mm=210,
        page_height_mm=297,
        rows=8,
        columns=3,
        label_width_mm=70,
        label_height_mm=37,
        margin_top_mm=0.5,
        margin_left_mm=0,
        gap_x_mm=0,
        gap_y_mm=0,
    )
    fields.update(kwargs)
    with pytest.raises(LabelError):
        SheetSpec(**fields)


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


def test_member_card_sheet_is_2_by_5_centred_on_a4():
    s = MEMBER_CARD_SHEET
    assert (s.columns, s.rows, s.label_width_mm, s.label_height_mm) == (2, 5, 85.6, 54)
    assert s.margin_left_mm * 2 + 2 * 85.6 == pytest.approx(210)
    assert s.margin_top_mm * 2 + 5 * 54 == pytest.approx(297)


# ---------------------------------------------------------------------------
# Acceptance: rasterise at 300 dpi, decode, check positions
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Refusals, fonts, text fitting
# ---------------------------------------------------------------------------


A4_65 = SheetSpec(210, 297, 13, 5, 38.1, 21.2, 10.7, 4.7, gap_x_mm=2.5, gap_y_mm=0)
ROLL_30X20 = SheetSpec(30, 20, 1, 1, 30, 20, 0, 0, 0, 0)


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


def test_fonts_are_embedded(tmp_path):
    path = tmp_path / "labels.pdf"
    path.write_bytes(render_labels(make_items(2), A4_3X8))
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, timeout=60, text=True
    ).stdout.splitlines()[2:]
    assert out, "no fonts listed"
    for line in out:
        name, emb = line.split()[0], line.split()[-5]
        assert emb == "yes", line
        assert "Nanum" in name


def test_output_is_deterministic():
    items = make_items(5)
    assert render_labels(items, A4_3X8) == render_labels(items, A4_3X8)


def test_missing_font_is_a_clear_error(monkeypatch, tmp_path):
    missing = tmp_path / "nope.ttf"
    monkeypatch.setenv("BOOKCAFE_FONT", str(missing))
    with pytest.raises(FontUnavailable, match="BOOKCAFE_FONT") as exc:
        render_labels(make_items(1), A4_3X8)
    assert str(missing) in str(exc.value)

    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setenv("BOOKCAFE_FONT", str(broken))
    with pytest.raises(FontUnavailable, match="cannot be used"):
        render_member_cards([CardItem("김민준", internal_code("202", 1), CAFE)])


def test_font_path_env_override(monkeypatch):
    monkeypatch.delenv("BOOKCAFE_FONT", raising=False)
    assert labels_pdf.font_path() == labels_pdf.FONT_PATH
    monkeypatch.setenv("BOOKCAFE_FONT", "/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf")
    assert labels_pdf.font_path().endswith("NanumMyeongjo.ttf")


def test_clean_text():
    assert clean_text(None) == ""
    assert clean_text("  해리\n포터\t\x00와  ") == "해리 포터 와"
    nfd = "\u1112\u1161\u11ab"  # 한 as jamo (macOS)
    assert clean_text(nfd) == "한"


def _font() -> str:
    return labels_pdf._fonts()[0]


def test_fit_text_keeps_short_text_and_cuts_long_text():
    font = _font()
    assert fit_text("아몬드", font, 10, 200) == "아몬드"
    cut = fit_text(LONG_TITLE, font, 10, 150)
    assert cut.endswith(ELLIPSIS) and LONG_TITLE.startswith(cut[:-1])
    assert pdfmetrics.stringWidth(cut, font, 10) <= 150
    # one more character would not have fitted
    longer = LONG_TITLE[: len(cut)].rstrip() + ELLIPSIS
    assert pdfmetrics.stringWidth(longer, font, 10) > 150
    assert fit_text(LONG_TITLE, font, 10, 1) == ""


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("가나다라마바사아자차카타파하한글 abcWMi.…1"), max_size=80),
    st.floats(min_value=0, max_value=300),
)
def test_fit_text_never_overflows(text, width):
    font = _font()
    out = fit_text(text, font, 9, width)
    assert pdfmetrics.stringWidth(out, font, 9) <= width + 1e-9
    if out != text:
        assert out == "" or (out.endswith(ELLIPSIS) and text.startswith(out[:-1]))


def test_fit_text_does_not_split_combining_marks():
    font = _font()
    text = "e\u0301" * 60
    out = fit_text(text, font, 10, 50)
    assert out.endswith(ELLIPSIS)
    assert not out[:-1] or out[-2] == "\u0301"


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
