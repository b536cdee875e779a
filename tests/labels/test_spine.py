"""Spine labels: call-number lines in the embedded Korean font; the combined label's barcode
still reads at 300 dpi; the label queue prints spine labels for the same batch."""

import io

import pypdf
import pytest

from app.labels.printing import print_labels
from app.labels.sheet import SheetSpec
from app.labels.spine_pdf import (
    MIN_SPINE_SIZE,
    SpineItem,
    render_combined,
    render_spine_labels,
    spine_lines,
    spine_size,
)
from app.models import Role
from tests.labels.conftest import decoded_codes, template_named
from tests.labels.rendering import CAFE, pdf_words

SPINE_A4 = SheetSpec(210, 297, 8, 9, 20, 35, margin_top_mm=8.5, margin_left_mm=7,
                     gap_x_mm=2, gap_y_mm=0, barcode=False)
SPINE_ROLL = SheetSpec(24, 40, 1, 1, 24, 40, 0, 0, 0, 0, barcode=False)
COMBINED_A4 = SheetSpec(210, 297, 8, 2, 99.1, 34, margin_top_mm=12.5, margin_left_mm=4.65,
                        gap_x_mm=2.5, gap_y_mm=0)


@pytest.mark.parametrize(("call_number", "lines"), [
    ("813.7-김95ㅂ", ("813.7", "김95ㅂ")),
    ("아 808-김64ㄷ", ("아", "808", "김64ㄷ")),
    ("813.7-김95ㅂ-v.2", ("813.7", "김95ㅂ", "v.2")),
    ("큰글자 813.7-김95ㅂ-v.2 c.3", ("큰글자", "813.7", "김95ㅂ", "v.2", "c.3")),
    ("813.7-김95ㅂ=2", ("813.7", "김95ㅂ", "=2")),
    ("", ()),
])
def test_spine_lines_are_one_part_a_line(call_number, lines):
    assert spine_lines(call_number) == lines


def fonts_of(pdf: bytes) -> set[str]:
    """Return the embedded fonts' names (those with a font file) of every page."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None and any(
                    k in descriptor.get_object()
                    for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(font["/BaseFont"]))
    return names


def test_spine_labels_carry_the_lines_as_text_in_the_embedded_korean_font(app):
    items = [SpineItem(barcode="2010000000014", lines=spine_lines("큰글자 813.7-김95ㅂ-v.2 c.3")),
             SpineItem(barcode="2010000000021", lines=spine_lines("아 808-김64ㄷ"))]
    for sheet in (SPINE_A4, SPINE_ROLL):
        pdf = render_spine_labels(items, sheet)
        words = [w[0] for page in pdf_words(pdf) for w in page]
        for line in ("큰글자", "813.7", "김95ㅂ", "v.2", "c.3", "아", "808", "김64ㄷ"):
            assert line in words, (line, words)
        assert any("Nanum" in name for name in fonts_of(pdf))


def test_spine_lines_are_big_enough_to_read_on_a_shelf(app):
    from app.labels.fonts import fonts

    bold = fonts().bold
    size = spine_size(("813.7", "김95ㅂ"), bold, 17 * 2.835, 32 * 2.835)
    assert size >= 11  # points: some 4 mm capitals on a 20 mm label
    assert spine_size(("큰글자", "813.7", "김95ㅂ", "v.2", "c.3"), bold, 17 * 2.835,
                      32 * 2.835) >= MIN_SPINE_SIZE + 3


def test_the_combined_label_keeps_a_readable_barcode(app):
    items = [SpineItem(barcode=f"20100000000{n}", lines=spine_lines("813.7-김95ㅂ=2"),
                       title="불편한 편의점", call_number="813.7-김95ㅂ=2", cafe_name=CAFE)
             for n in ("14", "21", "38")]
    pdf = render_combined(items, COMBINED_A4)
    assert decoded_codes(pdf) == [["2010000000014", "2010000000021", "2010000000038"]]
    words = [w[0] for page in pdf_words(pdf) for w in page]
    assert "김95ㅂ" in words and "=2" in words and "813.7-김95ㅂ=2" in words


def test_the_queue_prints_spine_labels_for_the_same_batch(client, login_as, csrf_token,
                                                          make_queued, stock_templates):
    copies = make_queued(2, call_number="813.7-김95ㅂ")
    login_as(Role.VOLUNTEER, password=None, locale="en")
    template = template_named("spine labels 9x8")
    token = csrf_token("/labels")
    data = {"csrf_token": token, "template": str(template.id), "start_at": "1",
            "content": "spine", "item": [str(c.id) for c in copies]}
    response = client.post("/labels/print", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    words = [w[0] for page in pdf_words(response.data) for w in page]
    assert words.count("김95ㅂ") == 2
    # The same batch as barcode labels on the same narrow sheet: refused, and said why.
    response = client.post("/labels/print", data=dict(data, content="labels"))
    assert response.status_code == 303
    combined = template_named("label + spine")
    response = client.post("/labels/print", data=dict(data, template=str(combined.id),
                                                       content="combined"))
    assert response.status_code == 200
    assert sorted(decoded_codes(response.data)[0]) == sorted(c.barcode for c in copies)
    page = client.get(f"/labels?template={template.id}&content=spine").get_data(as_text=True)
    assert 'name="content"' in page and "too long for these labels" not in page


def test_print_labels_uses_the_copys_shelf_prefix(app, make_copy, stock_templates):
    copy = make_copy(call_number="808-김64ㄷ", shelf="아")
    pdf = print_labels([copy], template_named("24 mm spine roll"), cafe_name=CAFE,
                       content="spine")
    words = [w[0] for page in pdf_words(pdf) for w in page]
    assert words == ["아", "808", "김64ㄷ"]
