"""Tests for app.isbn.codes and the EAN-13 helpers app.isbn re-exports: check digits, ISSNs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.barcodes import InvalidBarcode
from app.isbn import ScanKind, ean13_check_digit, is_valid_ean13, parse_issn, parse_scan
from app.isbn.codes import issn_check_digit
from app.isbn.scan import MSG_ISSN
from tests.isbn.conftest import PROPERTY

# ---------------------------------------------------------------------------
# EAN-13 helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first12", "digit"),
    [
        ("978031603057", "1"),
        ("979116224309", "1"),
        ("978896077083", "6"),
        ("201000000001", "4"),
        ("202000000001", "3"),
        ("977123456700", "3"),
        ("000000000000", "0"),
    ],
)
def test_ean13_check_digit(first12: str, digit: str) -> None:
    assert ean13_check_digit(first12) == digit


@pytest.mark.parametrize(
    "bad", ["", "97803160305", "9780316030571", "97803160305x", "９７８０３１６０３０５７"]
)
def test_ean13_check_digit_rejects_non_12_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        ean13_check_digit(bad)


def test_is_valid_ean13() -> None:
    assert is_valid_ean13("9780316030571")
    assert is_valid_ean13("8801234567893")
    assert not is_valid_ean13("9780316030572")
    assert not is_valid_ean13("978031603057")
    assert not is_valid_ean13("978-0316030571")
    assert not is_valid_ean13(None)
    assert not is_valid_ean13(9780316030571)


@PROPERTY
@given(st.text(max_size=20))
def test_check_digit_helpers_raise_only_their_documented_error(text: str) -> None:
    assert isinstance(is_valid_ean13(text), bool)
    try:
        digit = ean13_check_digit(text)
    except InvalidBarcode:
        assert not (len(text) == 12 and text.isascii() and text.isdigit())
    else:
        assert is_valid_ean13(text + digit)
        assert sum(is_valid_ean13(text + str(d)) for d in range(10)) == 1


# ---------------------------------------------------------------------------
# ISSN
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "issn"),
    [
        ("2049-3630", "20493630"),
        ("20493630", "20493630"),
        ("0378-5955", "03785955"),
        ("1050-124X", "1050124X"),
        ("1050-124x", "1050124X"),
        ("ISSN 2049-3630", "20493630"),
        ("issn: 0317-8471", "03178471"),
        (" 2049 3630\r\n", "20493630"),
        ("２０４９－３６３０", "20493630"),
        ("2049\u20133630", "20493630"),
        # The EAN-13 of an ISSN: 977, 7 digits, 2 variant digits, the EAN check digit.
        ("9772049363002", "20493630"),
        ("977-2049-363-00-2", "20493630"),
        ("9771050124008", "1050124X"),
        ("9771234567003", "12345679"),
        ("977204936300203", "20493630"),  # with a 2-digit issue add-on
        ("9772049363002 00103", "20493630"),  # with a 5-digit add-on
    ],
)
def test_parse_issn(raw: str, issn: str) -> None:
    assert parse_issn(raw) == issn


@pytest.mark.parametrize(
    "raw",
    [
        "2049-3631",  # wrong check digit
        "1050-1240",
        "9772049363003",  # wrong EAN check digit
        "9780316030571",  # an ISBN-13
        "0316030570",  # an ISBN-10
        "2049-363",
        "2049-36300",
        "97720493630020",  # 14 digits
        "ISBN 2049-3630",
        "X049-3630",
        "0000-0000",  # passes the mod-11 check, but is a placeholder
        "9770000000003",
        "٢٠٤٩٣٦٣٠",  # Arabic-Indic digits
        "",
        "   ",
        None,
        20493630,
    ],
)
def test_parse_issn_rejects(raw: object) -> None:
    assert parse_issn(raw) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first7", "digit"), [("2049363", "0"), ("1050124", "X"), ("0317847", "1")]
)
def test_issn_check_digit(first7: str, digit: str) -> None:
    assert issn_check_digit(first7) == digit


@pytest.mark.parametrize("bad", ["", "204936", "20493630", "204936a", "２０４９３６３"])
def test_issn_check_digit_rejects_non_7_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        issn_check_digit(bad)


@PROPERTY
@given(
    st.text(alphabet="0123456789", min_size=7, max_size=7).filter(lambda s: s != "0000000"),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
    st.integers(min_value=1, max_value=10),
)
def test_issn_and_its_ean13_agree(first7: str, variant: str, delta: int) -> None:
    issn = first7 + issn_check_digit(first7)
    assert parse_issn(issn) == issn
    assert parse_issn(f"{issn[:4]}-{issn[4:]}") == issn
    first12 = "977" + first7 + variant
    ean = first12 + ean13_check_digit(first12)
    assert parse_issn(ean) == issn
    # The scan field still refuses it as a periodical, not a book.
    scan = parse_scan(ean)
    assert scan.kind is ScanKind.OTHER_EAN and scan.message is MSG_ISSN
    wrong = "0123456789X"[("0123456789X".index(issn[7]) + delta) % 11]
    assert parse_issn(first7 + wrong) is None


@PROPERTY
@given(st.text(max_size=20))
def test_parse_issn_never_raises(raw: str) -> None:
    issn = parse_issn(raw)
    assert issn is None or (len(issn) == 8 and parse_issn(issn) == issn)
