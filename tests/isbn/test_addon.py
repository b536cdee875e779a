"""Tests for app.isbn.addon: Korean 5-digit add-on codes (부가기호)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.isbn import Addon, decode_addon
from tests.isbn.conftest import PROPERTY


@pytest.mark.parametrize(
    ("code", "reader", "form", "kdc", "subject"),
    [
        ("94000", "Specialist", "Complete works / series", "General works", "000"),
        ("03810", "General", "Monograph", "Literature", "810"),
        ("43810", "Youth", "Monograph", "Literature", "810"),
        ("77810", "Children", "Picture book / comics", "Literature", "810"),
        ("93000", "Specialist", "Monograph", "General works", "000"),
        ("13590", "Practical", "Monograph", "Technology", "590"),
        ("51710", "Study aids (secondary school)", "Dictionary", "Language", "710"),
        ("38980", "Reserved", "Mixed media / braille / microform", "History", "980"),
    ],
)
def test_decode_addon(code: str, reader: str, form: str, kdc: str, subject: str) -> None:
    addon = decode_addon(code)
    assert isinstance(addon, Addon)
    assert addon.code == code
    assert addon.reader_group == code[0]
    assert str(addon.reader_group_label) == reader
    assert addon.form == code[1]
    assert str(addon.form_label) == form
    assert addon.kdc_class == code[2]
    assert str(addon.kdc_class_label) == kdc
    assert addon.subject == subject


def test_decode_addon_accepts_full_width_and_spaces() -> None:
    assert decode_addon("０３８１０").code == "03810"
    assert decode_addon("94000 ").code == "94000"  # NLK's SET_ADD_CODE has one


@pytest.mark.parametrize("bad", ["", "9400", "940000", "9400a", "94 00", "ABCDE", "٩٤٠٠٠"])
def test_decode_addon_rejects_non_five_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_addon(bad)


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_any_five_digits_decode(code: str) -> None:
    addon = decode_addon(code)
    assert addon.code == code
    assert addon.subject == code[2:]
    assert str(addon.reader_group_label) and str(addon.form_label)
    assert str(addon.kdc_class_label)


@PROPERTY
@given(st.text(max_size=8))
def test_decode_addon_raises_only_value_error(code: str) -> None:
    try:
        addon = decode_addon(code)
    except ValueError:
        assert not (len(code) == 5 and code.isascii() and code.isdigit())
    else:
        assert addon.code == code
