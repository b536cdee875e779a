"""What a USB scanner (or a volunteer) typed into a scan field, told apart.

A book ISBN (ISBN-10 or ISBN-13, with an optional Korean 5-digit add-on: an 18-digit
scan), one of our copy (201...) or member (202...) barcodes, another EAN-13 that is not a
book, a wrong check digit, or something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.barcodes import COPY_PREFIX, MEMBER_PREFIX, is_valid_ean13
from app.isbn.addon import KOREAN_ISBN_PREFIXES, Addon, decode_addon
from app.isbn.codes import (
    ISBN10_SHAPE,
    canonical_isbn13,
    compact,
    has_isbn_prefix,
    is_valid_ean8,
    isbn10_check_ok,
    isbn_forms,
)


class ScanKind(StrEnum):
    """What a scanned or typed code turned out to be."""

    ISBN = "isbn"
    COPY = "copy"
    MEMBER = "member"
    OTHER_EAN = "other_ean"
    BAD_CHECK_DIGIT = "bad_check_digit"
    INVALID = "invalid"


@dataclass(frozen=True)
class Scan:
    """The result of parse_scan: what was scanned and, for ISBNs, its forms."""

    kind: ScanKind
    raw: str
    code: str
    isbn13: str | None = None
    isbn10: str | None = None
    hyphenated: str | None = None
    group: str | None = None
    addon: Addon | None = None
    message: LazyString | None = field(default=None, compare=False)

    @property
    def is_book(self) -> bool:
        """Tell whether the scan is a book ISBN."""
        return self.kind is ScanKind.ISBN


MSG_EMPTY = _l("Nothing was scanned.")
MSG_INVALID = _l(
    "This is not a code we know. Scan the book's ISBN barcode (it starts with 978 or "
    "979), a copy barcode or a member card."
)
MSG_BAD_CHECK = _l(
    "The last digit (check digit) does not match the others: scan again, or check the "
    "number you typed."
)
MSG_COPY = _l("This is a copy barcode of our library.")
MSG_MEMBER = _l("This is a member card.")
MSG_ISSN = _l("This is a periodical (ISSN) barcode, not a book ISBN.")
MSG_ISMN = _l("This is a printed music (ISMN) barcode, not a book ISBN.")
MSG_KOREAN_PRODUCT = _l(
    "This is a Korean product barcode, not a book ISBN. If this is a book, look for a "
    "barcode that starts with 978 or 979."
)
MSG_STORE_INTERNAL = _l(
    "This is a shop's own barcode (for example a price sticker), not a book ISBN or one "
    "of our barcodes."
)
MSG_COUPON = _l("This is a coupon or receipt barcode, not a book ISBN.")
MSG_PRODUCT = _l(
    "This is a product barcode, not a book ISBN. If this is a book, look for a barcode "
    "that starts with 978 or 979."
)

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _other_ean_message(code: str) -> LazyString:
    """Pick the message for a valid EAN-13 that is not a book or one of ours."""
    if code.startswith("977"):
        return MSG_ISSN
    if code.startswith("9790"):
        return MSG_ISMN
    if code.startswith("880"):
        return MSG_KOREAN_PRODUCT
    if code.startswith("2"):
        return MSG_STORE_INTERNAL
    if code.startswith(("98", "99")):
        return MSG_COUPON
    return MSG_PRODUCT


def _isbn_scan(raw: str, code: str, isbn13: str, addon_digits: str | None) -> Scan:
    """Build the Scan for a valid book ISBN (given in its ISBN-13 form)."""
    isbn10, hyphenated, group = isbn_forms(isbn13)
    addon = None
    if addon_digits is not None and isbn13.startswith(KOREAN_ISBN_PREFIXES):
        # Only Korean books carry 부가기호; elsewhere a 5-digit add-on is a price.
        addon = decode_addon(addon_digits)
    return Scan(
        kind=ScanKind.ISBN,
        raw=raw,
        code=code,
        isbn13=isbn13,
        isbn10=isbn10,
        hyphenated=hyphenated,
        group=group,
        addon=addon,
    )


def _parse_ean13(raw: str, code: str, addon_digits: str | None) -> Scan:
    """Classify 13 digits (with an optional add-on already split off)."""
    valid = is_valid_ean13(code)
    if has_isbn_prefix(code):
        if not valid:
            return Scan(ScanKind.BAD_CHECK_DIGIT, raw, code, message=MSG_BAD_CHECK)
        return _isbn_scan(raw, code, code, addon_digits)
    if code.startswith((COPY_PREFIX, MEMBER_PREFIX)) and addon_digits is None:
        if not valid:
            return Scan(ScanKind.BAD_CHECK_DIGIT, raw, code, message=MSG_BAD_CHECK)
        if code.startswith(COPY_PREFIX):
            return Scan(ScanKind.COPY, raw, code, message=MSG_COPY)
        return Scan(ScanKind.MEMBER, raw, code, message=MSG_MEMBER)
    if valid:
        return Scan(ScanKind.OTHER_EAN, raw, code, message=_other_ean_message(code))
    return Scan(ScanKind.INVALID, raw, code, message=MSG_INVALID)


def parse_scan(raw: str) -> Scan:
    """Classify what a scanner or a volunteer typed into a scan field; never raises."""
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    code = compact(raw)
    if not code:
        return Scan(ScanKind.INVALID, raw, code, message=MSG_EMPTY)
    if len(code) == 10 and ISBN10_SHAPE.fullmatch(code):
        isbn13 = canonical_isbn13(code)
        if not isbn13:
            if isbn10_check_ok(code):  # a dummy ISBN isbnlib refuses (0000000000)
                return Scan(ScanKind.INVALID, raw, code, message=MSG_INVALID)
            return Scan(ScanKind.BAD_CHECK_DIGIT, raw, code, message=MSG_BAD_CHECK)
        # Keep the ISBN-10 as it was printed (X upper-cased).
        return replace(_isbn_scan(raw, code, isbn13, None), isbn10=code)
    if not _DIGITS.fullmatch(code):
        return Scan(ScanKind.INVALID, raw, code, message=MSG_INVALID)
    if len(code) == 13:
        return _parse_ean13(raw, code, None)
    if len(code) in (15, 18):
        # EAN-13 followed by a 2- or 5-digit add-on (Korean 부가기호 for books).
        main, extra = code[:13], code[13:]
        scan = _parse_ean13(raw, main, extra if len(extra) == 5 else None)
        if scan.kind in (ScanKind.COPY, ScanKind.MEMBER):
            return Scan(ScanKind.INVALID, raw, code, message=MSG_INVALID)
        return scan
    if len(code) == 12 and is_valid_ean13("0" + code):
        return Scan(ScanKind.OTHER_EAN, raw, code, message=MSG_PRODUCT)  # UPC-A
    if len(code) == 8 and is_valid_ean8(code):
        return Scan(ScanKind.OTHER_EAN, raw, code, message=MSG_PRODUCT)  # EAN-8
    return Scan(ScanKind.INVALID, raw, code, message=MSG_INVALID)
