"""Finding the copies to label: by barcode, range and donation; invalid and unknown codes."""

import pytest

from app.barcodes import internal_code
from app.errors import InvalidInput, NotFound, UnknownBarcodes
from app.labels import lookups
from tests.labels.conftest import BAD_CHECK_DIGIT

pytestmark = pytest.mark.usefixtures("english_request")


def test_find_copies_keeps_order_and_reports_invalid_and_unknown(make_copy):
    a, b = make_copy(), make_copy()
    unknown = internal_code("201", 999_999)
    lookup = lookups.find_copies([b.barcode, " " + a.barcode, b.barcode, BAD_CHECK_DIGIT,
                                   unknown, "", "x" * 40])
    assert [c.id for c in lookup.copies] == [b.id, a.id]
    assert lookup.invalid == [BAD_CHECK_DIGIT, "x" * 40]
    assert lookup.unknown == [unknown]


def test_imported_code128_barcodes_are_found(make_copy):
    copy = make_copy(barcode="LIB-00042")
    assert lookups.find_copies(["LIB-00042"]).copies == [copy]


def test_require_copies_refuses_the_whole_request(make_copy):
    good = make_copy()
    with pytest.raises(UnknownBarcodes) as caught:
        lookups.require_copies([good.barcode, BAD_CHECK_DIGIT, internal_code("201", 99999)])
    error = caught.value
    assert error.invalid == [BAD_CHECK_DIGIT] and error.status == 422
    assert error.unknown == [internal_code("201", 99999)]
    assert error.as_json()["error"]["code"] == "unknown_barcodes"
    assert BAD_CHECK_DIGIT in str(error)


def test_parse_codes_splits_lines_spaces_and_commas():
    assert lookups.parse_codes("a\r\nb  c,d;\n\n") == ["a", "b", "c", "d"]
    assert lookups.parse_codes(None) == []


def test_find_scanned_reads_a_list_of_scans_up_to_a_batch(make_copy):
    a, b = make_copy(), make_copy()
    found = lookups.find_scanned(f"{b.barcode}\n{a.barcode}, {BAD_CHECK_DIGIT}")
    assert found.copies == [b, a] and found.invalid == [BAD_CHECK_DIGIT]
    with pytest.raises(InvalidInput, match=f"at most {lookups.MAX_BATCH}"):
        lookups.find_scanned(" ".join([a.barcode] * (lookups.MAX_BATCH + 1)))


def test_copies_in_range(make_copy):
    copies = [make_copy() for _ in range(4)]
    found = lookups.copies_in_range(copies[1].barcode, copies[2].barcode)
    assert found == copies[1:3]
    assert lookups.copies_in_range(copies[0].barcode, copies[0].barcode) == copies[:1]
    with pytest.raises(UnknownBarcodes):
        lookups.copies_in_range(BAD_CHECK_DIGIT, copies[0].barcode)
    with pytest.raises(Exception, match="must not come after"):
        lookups.copies_in_range(copies[2].barcode, copies[1].barcode)
    with pytest.raises(Exception, match="same length"):
        lookups.copies_in_range("LIB-1", copies[1].barcode)


def test_donation_copies(make_donation):
    donation = make_donation(3)
    assert [c.id for c in lookups.donation_copies(donation.id)] == sorted(
        c.id for c in donation.copies)
    with pytest.raises(NotFound):
        lookups.donation_copies(donation.id + 1)
