"""ISBN and barcode handling: scan parsing, Korean add-on codes and metadata providers.

This is the only module of the app that imports isbnlib. It needs neither the database
nor a Flask application context (user-facing strings are lazy and translate when shown).

Three parts:

* ``parse_scan`` tells apart what a USB scanner (or a volunteer) typed into a scan
  field: a book ISBN (with an optional Korean 5-digit add-on), one of our copy (201...)
  or member (202...) barcodes, another EAN-13 that is not a book, a wrong check digit,
  or something else.
* ``decode_addon`` explains a Korean add-on code (부가기호).
* ``lookup`` asks metadata providers (isbnlib's Open Library / Google Books / Wikipedia
  services and our National Library of Korea service, registered with isbnlib's
  registry) one after another within a time budget, never raising, and
  ``clean_metadata`` turns what they return into a tidy ``Metadata`` record.
"""

from __future__ import annotations

import datetime
import gzip
import inspect
import json
import logging
import re
import sys
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple
from urllib.error import HTTPError, URLError

import isbnlib
import isbnlib.config
import isbnlib.dev
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from isbnlib.dev import webquery as _webquery
from isbnlib.dev import webservice as _webservice
from isbnlib.dev._exceptions import ISBNNotConsistentError

# The EAN-13 arithmetic and our internal prefixes live with the other barcode code.
from app.barcodes import COPY_PREFIX, MEMBER_PREFIX, ean13_check_digit, is_valid_ean13
from app.classification import KDC_CLASSES

__all__ = [
    "DEFAULT_SERVICES",
    "provider_registry",
    "Addon",
    "Attempt",
    "LookupResult",
    "Metadata",
    "Outcome",
    "Scan",
    "ScanKind",
    "clean_metadata",
    "clear_provider_caches",
    "configure_providers",
    "decode_addon",
    "ean13_check_digit",
    "is_valid_ean13",
    "lookup",
    "nlk_query",
    "parse_scan",
    "split_contributors",
]

LOGGER = logging.getLogger(__name__)

KOREAN_ISBN_PREFIXES = ("97889", "97911")

# ---------------------------------------------------------------------------
# EAN-13 helpers
# ---------------------------------------------------------------------------


def _is_valid_ean8(code: str) -> bool:
    """Tell whether code is 8 digits with a correct EAN-8 check digit."""
    if not re.fullmatch(r"[0-9]{8}", code):
        return False
    total = sum(int(d) * (1 if i % 2 else 3) for i, d in enumerate(code[:7]))
    return str((10 - total % 10) % 10) == code[7]


def _isbn10_check_ok(code: str) -> bool:
    """Tell whether 9 digits + [0-9X] have a correct ISBN-10 (mod 11) check digit."""
    if not _ISBN10_SHAPE.fullmatch(code):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(code))
    return total % 11 == 0


# ---------------------------------------------------------------------------
# Korean add-on (부가기호)
# ---------------------------------------------------------------------------

_READER_GROUPS: dict[str, LazyString] = {
    "0": _l("General"),
    "1": _l("Practical"),
    "2": _l("Women"),
    "3": _l("Reserved"),
    "4": _l("Youth"),
    "5": _l("Study aids (secondary school)"),
    "6": _l("Study aids (primary school)"),
    "7": _l("Children"),
    "8": _l("Reserved"),
    "9": _l("Specialist"),
}

_FORMS: dict[str, LazyString] = {
    "0": _l("Pocket edition"),
    "1": _l("Dictionary"),
    "2": _l("Small-format paperback"),
    "3": _l("Monograph"),
    "4": _l("Complete works / series"),
    "5": _l("Electronic publication"),
    "6": _l("Illustrated guide"),
    "7": _l("Picture book / comics"),
    "8": _l("Mixed media / braille / microform"),
    "9": _l("Reserved"),
}

_KDC_CLASSES = KDC_CLASSES


