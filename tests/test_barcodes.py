"""Check digits, internal numbers and bar patterns (app.barcodes)."""

import re
from pathlib import Path

import barcode as pybarcode
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.barcodes import (
    COPY_PREFIX,
    MAX_SERIAL,
    MEMBER_PREFIX,
    InvalidBarcode,
    bar_pattern,
    ean13_check_digit,
    internal_code,
    is_valid_ean13,
)
from tests.labels.decode import decode_modules

APP = Path(__file__).resolve().parent.parent / "app"


@pytest.mark.parametrize(
    ("first12", "check"),
    [
        ("979119009001", "8"),  # 979-11-90090-01-8 (Korea)
        ("978030640615", "7"),  # the classic ISBN-13 example
        ("400638133393", "1"),  # GS1's EAN-13 example
        ("201000000001", "4"),
        ("202000000001", "3"),
        ("000000000000", "0"),
    ],
)
def test_ean13_check_digit(first12, check):
    assert ean13_check_digit(first12) == check
    assert is_valid_ean13(first12 + check)


@pytest.mark.parametrize(
    "bad", ["", "12345678901", "1234567890123", "97911900900a", "٩٧٩١١٩٠٠٩٠٠١"]
)
def test_check_digit_needs_12_ascii_digits(bad):
    with pytest.raises(InvalidBarcode):
        ean13_check_digit(bad)


@pytest.mark.parametrize(
    "code",
    [
        "9791190090019",
        "979119009001",
        "97911900900188",
        "979-11900900-1",
        "",
        None,
        9791190090018,
        "٩٧٩١١٩٠٠٩٠٠١٨",
    ],
)
def test_is_valid_ean13_rejects(code):
    assert not is_valid_ean13(code)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_check_digit_matches_python_barcode(first12):
    ours = ean13_check_digit(first12)
    assert pybarcode.get("ean13", first12).get_fullcode() == first12 + ours
    assert is_valid_ean13(first12 + ours)
    wrong = str((int(ours) + 1) % 10)
    assert not is_valid_ean13(first12 + wrong)


def test_internal_codes():
    assert internal_code(COPY_PREFIX, 1) == "2010000000014"
    assert internal_code(MEMBER_PREFIX, 1) == "2020000000013"
    assert internal_code("201", 123456789) == "201123456789" + ean13_check_digit("201123456789")
    top = internal_code("201", MAX_SERIAL)
    assert top.startswith("201999999999") and is_valid_ean13(top)


@pytest.mark.parametrize("serial", [0, -1, MAX_SERIAL + 1, 10**12])
def test_internal_code_serial_out_of_range(serial):
    with pytest.raises(ValueError, match="out of range"):
        internal_code(COPY_PREFIX, serial)


def test_internal_code_rejects_other_prefixes_and_types():
    with pytest.raises(ValueError):
        internal_code("978", 1)
    with pytest.raises(TypeError):
        internal_code("201", "1")
    with pytest.raises(TypeError):
        internal_code("201", True)


@given(st.sampled_from([COPY_PREFIX, MEMBER_PREFIX]), st.integers(1, MAX_SERIAL))
def test_internal_codes_are_valid_and_unique_per_serial(prefix, serial):
    code = internal_code(prefix, serial)
    assert len(code) == 13 and code.startswith(prefix) and is_valid_ean13(code)
    assert int(code[3:12]) == serial


def test_ean13_pattern():
    p = bar_pattern("9791190090018")
    assert p.symbology == "ean13"
    assert p.code == "9791190090018"
    assert len(p.modules) == 95 and set(p.modules) == {"0", "1"}
    assert p.modules.startswith("101") and p.modules.endswith("101")
    assert p.modules[45:50] == "01010"  # centre guard
    assert p.modules == pybarcode.get("ean13", "979119009001").build()[0]
    assert p.quiet_zone == (11, 7)
    assert p.width_modules == 113
    assert decode_modules(p.modules, p.quiet_zone) == [("9791190090018", "EAN13")]


def test_runs_cover_exactly_the_bars():
    p = bar_pattern("2010000000014")
    rebuilt = ["0"] * len(p.modules)
    for start, width in p.runs():
        assert width > 0
        rebuilt[start : start + width] = "1" * width
    assert "".join(rebuilt) == p.modules


@pytest.mark.parametrize("code", ["9791190090019", "2010000000015", "4006381333930"])
def test_wrong_check_digit_is_refused(code):
    # python-barcode would silently draw the "corrected" number
    with pytest.raises(InvalidBarcode, match="check digit") as exc:
        bar_pattern(code)
    assert code in str(exc.value)
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize(
    "code",
    [
        "979119009001",  # 12 digits (UPC-A shape): not EAN-13 here
        "12345678",  # EAN-8 shape
        "97911900900181",  # 14 digits
        "1",
        "LIB-00042",
        "a b",
        " x",
        "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
        "97911900900180381",  # ISBN + add-on typed as one string
    ],
)
def test_other_shapes_use_code128(code):
    p = bar_pattern(code)
    assert p.symbology == "code128"
    assert p.quiet_zone == (10, 10)
    assert p.modules.startswith("11010") and p.modules.endswith("1100011101011")  # start/stop
    assert decode_modules(p.modules, p.quiet_zone) == [(code, "Code128")]


@pytest.mark.parametrize("code", ["", "   ", "\t", "책123", "abc\n", "a\x00b", "café", None, 123])
def test_empty_or_non_printable_is_refused(code):
    with pytest.raises(InvalidBarcode):
        bar_pattern(code)


def test_error_messages_are_english_outside_a_request():
    with pytest.raises(InvalidBarcode) as exc:
        bar_pattern("")
    assert str(exc.value) == "The barcode is empty."


printable = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=24
).filter(lambda s: s.strip() and not (len(s) == 13 and s.isdigit()))


@settings(max_examples=150, deadline=None)
@given(printable)
@example("99")  # python-barcode dropped a leading "99" in code set C (found by hypothesis)
@example("990012")
def test_code128_round_trips_through_a_decoder(code):
    p = bar_pattern(code)
    assert p.symbology == "code128"
    assert decode_modules(p.modules, p.quiet_zone) == [(code, "Code128")]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_ean13_round_trips_through_a_decoder(first12):
    code = first12 + ean13_check_digit(first12)
    p = bar_pattern(code)
    assert decode_modules(p.modules, p.quiet_zone) == [(code, "EAN13")]


def test_only_app_barcodes_imports_python_barcode():
    pattern = re.compile(r"^\s*(import barcode\b|from barcode\b)", re.M)
    offenders = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if path.name != "barcodes.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
