"""ISBN and ISSN codes: what was typed, normalised; check digits; the forms of an ISBN."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import isbnlib

from app.barcodes import is_valid_ean13

ISBN_LABEL = re.compile(r"^\s*ISBN(?:[-\s]?1[03])?\s*[:：]?\s*", re.IGNORECASE)
ISSN_LABEL = re.compile(r"^\s*ISSN\s*[:：]?\s*", re.IGNORECASE)
ISBN10_SHAPE = re.compile(r"[0-9]{9}[0-9X]", re.ASCII)
_ISSN_SHAPE = re.compile(r"[0-9]{7}[0-9X]", re.ASCII)
# The EAN-13 of an ISSN: 977, the ISSN without its check digit, 2 variant digits, the EAN
# check digit; a periodical's barcode may carry a 2- or 5-digit (issue) add-on after it.
_ISSN_EAN = re.compile(r"977([0-9]{7})[0-9]{3}(?:[0-9]{2}|[0-9]{5})?", re.ASCII)
# All zeros passes the mod-11 check, but is a placeholder (spreadsheets), not an ISSN.
_PLACEHOLDER_ISSN = "00000000"


def compact(raw: str, label: re.Pattern[str] = ISBN_LABEL) -> str:
    """NFKC-normalise, drop a leading label ('ISBN'), spaces and dashes; upper-case x."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = label.sub("", text, count=1)
    kept = [
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Pd", "Cc", "Cf")
    ]
    return "".join(kept).upper()


def is_valid_ean8(code: str) -> bool:
    """Tell whether code is 8 digits with a correct EAN-8 check digit."""
    if not re.fullmatch(r"[0-9]{8}", code):
        return False
    total = sum(int(d) * (1 if i % 2 else 3) for i, d in enumerate(code[:7]))
    return str((10 - total % 10) % 10) == code[7]


def isbn10_check_ok(code: str) -> bool:
    """Tell whether 9 digits + [0-9X] have a correct ISBN-10 (mod 11) check digit."""
    if not ISBN10_SHAPE.fullmatch(code):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(code))
    return total % 11 == 0


def canonical_isbn13(code: str) -> str:
    """Return the ISBN-13 of an ISBN-10 or ISBN-13, or '' if code is not a valid ISBN."""
    return isbnlib.ean13(code)


def has_isbn_prefix(code: str) -> bool:
    """Tell whether an EAN-13 is in the books' range: 978 or 979 (but not 9790, the ISMN's)."""
    return code.startswith(("978", "979")) and not code.startswith("9790")


def is_isbn13(code: str) -> bool:
    """Tell whether code is a book's ISBN-13: 13 digits, a book prefix, a right check digit."""
    return len(code) == 13 and has_isbn_prefix(code) and is_valid_ean13(code)


def isbn10_of(isbn13: str) -> str | None:
    """Return the ISBN-10 of a valid ISBN-13 (None for a 979 ISBN, or a dummy one)."""
    isbn10 = isbnlib.to_isbn10(isbn13) or None
    if isbn10 and isbnlib.ean13(isbn10) != isbn13:
        isbn10 = None  # isbnlib refuses dummy ISBNs such as 0000000000
    return isbn10


class IsbnForms(NamedTuple):
    """The other ways to write an ISBN-13 (None where there is none or isbnlib cannot say)."""

    isbn10: str | None
    hyphenated: str | None
    group: str | None


def isbn_forms(isbn13: str) -> IsbnForms:
    """Return the ISBN-10, hyphenated form and registration group of a valid ISBN-13."""
    isbn10 = isbn10_of(isbn13)
    try:
        hyphenated = isbnlib.mask(isbn13) or None
    except isbnlib.ISBNLibException:
        hyphenated = None
    try:
        group = isbnlib.info(isbn13) or None
    except isbnlib.ISBNLibException:
        group = None
    return IsbnForms(isbn10, hyphenated, group)


def issn_check_digit(first7: str) -> str:
    """Return the ISSN check digit (0-9 or X) of the first 7 digits of an ISSN."""
    if not re.fullmatch(r"[0-9]{7}", first7):
        raise ValueError(f"an ISSN check digit needs 7 digits, got {first7!r}")
    total = sum((8 - i) * int(d) for i, d in enumerate(first7))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def parse_issn(raw: str) -> str | None:
    """Return raw's ISSN (written 1234-5679 or as its 977 EAN-13) as 8 characters, or None."""
    if not isinstance(raw, str):
        return None
    code = compact(raw, ISSN_LABEL)
    issn = None
    if _ISSN_SHAPE.fullmatch(code):
        if issn_check_digit(code[:7]) == code[7]:
            issn = code
    else:
        match = _ISSN_EAN.fullmatch(code)
        if match and is_valid_ean13(code[:13]):
            issn = match.group(1) + issn_check_digit(match.group(1))
    if issn == _PLACEHOLDER_ISSN:
        return None
    return issn
