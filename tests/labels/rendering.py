"""Sheets, label items and checks the rendering tests share (label sheets, member cards)."""

import io
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

import pypdf

from app.barcodes import internal_code
from app.labels.pdf import LabelItem
from app.labels.sheet import LabelPosition, SheetSpec, label_positions
from tests.labels.decode import Decoded, px_to_mm

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
A4_65 = SheetSpec(210, 297, 13, 5, 38.1, 21.2, 10.7, 4.7, gap_x_mm=2.5, gap_y_mm=0)
ROLL_30X20 = SheetSpec(30, 20, 1, 1, 30, 20, 0, 0, 0, 0)
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
