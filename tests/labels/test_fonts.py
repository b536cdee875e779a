"""The label font (embedded, replaceable, a clear error when missing) and fitting text."""

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics

from app.barcodes import internal_code
from app.labels import fonts
from app.labels.card_pdf import CardItem, render_member_cards
from app.labels.fonts import ELLIPSIS, FontUnavailable, clean_text, fit_text
from app.labels.pdf import render_labels
from tests.labels.rendering import (
    A4_3X8,
    CAFE,
    LONG_TITLE,
    make_items,
)


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
    assert fonts.font_path() == fonts.FONT_PATH
    monkeypatch.setenv("BOOKCAFE_FONT", "/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf")
    assert fonts.font_path().endswith("NanumMyeongjo.ttf")


def test_clean_text():
    assert clean_text(None) == ""
    assert clean_text("  해리\n포터\t\x00와  ") == "해리 포터 와"
    nfd = "\u1112\u1161\u11ab"  # 한 as jamo (macOS)
    assert clean_text(nfd) == "한"


def _font() -> str:
    return fonts.fonts()[0]


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