@dataclass(frozen=True)
class Addon:
    """A decoded Korean 5-digit add-on code (부가기호)."""

    code: str
    reader_group: str
    reader_group_label: LazyString = field(compare=False)
    form: str
    form_label: LazyString = field(compare=False)
    kdc_class: str
    kdc_class_label: LazyString = field(compare=False)
    subject: str


def decode_addon(code: str) -> Addon:
    """Decode a 5-digit Korean add-on code; raise ValueError unless it is 5 digits."""
    if not isinstance(code, str):
        raise TypeError(f"add-on code must be a string, got {code!r}")
    code = unicodedata.normalize("NFKC", code).strip()
    if not re.fullmatch(r"[0-9]{5}", code):
        raise ValueError(f"add-on code must be 5 digits, got {code!r}")
    return Addon(
        code=code,
        reader_group=code[0],
        reader_group_label=_READER_GROUPS[code[0]],
        form=code[1],
        form_label=_FORMS[code[1]],
        kdc_class=code[2],
        kdc_class_label=_KDC_CLASSES[code[2]],
        subject=code[2:5],
    )


# ---------------------------------------------------------------------------
# Scan parsing
# ---------------------------------------------------------------------------


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

_ISBN_LABEL = re.compile(r"^\s*ISBN(?:[-\s]?1[03])?\s*[:：]?\s*", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ISBN10_SHAPE = re.compile(r"[0-9]{9}[0-9X]", re.ASCII)


def _compact(raw: str) -> str:
    """NFKC-normalise, drop an 'ISBN' label, spaces and dashes; upper-case x."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _ISBN_LABEL.sub("", text, count=1)
    kept = [
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Pd", "Cc", "Cf")
    ]
    return "".join(kept).upper()


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
    isbn10 = isbnlib.to_isbn10(isbn13) or None
    if isbn10 and isbnlib.ean13(isbn10) != isbn13:
        isbn10 = None  # isbnlib refuses dummy ISBNs such as 0000000000
    try:
        hyphenated = isbnlib.mask(isbn13) or None
    except isbnlib.ISBNLibException:
        hyphenated = None
    try:
        group = isbnlib.info(isbn13) or None
    except isbnlib.ISBNLibException:
        group = None
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
    if code.startswith(("978", "979")) and not code.startswith("9790"):
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
    code = _compact(raw)
    if not code:
        return Scan(ScanKind.INVALID, raw, code, message=MSG_EMPTY)
    if len(code) == 10 and _ISBN10_SHAPE.fullmatch(code):
        isbn13 = isbnlib.ean13(code)
        if not isbn13:
            if _isbn10_check_ok(code):  # a dummy ISBN isbnlib refuses (0000000000)
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
    if len(code) == 8 and _is_valid_ean8(code):
        return Scan(ScanKind.OTHER_EAN, raw, code, message=MSG_PRODUCT)  # EAN-8
    return Scan(ScanKind.INVALID, raw, code, message=MSG_INVALID)


# ---------------------------------------------------------------------------
# Metadata cleaning
# ---------------------------------------------------------------------------


@dataclass
class Metadata:
    """Cleaned bibliographic metadata for one ISBN, from one provider."""

    isbn13: str
    title: str
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    kdc: str | None = None
    addon_code: str | None = None
    page_count: int | None = None
    series: str | None = None
    source: str = ""
    # (name, role) pairs; role is one of _ROLE_KEYS' values ("author", "translator"...).
    contributors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kdc_main_class(self) -> str | None:
        """Return the KDC main class digit, from the KDC or else the add-on code."""
        if self.kdc:
            return self.kdc[0]
        if self.addon_code:
            return self.addon_code[2]
        return None


# Korean role words, longest first so "글·그림" wins over "글".
_ROLE_KEYS: dict[str, str] = {
    "글·그림": "author",
    "글/그림": "author",
    "글과 그림": "author",
    "글과그림": "author",
    "지은이": "author",
    "지음": "author",
    "저자": "author",
    "저": "author",
    "글": "author",
    "작가": "author",
    "원작": "author",
    "著": "author",
    "옮긴이": "translator",
    "옮김": "translator",
    "역자": "translator",
    "번역": "translator",
    "역": "translator",
    "譯": "translator",
    "그린이": "illustrator",
    "그림": "illustrator",
    "삽화": "illustrator",
    "엮은이": "editor",
    "엮음": "editor",
    "편저자": "editor",
    "편저": "editor",
    "편집": "editor",
    "편자": "editor",
    "편": "editor",
    "감수": "supervisor",
    "사진": "photographer",
}
_ROLE_ALT = "|".join(re.escape(word) for word in sorted(_ROLE_KEYS, key=len, reverse=True))
_ROLE_PREFIX = re.compile(rf"^[\[(]?({_ROLE_ALT})[\])]?\s*[:：]\s*(.*)$")
_ROLE_SUFFIX_BRACKETED = re.compile(rf"^(.*?)\s*[\[(]\s*({_ROLE_ALT})\s*[\])]$")
_ROLE_SUFFIX = re.compile(rf"^(.*?)\s+({_ROLE_ALT})$")
_ET_AL = re.compile(r"\s+외(?:\s*\d+\s*(?:인|명))?$")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md"}


def _text(value: object) -> str | None:
    """Normalise one text value: NFC, no control characters, collapsed spaces."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value if v is not None)
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    text = " ".join(text.split())
    return text or None


def _split_names(group: str, *, allow_last_first: bool) -> list[str]:
    """Split a list of names on commas, keeping 'Last, First' and 'X, Jr.' together."""
    parts = [p.strip() for p in re.split(r"[,，、]", group)]
    parts = [p for p in parts if p]
    if len(parts) == 2 and allow_last_first and not _HANGUL.search(group):
        first, second = parts
        if second.lower() in _NAME_SUFFIXES or " " not in first:
            return [f"{first}, {second}"]
    if len(parts) > 1:
        merged: list[str] = []
        for part in parts:
            if merged and part.lower() in _NAME_SUFFIXES:
                merged[-1] = f"{merged[-1]}, {part}"
            else:
                merged.append(part)
        parts = merged
    return parts


def _clean_name(name: str) -> str | None:
    """Tidy one person's name: no brackets at the ends, no 'et al.' marker."""
    name = _ET_AL.sub("", name.strip())
    name = name.strip(" \t[]()<>{}\"',;:·")
    if not name or name in _ROLE_KEYS or name == "외":
        return None
    return name


def _strip_role(text: str) -> tuple[str, str | None]:
    """Take a role word off 'role: names', 'names role' or 'names (role)'."""
    match = _ROLE_PREFIX.match(text)
    if match:
        return match.group(2).strip(), _ROLE_KEYS[match.group(1)]
    for pattern in (_ROLE_SUFFIX_BRACKETED, _ROLE_SUFFIX):
        match = pattern.match(text)
        if match and match.group(1).strip():
            return match.group(1).strip(), _ROLE_KEYS[match.group(2)]
    return text, None


def split_contributors(value: object, *, source: str = "") -> list[tuple[str, str]]:
    """Split an author statement into (name, role) pairs; roles are English keys."""
    if isinstance(value, (list, tuple)):
        pieces = [_text(v) for v in value]
    else:
        pieces = [_text(value)]
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    allow_last_first = source != "nlk"
    for piece in pieces:
        if not piece:
            continue
        # "지은이: A, B ; 옮긴이: C" and "A,B 지음 ;C 옮김": ';' separates role groups,
        # ',' separates the names that share a role.
        for group in re.split(r"[;；]", piece):
            names, group_role = _strip_role(group.strip())
            for name in _split_names(names, allow_last_first=allow_last_first):
                # "A 지음, B 옮김": a name may carry its own role.
                name, own_role = _strip_role(name)
                cleaned = _clean_name(name)
                if cleaned and cleaned not in seen:
                    seen.add(cleaned)
                    result.append((cleaned, own_role or group_role or "author"))
    return result


def _parse_year(value: object) -> int | None:
    """Read a plausible publication year from '2019', '20190315', '2019-03-15', 2019..."""
    if isinstance(value, int) and not isinstance(value, bool):
        candidates = [value]
    else:
        text = _text(value)
        if not text:
            return None
        candidates = [int(m) for m in re.findall(r"(?<![0-9])([0-9]{4})", text)]
    latest = datetime.date.today().year + 2
    for year in candidates:
        if 1450 <= year <= latest:
            return year
    return None


def _parse_pages(value: object) -> int | None:
    """Read a page count from 803, '803', '803 p.', 'xii, 803 p.', '803쪽'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 100_000 else None
    text = _text(value)
    if not text:
        return None
    match = re.search(r"([0-9]+)\s*(?:p\b|pp\b|쪽|면|페이지)", text, re.IGNORECASE)
    if not match:
        match = re.fullmatch(r"([0-9]+)", text)
    if not match:
        return None
    pages = int(match.group(1))
    return pages if 0 < pages < 100_000 else None


_LANGUAGES = {
    "kor": "ko",
    "korean": "ko",
    "한국어": "ko",
    "eng": "en",
    "english": "en",
    "jpn": "ja",
    "japanese": "ja",
    "chi": "zh",
    "zho": "zh",
    "chinese": "zh",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
}


def _parse_language(value: object, title: str) -> str | None:
    """Normalise a language code to ISO 639-1 where known; guess 'ko' from Hangul."""
    text = (_text(value) or "").lower().replace("_", "-")
    if text:
        if text in _LANGUAGES:
            return _LANGUAGES[text]
        if re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", text):
            return text
    if _HANGUL.search(title):
        return "ko"
    return None


def _split_title(title: str, subtitle: str | None, source: str) -> tuple[str, str | None]:
    """Split 'Title : Subtitle' (and isbnlib's 'Title - Subtitle') into two parts."""
    title = title.strip(" /:;,=")
    if subtitle:
        return title, subtitle
    # A colon that is not between two digits ("1:1", "10:30") separates a subtitle.
    match = re.search(r"\s*(?<![0-9])[:：]\s*|\s*[:：](?![0-9])\s*", title)
    if match is None and source in ("openl", "goob"):
        # isbnlib's openl and goob services join title and subtitle with " - ".
        match = re.search(r"\s+-\s+", title)
    if match is not None:
        head = title[: match.start()].strip(" /:;,=-")
        tail = title[match.end() :].strip(" /:;,=-")
        if head and tail:
            return head, tail
        title = head or tail
    return title, None


def _first(raw: Mapping[str, Any], *keys: str) -> Any:
    """Return the first present, non-empty value among keys."""
    for key in keys:
        value = raw.get(key)
        if value not in (None, "", [], [""]):
            return value
    return None


def clean_metadata(raw: Mapping[str, Any] | None, source: str) -> Metadata | None:
    """Clean a provider's answer (isbnlib stdmeta dict, with NLK extras) into Metadata."""
    if not raw or not isinstance(raw, Mapping):
        return None
    isbn13 = isbnlib.ean13(str(_first(raw, "ISBN-13", "EA_ISBN", "isbn13") or ""))
    title_text = _text(_first(raw, "Title", "TITLE", "title"))
    if not isbn13 or not title_text:
        return None
    subtitle_text = _text(_first(raw, "Subtitle", "subtitle"))
    title, subtitle = _split_title(title_text, subtitle_text, source)
    if not title:
        return None
    # NLK keeps its raw author statement (with roles) in AUTHOR; prefer it.
    author_value = _first(raw, "AUTHOR", "Authors", "authors")
    contributors = split_contributors(author_value, source=source)
    publisher = _text(_first(raw, "Publisher", "PUBLISHER", "publisher"))
    if publisher:
        publisher = publisher.strip(" \"'") or None
    year = _parse_year(
        _first(raw, "PUBLISH_DATE", "REAL_PUBLISH_DATE", "PUBLISH_PREDATE", "Year", "year")
    )
    kdc = None
    kdc_match = re.search(r"[0-9]{3}(?:\.[0-9]+)?", _text(_first(raw, "KDC", "kdc")) or "")
    if kdc_match:
        kdc = kdc_match.group(0)
    addon_text = _text(_first(raw, "EA_ADD_CODE", "addon_code")) or ""
    addon_code = addon_text if re.fullmatch(r"[0-9]{5}", addon_text) else None
    return Metadata(
        isbn13=isbn13,
        title=title,
        subtitle=subtitle,
        authors=[name for name, _role in contributors],
        publisher=publisher,
        year=year,
        language=_parse_language(_first(raw, "Language", "language"), title),
        kdc=kdc,
        addon_code=addon_code,
        page_count=_parse_pages(_first(raw, "PAGE", "PageCount", "pageCount", "page_count")),
        series=_text(_first(raw, "SERIES_TITLE", "series")),
        source=source,
        contributors=contributors,
    )


# ---------------------------------------------------------------------------
# National Library of Korea (ISBN/Seoji Open API) provider
# ---------------------------------------------------------------------------

NLK_URL = "https://www.nl.go.kr/seoji/SearchApi.do"
USER_AGENT = "isbnlib (gzip)"


class NLKError(isbnlib.dev.ISBNLibDevException):
    """The National Library of Korea service answered with an error."""

    message = "the National Library of Korea service answered with an error"


def _redact(url: str) -> str:
    """Hide the API key in a URL before it is logged or put in an exception."""
    return re.sub(r"(cert_key=)[^&]*", r"\1***", url)


def _http_get_text(url: str, *, timeout: float) -> str:
    """GET url through isbnlib's urlopen (patchable in tests) and return the body text."""
    # The URL is always NLK_URL (https) with our query string: no file: or other schemes.
    request = urllib.request.Request(  # noqa: S310
        url,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
    )
    try:
        # Looked up at call time so tests patching isbnlib.dev.webservice.urlopen
        # replay this provider like isbnlib's own ones.
        response = _webservice.urlopen(request, timeout=timeout)
    except HTTPError as exc:
        code, reason = exc.code, exc.reason
        exc.close()
        raise isbnlib.dev.ISBNLibHTTPError(f"({code}) {reason}") from None
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise isbnlib.dev.ServiceIsDownError("service timeout") from None
        raise isbnlib.dev.ISBNLibURLError(str(exc.reason)) from None
    except TimeoutError:
        raise isbnlib.dev.ServiceIsDownError("service timeout") from None
    try:
        body = response.read()
        encoding = response.info().get("Content-Encoding")
    except TimeoutError:
        raise isbnlib.dev.ServiceIsDownError("service timeout") from None
    finally:
        close = getattr(response, "close", None)
        if callable(close):
            close()
    if encoding == "gzip":
        body = gzip.decompress(body)
    if isinstance(body, str):
        return body
    return body.decode("utf-8", errors="replace")


def _nlk_url(isbn13: str, key: str) -> str:
    """Build the Seoji SearchApi URL for one ISBN."""
    query = urllib.parse.urlencode(
        {
            "cert_key": key,
            "result_style": "json",
            "page_no": "1",
            "page_size": "10",
            "isbn": isbn13,
        }
    )
    return f"{NLK_URL}?{query}"


def nlk_query(isbn13: str, *, key: str, timeout: float) -> dict[str, Any]:
    """Ask the National Library of Korea for one ISBN: stdmeta dict + NLK extras, or {}."""
    isbn = isbnlib.ean13(isbn13)
    if not isbn:
        raise isbnlib.NotValidISBNError(isbn13)
    if not key:
        raise isbnlib.dev.NoAPIKeyError("nlk")
    url = _nlk_url(isbn, key)
    LOGGER.debug("NLK query %s", _redact(url))
    text = _http_get_text(url, timeout=timeout)
    try:
        data = json.loads(text)
    except ValueError:
        raise isbnlib.dev.DataWrongShapeError(
            "NLK answered with something that is not JSON"
        ) from None
    if not isinstance(data, dict):
        raise isbnlib.dev.DataWrongShapeError("NLK answer is not a JSON object")
    err_code = _text(data.get("ERR_CODE"))
    err_message = _text(data.get("ERR_MESSAGE"))
    result = (_text(data.get("RESULT")) or "").upper()
    if err_code or err_message or result in ("ERROR", "FAIL", "N"):
        raise NLKError(f"NLK error {err_code or result}: {err_message or ''}".strip())
    docs = data.get("docs")
    if not isinstance(docs, list):
        if str(data.get("TOTAL_COUNT", "")).strip() == "0":
            return {}
        raise isbnlib.dev.DataWrongShapeError("NLK answer has no 'docs' list")
    doc = next(
        (
            d
            for d in docs
            if isinstance(d, dict) and isbnlib.ean13(str(d.get("EA_ISBN") or "")) == isbn
        ),
        None,
    )
    if doc is None:
        return {}

    def field_text(name: str) -> str:
        return _text(doc.get(name)) or ""

    publish_date = field_text("REAL_PUBLISH_DATE") or field_text("PUBLISH_PREDATE")
    year = _parse_year(publish_date)
    names = [name for name, _role in split_contributors(field_text("AUTHOR"), source="nlk")]
    record = isbnlib.dev.stdmeta(
        {
            "ISBN-13": isbn,
            "Title": field_text("TITLE"),
            "Authors": names or [""],
            "Publisher": field_text("PUBLISHER"),
            "Year": str(year) if year else "",
            "Language": "",
        }
    )
    record.update(
        {
            "AUTHOR": field_text("AUTHOR"),
            "KDC": field_text("KDC"),
            "EA_ADD_CODE": field_text("EA_ADD_CODE"),
            "PAGE": field_text("PAGE"),
            "SERIES_TITLE": field_text("SERIES_TITLE"),
            "PUBLISH_DATE": publish_date,
        }
    )
    return record


# ---------------------------------------------------------------------------
# Provider configuration and isbnlib quirks
# ---------------------------------------------------------------------------

DEFAULT_SERVICES: tuple[str, ...] = ("nlk", "openl", "goob")


@dataclass(frozen=True)
class _ProviderSettings:
    nlk_key: str | None = None
    timeout: float = 10.0


_settings = _ProviderSettings()


class _NoCache(MutableMapping[str, Any]):
    """A mapping that never keeps anything (isbnlib must not cache; the app does)."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        return None

    def __delitem__(self, key: str) -> None:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __contains__(self, key: object) -> bool:
        return False


def _nlk_service(isbn13: str) -> dict[str, Any]:
    """The isbnlib-registry form of nlk_query, bound to the configured key and timeout."""
    settings = _settings
    if not settings.nlk_key:
        raise isbnlib.dev.NoAPIKeyError("nlk: no key configured")
    return nlk_query(isbn13, key=settings.nlk_key, timeout=settings.timeout)


_registry_lock = threading.Lock()


def provider_registry():
    """Return isbnlib.registry with our NLK service in it, importing it on first use.

    The import loads pkg_resources (most of a second, and a setuptools deprecation warning
    about isbnlib, not us, which must not break `-W error` runs), so starting the app and
    pages that never look a book up do not pay for it. The NLK service is put back if
    something (a test) reset the services.
    """
    registry = sys.modules.get("isbnlib.registry")
    if registry is None:
        with _registry_lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import isbnlib.registry as registry
            registry.set_cache(None)
    if registry.services.get("nlk") is not _nlk_service:
        registry.add_service("nlk", _nlk_service)
    return registry


def _disable_isbnlib_caches() -> None:
    """Stop isbnlib memoising metadata and raw bodies (our database is the cache)."""
    registry = sys.modules.get("isbnlib.registry")
    if registry is not None:
        registry.set_cache(None)
    decorators = getattr(isbnlib.dev, "_decorators", None)
    if decorators is not None and hasattr(decorators, "im_cache"):
        decorators.im_cache = _NoCache()


def _set_throttling(seconds: float) -> None:
    """Change isbnlib's per-host throttling (a default argument bound at import time)."""
    for func in (_webquery.query, _webquery.WEBQuery.__init__):
        try:
            params = list(inspect.signature(func).parameters.values())
            defaults = list(func.__defaults__ or ())
            with_default = [p for p in params if p.default is not inspect.Parameter.empty]
            names = [p.name for p in with_default]
            if "throttling" in names and len(names) == len(defaults):
                defaults[names.index("throttling")] = seconds
                func.__defaults__ = tuple(defaults)
        except (TypeError, ValueError, AttributeError):  # pragma: no cover - defensive
            LOGGER.warning("could not change isbnlib throttling on %r", func)


def configure_providers(nlk_key: str | None, timeout: float) -> None:
    """Bind the NLK key, set isbnlib's URL timeout and turn off its 1 s throttling."""
    global _settings
    _settings = _ProviderSettings(nlk_key=(nlk_key or None), timeout=float(timeout))
    isbnlib.config.seturlopentimeout(float(timeout))
    _set_throttling(0)
    _disable_isbnlib_caches()


def clear_provider_caches() -> None:
    """Forget anything isbnlib memoised and its per-host throttling clock (for tests)."""
    _disable_isbnlib_caches()
    _webquery.WEBQuery.T.clear()
    _webquery.WEBQuery.T["id"] = time.time()


_disable_isbnlib_caches()


# ---------------------------------------------------------------------------
# Lookup through the provider chain
# ---------------------------------------------------------------------------


class Outcome(StrEnum):
    """How one provider attempt ended."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    ERROR = "error"
    TIMEOUT = "timeout"
    SKIPPED_BUDGET = "skipped_budget"
    SKIPPED_UNCONFIGURED = "skipped_unconfigured"
    SKIPPED_BUSY = "skipped_busy"


class Attempt(NamedTuple):
    """One provider attempt: (service, outcome, seconds)."""

    service: str
    outcome: Outcome
    seconds: float


@dataclass
class LookupResult:
    """What lookup found (if anything) and how each provider attempt went."""

    metadata: Metadata | None
    source: str | None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """Tell whether some provider answered."""
        return self.metadata is not None


# Provider calls run in daemon threads that are abandoned at their deadline. Daemon
# threads (not a ThreadPoolExecutor, whose workers are joined at interpreter exit and
# can all be stuck) never hold up shutdown; this semaphore caps how many may be stuck.
MAX_PROVIDER_THREADS = 16
_provider_slots = threading.BoundedSemaphore(MAX_PROVIDER_THREADS)
MIN_ATTEMPT_SECONDS = 0.05


def _start_in_thread(func: Callable[[], Any]) -> Future[Any] | None:
    """Run func in a daemon thread; return its future, or None when all slots are busy."""
    if not _provider_slots.acquire(blocking=False):
        return None
    future: Future[Any] = Future()

    def runner() -> None:
        try:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(func())
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)
        finally:
            _provider_slots.release()

    try:
        threading.Thread(target=runner, name="isbn-provider", daemon=True).start()
    except RuntimeError:  # pragma: no cover - the system cannot start a thread
        _provider_slots.release()
        return None
    return future


def _outcome_for(exc: BaseException) -> Outcome:
    """Map a provider exception to an attempt outcome."""
    if isinstance(exc, isbnlib.dev.DataNotFoundAtServiceError):
        return Outcome.NOT_FOUND
    if isinstance(exc, ISBNNotConsistentError):
        return Outcome.NOT_FOUND  # the service answered with another book
    if isinstance(exc, isbnlib.dev.ISBNLibHTTPError) and "(404)" in str(exc):
        return Outcome.NOT_FOUND  # e.g. Wikipedia answers an unknown ISBN with 404
    if isinstance(exc, TimeoutError):
        return Outcome.TIMEOUT
    text = str(exc).lower()
    if isinstance(exc, isbnlib.ISBNLibException) and ("timeout" in text or "timed out" in text):
        return Outcome.TIMEOUT
    return Outcome.ERROR


def lookup(
    isbn13: str,
    *,
    services: Sequence[str] = DEFAULT_SERVICES,
    timeout: float = 5.0,
    budget: float = 8.0,
) -> LookupResult:
    """Ask services in order for the ISBN's metadata within timeout/budget; never raises."""
    start = time.monotonic()
    attempts: list[Attempt] = []
    isbn = isbnlib.ean13(isbn13) if isinstance(isbn13, str) else ""
    if not isbn:
        LOGGER.warning("lookup of an invalid ISBN %r", isbn13)
        return LookupResult(None, None, attempts)
    for raw_name in services:
        name = str(raw_name).lower()
        remaining = budget - (time.monotonic() - start)
        if name == "nlk" and not _settings.nlk_key:
            attempts.append(Attempt(name, Outcome.SKIPPED_UNCONFIGURED, 0.0))
            continue
        if remaining < MIN_ATTEMPT_SECONDS:
            attempts.append(Attempt(name, Outcome.SKIPPED_BUDGET, 0.0))
            continue
        if name not in provider_registry().services:
            LOGGER.error("unknown metadata service %r", name)
            attempts.append(Attempt(name, Outcome.ERROR, 0.0))
            continue
        began = time.monotonic()
        future = _start_in_thread(lambda name=name: isbnlib.meta(isbn, name))
        if future is None:
            LOGGER.warning("all provider threads are busy; skipping %s", name)
            attempts.append(Attempt(name, Outcome.SKIPPED_BUSY, 0.0))
            continue
        done, _pending = wait_futures([future], timeout=min(timeout, remaining))
        seconds = round(time.monotonic() - began, 3)
        if not done:
            # The thread is abandoned; isbnlib's URL-open timeout ends it eventually.
            LOGGER.warning("metadata service %s timed out for %s", name, isbn)
            attempts.append(Attempt(name, Outcome.TIMEOUT, seconds))
            continue
        exc = future.exception()
        if exc is not None:
            outcome = _outcome_for(exc)
            log = LOGGER.info if outcome is Outcome.NOT_FOUND else LOGGER.warning
            log("metadata service %s for %s: %s (%s)", name, isbn, outcome, _redact(str(exc)))
            attempts.append(Attempt(name, outcome, seconds))
            continue
        try:
            metadata = clean_metadata(future.result(), name)
        except Exception:  # a strange answer must not break the lending desk
            LOGGER.exception("could not clean the answer of %s for %s", name, isbn)
            attempts.append(Attempt(name, Outcome.ERROR, seconds))
            continue
        if metadata is None:
            attempts.append(Attempt(name, Outcome.NOT_FOUND, seconds))
            continue
        if metadata.isbn13 != isbn:
            LOGGER.warning("service %s answered %s for %s", name, metadata.isbn13, isbn)
            attempts.append(Attempt(name, Outcome.NOT_FOUND, seconds))
            continue
        attempts.append(Attempt(name, Outcome.FOUND, seconds))
        return LookupResult(metadata, name, attempts)
    return LookupResult(None, None, attempts)
