"""Tests for app.isbn.scan: what a scanner or a volunteer typed, told apart."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import isbnlib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.barcodes import internal_code
from app.isbn import Scan, ScanKind, decode_addon, ean13_check_digit, is_valid_ean13, parse_scan
from app.isbn.scan import (
    MSG_BAD_CHECK,
    MSG_COUPON,
    MSG_EMPTY,
    MSG_INVALID,
    MSG_ISMN,
    MSG_ISSN,
    MSG_KOREAN_PRODUCT,
    MSG_PRODUCT,
    MSG_STORE_INTERNAL,
)
from tests.isbn.conftest import PROPERTY


def test_internal_barcodes() -> None:
    assert parse_scan(internal_code("201", 123456789)).kind is ScanKind.COPY
    assert parse_scan(internal_code("202", 1)).kind is ScanKind.MEMBER


# ---------------------------------------------------------------------------
# parse_scan
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "isbn13", "isbn10", "hyphenated", "group"),
    [
        # Korean 979-11 (no ISBN-10 exists for 979)
        ("9791162243091", "9791162243091", None, "979-11-6224-309-1", "Korea, Republic"),
        ("979-11-6175-969-2", "9791161759692", None, "979-11-6175-969-2", "Korea, Republic"),
        ("9791190090018", "9791190090018", None, "979-11-90090-01-8", "Korea, Republic"),
        # Korean 978-89
        ("9788960770836", "9788960770836", "8960770833", "978-89-6077-083-6", "Korea, Republic"),
        ("89-6077-083-3", "9788960770836", "8960770833", "978-89-6077-083-6", "Korea, Republic"),
        # English, French, Japanese ones from the recordings
        (
            "978-0-316-03057-1",
            "9780316030571",
            "0316030570",
            "978-0-316-03057-1",
            "English language",
        ),
        (
            "978 1 84739 930 4",
            "9781847399304",
            "1847399304",
            "978-1-84739-930-4",
            "English language",
        ),
        ("0316030570", "9780316030571", "0316030570", "978-0-316-03057-1", "English language"),
        ("2-07-037904-3", "9782070379040", "2070379043", "978-2-07-037904-0", "French language"),
        ("9784815602666", "9784815602666", "4815602662", "978-4-8156-0266-6", "Japan"),
        # ISBN-10 with X, upper and lower case
        ("080442957X", "9780804429573", "080442957X", "978-0-8044-2957-3", "English language"),
        ("080442957x", "9780804429573", "080442957X", "978-0-8044-2957-3", "English language"),
        ("0-9802004-4-x", "9780980200447", "098020044X", "978-0-9802004-4-7", "English language"),
        # surrounding whitespace, scanner line endings, labels, full-width digits
        ("\t 9791162243091\r\n", "9791162243091", None, "979-11-6224-309-1", "Korea, Republic"),
        (
            "ISBN 978-0-316-03057-1",
            "9780316030571",
            "0316030570",
            "978-0-316-03057-1",
            "English language",
        ),
        (
            "ISBN-10: 0-316-03057-0",
            "9780316030571",
            "0316030570",
            "978-0-316-03057-1",
            "English language",
        ),
        (
            "isbn９７９－１１－６２２４－３０９－１",
            "9791162243091",
            None,
            "979-11-6224-309-1",
            "Korea, Republic",
        ),
        (
            "９７８８９６０７７０８３６",
            "9788960770836",
            "8960770833",
            "978-89-6077-083-6",
            "Korea, Republic",
        ),
        (
            "978\u20110\u2013316\u201403057\u20101",
            "9780316030571",
            "0316030570",
            "978-0-316-03057-1",
            "English language",
        ),
    ],
)
def test_parse_isbn_shapes(
    raw: str, isbn13: str, isbn10: str | None, hyphenated: str, group: str
) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.ISBN
    assert scan.is_book
    assert scan.raw == raw
    assert scan.isbn13 == isbn13
    assert scan.isbn10 == isbn10
    assert scan.hyphenated == hyphenated
    assert scan.group == group
    assert scan.addon is None
    assert scan.message is None


@pytest.mark.parametrize(
    "raw",
    [
        "979116224309194000",
        "9791162243091 94000",
        "979-11-6224-309-1 94000",
        "９７９１１６２２４３０９１　９４０００",
        " 979116224309194000\n",
    ],
)
def test_parse_isbn_with_korean_addon(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.ISBN
    assert scan.isbn13 == "9791162243091"
    assert scan.code == "9791162243091"
    assert scan.isbn10 is None
    assert scan.hyphenated == "979-11-6224-309-1"
    assert scan.addon is not None
    assert scan.addon.code == "94000"
    assert scan.addon.reader_group == "9"
    assert str(scan.addon.reader_group_label) == "Specialist"
    assert scan.addon.form == "4"
    assert str(scan.addon.form_label) == "Complete works / series"
    assert scan.addon.kdc_class == "0"
    assert str(scan.addon.kdc_class_label) == "General works"


def test_parse_978_89_with_addon() -> None:
    scan = parse_scan("978896077083693000")
    assert scan.kind is ScanKind.ISBN
    assert scan.isbn13 == "9788960770836"
    assert scan.addon == decode_addon("93000")


def test_addon_of_a_non_korean_isbn_is_a_price_not_decoded() -> None:
    # A US book's 5-digit add-on (5xxxx) is a price: not a 부가기호.
    scan = parse_scan("978031603057151999")
    assert scan.kind is ScanKind.ISBN
    assert scan.isbn13 == "9780316030571"
    assert scan.addon is None


def test_parse_copy_and_member_barcodes() -> None:
    copy = parse_scan("2010000000014")
    assert copy.kind is ScanKind.COPY
    assert copy.code == "2010000000014"
    assert copy.isbn13 is None
    member = parse_scan(" 202-0000000013 ")
    assert member.kind is ScanKind.MEMBER
    assert member.code == "2020000000013"
    assert not member.is_book


@pytest.mark.parametrize(
    ("raw", "message", "word"),
    [
        ("9771234567003", MSG_ISSN, "ISSN"),
        ("977123456700300", MSG_ISSN, "ISSN"),  # with a 2-digit issue add-on
        ("8801234567893", MSG_KOREAN_PRODUCT, "Korean product"),
        ("2001234567893", MSG_STORE_INTERNAL, "shop"),
        ("2090000000016", MSG_STORE_INTERNAL, "shop"),
        ("9790260000438", MSG_ISMN, "ISMN"),
        ("9900000000011", MSG_COUPON, "coupon"),
        ("4006381333931", MSG_PRODUCT, "product"),
        ("5012345678900", MSG_PRODUCT, "product"),
        ("036000291452", MSG_PRODUCT, "product"),  # UPC-A
        ("96385074", MSG_PRODUCT, "product"),  # EAN-8
    ],
)
def test_parse_other_ean(raw: str, message: Any, word: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.OTHER_EAN
    assert scan.isbn13 is None
    assert scan.message is message
    assert word in str(scan.message)
    assert "978 or 979" in str(scan.message) or "not" in str(scan.message)


@pytest.mark.parametrize(
    "raw",
    [
        "9791162243092",  # 979-11, last digit wrong
        "9788960770837",  # 978-89
        "978-0-316-03057-2",
        "0316030571",  # ISBN-10
        "080442957 0",
        "8960770830",
        "979116224309294000",  # wrong ISBN before a Korean add-on
        "2010000000015",  # copy
        "2020000000010",  # member card
    ],
)
def test_parse_bad_check_digit(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.BAD_CHECK_DIGIT
    assert scan.isbn13 is None
    assert scan.message is MSG_BAD_CHECK
    assert "check digit" in str(scan.message)


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "hello world",
        "12345",
        "97911622430910",  # 14 digits
        "9791162243091949",  # 16 digits
        "X316030570",
        "03160305X0",
        "8801234567890",  # 880 with a wrong check digit: not one of ours, not an ISBN
        "4006381333932",
        "036000291453",  # UPC-A with a wrong check digit
        "12345678901",  # 11 digits
        "0000000000",  # a placeholder: isbnlib refuses it although its mod-11 sum is 0
        "20100000000149999",  # copy barcode followed by an add-on
        "LIB-000123",  # Code 128 text from an imported collection
        "ISBN",
        "٩٧٨٠٣١٦٠٣٠٥٧١",  # Arabic-Indic digits are not what scanners send
    ],
)
def test_parse_invalid(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.INVALID
    assert scan.isbn13 is None
    assert scan.message is MSG_INVALID or scan.message is MSG_EMPTY


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\u200b"])
def test_parse_empty(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.INVALID
    assert scan.code == ""
    assert scan.message is MSG_EMPTY


def test_scan_is_frozen_and_hashable() -> None:
    scan = parse_scan("979116224309194000")
    with pytest.raises(FrozenInstanceError):
        scan.kind = ScanKind.COPY  # type: ignore[misc]
    assert scan == parse_scan("9791162243091 94000") or scan.raw != "9791162243091 94000"
    assert hash(scan) == hash(parse_scan("979116224309194000"))
    assert {ScanKind.ISBN: 1}["isbn"] == 1  # StrEnum values are plain strings


def test_messages_are_lazy_and_english() -> None:
    scan = parse_scan("9771234567003")
    assert type(scan.message).__name__ == "LazyString"
    assert str(scan.message) == "This is a periodical (ISSN) barcode, not a book ISBN."


# ---------------------------------------------------------------------------
# Properties over many inputs
# ---------------------------------------------------------------------------


@PROPERTY
@given(st.text())
def test_parse_scan_never_raises(raw: str) -> None:
    scan = parse_scan(raw)
    assert isinstance(scan, Scan)
    assert scan.kind in set(ScanKind)
    assert (scan.kind is ScanKind.ISBN) == (scan.isbn13 is not None)
    if scan.kind is not ScanKind.ISBN:
        assert scan.message is not None
        str(scan.message)


@PROPERTY
@given(st.text(alphabet="0123456789Xx -－０１２３４５６７８９\t", max_size=24))
def test_parse_scan_never_raises_on_scanner_like_text(raw: str) -> None:
    scan = parse_scan(raw)
    if scan.kind is ScanKind.ISBN:
        assert isbnlib.is_isbn13(scan.isbn13)


@st.composite
def valid_isbn13(draw: st.DrawFn) -> str:
    """A valid ISBN-13 (978, or 979 outside 979-0, which is ISMN)."""
    prefix = draw(st.sampled_from(["978", "9791", "9798", "97889", "97911"]))
    body = draw(
        st.text(alphabet="0123456789", min_size=12 - len(prefix), max_size=12 - len(prefix))
    )
    first12 = prefix + body
    return first12 + ean13_check_digit(first12)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@PROPERTY
@given(
    valid_isbn13(),
    st.lists(st.integers(min_value=1, max_value=12), max_size=4, unique=True),
    st.sampled_from(["-", " ", "－", "\u2010", "  "]),
    st.booleans(),
    st.sampled_from(["", " ", "\t", "\n", "\r\n"]),
)
def test_valid_isbn13_round_trips(
    isbn13: str, cuts: list[int], separator: str, full_width: bool, edge: str
) -> None:
    text = isbn13
    for cut in sorted(cuts, reverse=True):
        text = text[:cut] + separator + text[cut:]
    if full_width:
        text = text.translate(FULL_WIDTH)
    scan = parse_scan(edge + text + edge)
    assert scan.kind is ScanKind.ISBN
    assert scan.isbn13 == isbn13
    assert scan.code == isbn13
    if scan.hyphenated:
        assert parse_scan(scan.hyphenated).isbn13 == isbn13
    if scan.isbn10:
        assert parse_scan(scan.isbn10).isbn13 == isbn13


@PROPERTY
@given(valid_isbn13(), st.integers(min_value=1, max_value=9))
def test_changed_last_digit_is_a_bad_check_digit(isbn13: str, delta: int) -> None:
    wrong = isbn13[:12] + str((int(isbn13[12]) + delta) % 10)
    assert parse_scan(wrong).kind is ScanKind.BAD_CHECK_DIGIT
    assert not is_valid_ean13(wrong)


@st.composite
def korean_isbn13(draw: st.DrawFn) -> str:
    """A valid Korean ISBN-13 (978-89 or 979-11): the ones that carry a 부가기호."""
    prefix = draw(st.sampled_from(["97889", "97911"]))
    first12 = prefix + draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    return first12 + ean13_check_digit(first12)


@PROPERTY
@given(
    korean_isbn13(),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
    st.sampled_from(["", " ", "  ", "-"]),
)
def test_eighteen_digit_scans_keep_isbn_and_addon(isbn13: str, addon: str, gap: str) -> None:
    scan = parse_scan(isbn13 + gap + addon)
    assert scan.kind is ScanKind.ISBN
    assert scan.isbn13 == isbn13
    assert scan.addon is not None and scan.addon.code == addon
    assert parse_scan(isbn13).addon is None


@PROPERTY
@given(valid_isbn13(), st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_addon_is_kept_only_for_korean_isbns(isbn13: str, addon: str) -> None:
    scan = parse_scan(isbn13 + addon)
    assert scan.kind is ScanKind.ISBN and scan.isbn13 == isbn13
    assert (scan.addon is not None) == isbn13.startswith(("97889", "97911"))


@PROPERTY
@given(
    valid_isbn13(),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
    st.integers(min_value=1, max_value=9),
)
def test_eighteen_digits_with_a_wrong_check_digit_are_refused(
    isbn13: str, addon: str, delta: int
) -> None:
    wrong = isbn13[:12] + str((int(isbn13[12]) + delta) % 10)
    assert parse_scan(wrong + addon).kind is ScanKind.BAD_CHECK_DIGIT


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_isbn10_round_trips_through_isbn13(first9: str) -> None:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    isbn10 = first9 + ("X" if check == 10 else str(check))
    scan = parse_scan(isbn10.lower())
    if scan.kind is ScanKind.ISBN:
        assert scan.isbn10 == isbn10
        assert scan.isbn13 == isbnlib.ean13(isbn10)
        assert parse_scan(scan.isbn13).isbn10 == isbn10
    else:  # a dummy ISBN isbnlib refuses, such as 000000000-0
        assert scan.kind is ScanKind.INVALID
