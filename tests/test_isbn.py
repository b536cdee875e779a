"""Tests for app.isbn: scan parsing, Korean add-ons, metadata cleaning and providers.

No test reaches the network: an autouse fixture makes any real urlopen or socket
connection fail the test, and the provider tests replay recorded response bodies from
the shared folder (PROVIDER_RESPONSES, read at test time, never copied into the repo)
through a fake ``isbnlib.dev.webservice.urlopen``, the HTTP boundary that isbnlib's
providers and our NLK provider both use.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import socket
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError
from typing import Any
from urllib.error import HTTPError, URLError

import isbnlib
import isbnlib.config
import isbnlib.dev.webservice
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import isbn as isbnmod
from app.barcodes import internal_code
from app.isbn import (
    Addon,
    Attempt,
    LookupResult,
    Metadata,
    Scan,
    ScanKind,
    clean_metadata,
    clear_provider_caches,
    configure_providers,
    decode_addon,
    ean13_check_digit,
    is_valid_ean13,
    lookup,
    nlk_query,
    parse_scan,
    provider_registry,
    split_contributors,
)
from tests.conftest import IN_CI, SHARED_DATA

PROVIDER_RESPONSES = SHARED_DATA / "provider-responses"
NLK_RECORDING = "nlk_title-kotlin-in-action_9791161759692_9791161750712.json"
# sha256 of the files, as listed in the folder's README.
CHECKSUMS = dict(
    reversed(line.split())
    for line in """
cc8562916fe22da65ab4810af06e0fa4bd1e68f4707ffe46695b376c11bced46  goob_9781782276340.json
49c84c6b1e4c73e32e01f77497336ceadb6b94407d6f69c1edd791773fdff065  goob_9781847399304.json
3d64ed9c9f897627d93397500d9ae9bf0f86ec8e27838b6933aca193ce0ce7f0  goob_9784815602666.json
930498aeb0152ea6b32136d78e6e1d5c5423f8113cbf3e722c33d66baf2548c0  {nlk}
18e93c71594c6d14cc55bf73c63454d96b21c92f990e99a0a401ceb8e7e3434f  openl_2070379043.json
d3fcf02e80bc344f999f83f128823c22c0152a0b737b0198211fb6587f87a424  openl_9780316030571.json
dd219b67f2409bfe42c068639ab764bfb7495c4a3ec51e6babc5bbaaf262b2f1  openl_9780980200447.json
a7d6093b733bf096f8300873248710ef990cfa98c06eb8e9796bb78be991aa52  {goob_stub}
a8be08941fb89e53cda3e546ec456cbc1594578301ee1bdec562f7d37269cc44  stubs/nlk_notfound_total0.json
ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  stubs/openl_notfound_empty.json
""".format(nlk=NLK_RECORDING, goob_stub="stubs/goob_notfound_totalItems0.json").splitlines()
    if line.strip()
)
NLK_KEY = "test-secret-key-123"
# Scheduling delay allowed on a loaded 2-core machine; a hanging host blocks for 10 s, so a
# bound of timeout + SLACK still tells "cut off" from "waited for the host".
SLACK = 2.5

needs_recordings = pytest.mark.skipif(
    not PROVIDER_RESPONSES.is_dir() and not IN_CI,
    reason=f"recorded provider responses not found in {PROVIDER_RESPONSES}",
)


def recording(name: str) -> bytes:
    """Read one recorded (or stub) response body from the shared folder."""
    return (PROVIDER_RESPONSES / name).read_bytes()


# ---------------------------------------------------------------------------
# Fake HTTP boundary
# ---------------------------------------------------------------------------


class FakeResponse:
    """Just enough of http.client.HTTPResponse for isbnlib and app.isbn."""

    def __init__(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self._body = body
        self._headers = headers or {}

    def read(self) -> bytes:
        return self._body

    def info(self) -> dict[str, str]:
        return self._headers

    def close(self) -> None:
        pass


Handler = bytes | str | BaseException | Callable[[urllib.request.Request, float], Any]


class FakeWeb:
    """Routes urlopen(request) by host to a recorded body, an error or a callable."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, float | None]] = []
        self.gzip = False

    def route(self, host: str, handler: Handler) -> FakeWeb:
        self.routes[host] = handler
        return self

    def urls(self, host: str) -> list[str]:
        return [u for u, _t in self.requests if urllib.parse.urlsplit(u).hostname == host]

    def __call__(
        self, request: urllib.request.Request | str, timeout: float | None = None, **_kw: Any
    ) -> FakeResponse:
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        self.requests.append((url, timeout))
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in self.routes:
            raise AssertionError(f"unexpected request to {url}")
        handler = self.routes[host]
        if isinstance(handler, BaseException):
            raise handler
        if callable(handler):
            handler = handler(request, timeout)
            if isinstance(handler, FakeResponse):
                return handler
        body = handler.encode() if isinstance(handler, str) else handler
        if self.gzip:
            return FakeResponse(gzip.compress(body), {"Content-Encoding": "gzip"})
        return FakeResponse(body)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make any real HTTP request or socket connection fail the test loudly."""
    attempts: list[str] = []

    def refuse_urlopen(request: Any, *args: Any, **kwargs: Any) -> Any:
        url = getattr(request, "full_url", request)
        attempts.append(f"urlopen {url}")
        raise AssertionError(f"test tried to reach the network: {url}")

    def refuse_connect(self: socket.socket, address: Any) -> None:
        attempts.append(f"connect {address}")
        raise AssertionError(f"test tried to open a connection to {address}")

    monkeypatch.setattr(isbnlib.dev.webservice, "urlopen", refuse_urlopen)
    monkeypatch.setattr(urllib.request, "urlopen", refuse_urlopen)
    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    yield attempts
    if attempts:
        pytest.fail(f"network access attempted: {attempts}")


@pytest.fixture(autouse=True)
def providers() -> Iterator[None]:
    """Start every test with providers unconfigured and isbnlib caches empty."""
    configure_providers(None, 2.0)
    clear_provider_caches()
    registry = provider_registry()
    services = dict(registry.services)
    yield
    registry.services.clear()
    registry.services.update(services)
    configure_providers(None, 2.0)
    clear_provider_caches()


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> FakeWeb:
    """Install a FakeWeb as isbnlib's urlopen (the boundary every provider uses)."""
    fake = FakeWeb()
    monkeypatch.setattr(isbnlib.dev.webservice, "urlopen", fake)
    return fake


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event that hanging fake providers wait on; set at teardown to free them."""
    event = threading.Event()
    yield event
    event.set()


def hang(event: threading.Event, body: bytes = b"{}", seconds: float = 5.0) -> Handler:
    """A handler that blocks (like a host that never answers) until released."""

    def handler(_request: urllib.request.Request, _timeout: float) -> bytes:
        event.wait(seconds)
        return body

    return handler


def outcomes(result: LookupResult) -> list[tuple[str, str]]:
    """The (service, outcome) pairs of a lookup, without timings."""
    return [(a.service, str(a.outcome)) for a in result.attempts]


# ---------------------------------------------------------------------------
# EAN-13 helpers and internal barcodes
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
        ("9771234567003", isbnmod.MSG_ISSN, "ISSN"),
        ("977123456700300", isbnmod.MSG_ISSN, "ISSN"),  # with a 2-digit issue add-on
        ("8801234567893", isbnmod.MSG_KOREAN_PRODUCT, "Korean product"),
        ("2001234567893", isbnmod.MSG_STORE_INTERNAL, "shop"),
        ("2090000000016", isbnmod.MSG_STORE_INTERNAL, "shop"),
        ("9790260000438", isbnmod.MSG_ISMN, "ISMN"),
        ("9900000000011", isbnmod.MSG_COUPON, "coupon"),
        ("4006381333931", isbnmod.MSG_PRODUCT, "product"),
        ("5012345678900", isbnmod.MSG_PRODUCT, "product"),
        ("036000291452", isbnmod.MSG_PRODUCT, "product"),  # UPC-A
        ("96385074", isbnmod.MSG_PRODUCT, "product"),  # EAN-8
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
    assert scan.message is isbnmod.MSG_BAD_CHECK
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
    assert scan.message is isbnmod.MSG_INVALID or scan.message is isbnmod.MSG_EMPTY


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\u200b"])
def test_parse_empty(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.INVALID
    assert scan.code == ""
    assert scan.message is isbnmod.MSG_EMPTY


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


# Hypothesis: properties over many inputs

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


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


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_any_five_digits_decode(code: str) -> None:
    addon = decode_addon(code)
    assert addon.code == code
    assert addon.subject == code[2:]
    assert str(addon.reader_group_label) and str(addon.form_label)
    assert str(addon.kdc_class_label)


@PROPERTY
@given(st.text(max_size=20))
def test_check_digit_helpers_raise_only_their_documented_error(text: str) -> None:
    from app.barcodes import InvalidBarcode

    assert isinstance(is_valid_ean13(text), bool)
    try:
        digit = ean13_check_digit(text)
    except InvalidBarcode:
        assert not (len(text) == 12 and text.isascii() and text.isdigit())
    else:
        assert is_valid_ean13(text + digit)
        assert sum(is_valid_ean13(text + str(d)) for d in range(10)) == 1


@PROPERTY
@given(st.text(max_size=8))
def test_decode_addon_raises_only_value_error(code: str) -> None:
    try:
        addon = decode_addon(code)
    except ValueError:
        assert not (len(code) == 5 and code.isascii() and code.isdigit())
    else:
        assert addon.code == code


@st.composite
def korean_isbn13(draw: st.DrawFn) -> str:
    """A valid Korean ISBN-13 (978-89 or 979-11): the ones that carry a 부가기호."""
    prefix = draw(st.sampled_from(["97889", "97911"]))
    first12 = prefix + draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    return first12 + ean13_check_digit(first12)


@PROPERTY
@given(korean_isbn13(), st.text(alphabet="0123456789", min_size=5, max_size=5),
       st.sampled_from(["", " ", "  ", "-"]))
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
@given(valid_isbn13(), st.text(alphabet="0123456789", min_size=5, max_size=5),
       st.integers(min_value=1, max_value=9))
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


@PROPERTY
@given(st.dictionaries(st.sampled_from(["Title", "Authors", "Publisher", "Year", "Language",
                                        "ISBN-13", "title", "authors", "subtitle"]),
                       st.one_of(st.none(), st.text(), st.integers(),
                                 st.lists(st.text(), max_size=3))),
       st.sampled_from(["openl", "goob", "nlk", "wiki", ""]))
def test_clean_metadata_never_raises(raw: dict, source: str) -> None:
    meta = clean_metadata(raw, source)
    assert meta is None or isinstance(meta, Metadata)


@PROPERTY
@given(st.one_of(st.none(), st.text(), st.lists(st.text(), max_size=4), st.integers()))
def test_split_contributors_never_raises(value: object) -> None:
    for name, role in split_contributors(value):
        assert isinstance(name, str) and name.strip()
        assert isinstance(role, str)


# ---------------------------------------------------------------------------
# Korean add-on
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# clean_metadata and author statements
# ---------------------------------------------------------------------------


def stdmeta(**fields: Any) -> dict[str, Any]:
    """An isbnlib-shaped record with defaults."""
    record: dict[str, Any] = {
        "ISBN-13": "9791162243091",
        "Title": "",
        "Authors": [""],
        "Publisher": "",
        "Year": "",
        "Language": "",
    }
    record.update(fields)
    return record


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "세바스티안 아이그너,로만 엘리자로프,스베트라나 이사코바,"
            "드미트리 제메로프 지음 ;오현석 옮김",
            [
                ("세바스티안 아이그너", "author"),
                ("로만 엘리자로프", "author"),
                ("스베트라나 이사코바", "author"),
                ("드미트리 제메로프", "author"),
                ("오현석", "translator"),
            ],
        ),
        ("지은이: 손원평", [("손원평", "author")]),
        (
            "지은이: 기시미 이치로 ; 옮긴이: 전경아",
            [("기시미 이치로", "author"), ("전경아", "translator")],
        ),
        (
            "글: 이수지, 김영하 ; 그림: 백희나",
            [("이수지", "author"), ("김영하", "author"), ("백희나", "illustrator")],
        ),
        ("글·그림: 백희나", [("백희나", "author")]),
        ("홍길동 지음, 김철수 옮김", [("홍길동", "author"), ("김철수", "translator")]),
        ("홍길동 외 지음", [("홍길동", "author")]),
        ("김영하 [지음]", [("김영하", "author")]),
        (
            "한국문학번역원 엮음 ; 이영희 감수",
            [("한국문학번역원", "editor"), ("이영희", "supervisor")],
        ),
        (
            ["Barney Stinson", "Niel Patrick Harris", "Matt Kuhn"],
            [
                ("Barney Stinson", "author"),
                ("Niel Patrick Harris", "author"),
                ("Matt Kuhn", "author"),
            ],
        ),
        ("Banks, Iain M.", [("Banks, Iain M.", "author")]),
        ("Martin Luther King, Jr.", [("Martin Luther King, Jr.", "author")]),
        ("Iain M. Banks, Romain Gary", [("Iain M. Banks", "author"), ("Romain Gary", "author")]),
        ("", []),
        (None, []),
        ([""], []),
    ],
)
def test_split_contributors(statement: Any, expected: list[tuple[str, str]]) -> None:
    assert split_contributors(statement) == expected


def test_clean_metadata_nlk_shapes() -> None:
    nfd_title = unicodedata.normalize("NFD", "아몬드 : 손원평 장편소설")
    meta = clean_metadata(
        stdmeta(
            Title=nfd_title,
            Authors=["지은이: 손원평"],
            Publisher="  창비  ",
            Year="20170331",
            KDC="813.7",
            EA_ADD_CODE="03810 ",
            PAGE="264 p.",
        ),
        "nlk",
    )
    assert meta is not None
    assert meta.title == "아몬드"
    assert unicodedata.is_normalized("NFC", meta.title)
    assert meta.subtitle == "손원평 장편소설"
    assert meta.authors == ["손원평"]
    assert meta.publisher == "창비"
    assert meta.year == 2017
    assert meta.language == "ko"  # guessed from Hangul when the provider gives none
    assert meta.kdc == "813.7"
    assert meta.kdc_main_class == "8"
    assert meta.addon_code == "03810"
    assert meta.page_count == 264
    assert meta.source == "nlk"


def test_clean_metadata_empty_strings_become_none() -> None:
    meta = clean_metadata(stdmeta(Title="Slow reading", KDC="", EA_ADD_CODE="", PAGE=""), "openl")
    assert meta == Metadata(isbn13="9791162243091", title="Slow reading", source="openl")
    assert meta.kdc_main_class is None


def test_clean_metadata_kdc_falls_back_to_addon_for_main_class() -> None:
    meta = clean_metadata(stdmeta(Title="Kotlin in action", EA_ADD_CODE="94000"), "nlk")
    assert meta is not None
    assert meta.kdc is None
    assert meta.kdc_main_class == "0"


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2019", 2019),
        ("20190315", 2019),
        ("2019-03-15", 2019),
        ("2019.3.15", 2019),
        ("c2019", 2019),
        ("March 2009", 2009),
        ("July 28, 2008", 2008),
        (2019, 2019),
        ("", None),
        ("0000", None),
        ("9999", None),
        ("n.d.", None),
    ],
)
def test_clean_metadata_year(value: Any, year: int | None) -> None:
    meta = clean_metadata(stdmeta(Title="T", Year=value), "goob")
    assert meta is not None
    assert meta.year == year


@pytest.mark.parametrize(
    ("title", "source", "main", "sub"),
    [
        ("아몬드 : 손원평 장편소설", "nlk", "아몬드", "손원평 장편소설"),
        (
            "Sapiens: A Brief History of Humankind",
            "goob",
            "Sapiens",
            "A Brief History of Humankind",
        ),
        ("Kotlin in action 2/e", "nlk", "Kotlin in action 2/e", None),
        ("Meeting at 10:30", "goob", "Meeting at 10:30", None),
        ("Chapter 1: Beginnings", "goob", "Chapter 1", "Beginnings"),
        # isbnlib's openl/goob join title and subtitle with " - "
        ("The Title - The Subtitle", "openl", "The Title", "The Subtitle"),
        ("The Title - The Subtitle", "nlk", "The Title - The Subtitle", None),
        ("  Use   of\tWeapons ", "openl", "Use of Weapons", None),
        ("제목 :", "nlk", "제목", None),
    ],
)
def test_clean_metadata_title_split(title: str, source: str, main: str, sub: str | None) -> None:
    meta = clean_metadata(stdmeta(Title=title), source)
    assert meta is not None
    assert (meta.title, meta.subtitle) == (main, sub)


def test_clean_metadata_explicit_subtitle_wins() -> None:
    meta = clean_metadata(stdmeta(Title="A: B", Subtitle="C"), "goob")
    assert meta is not None
    assert (meta.title, meta.subtitle) == ("A: B", "C")


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {},
        stdmeta(Title=""),
        stdmeta(Title="   "),
        stdmeta(Title=" : "),
        stdmeta(Title="A title", **{"ISBN-13": "9791162243092"}),
        stdmeta(Title="A title", **{"ISBN-13": ""}),
    ],
)
def test_clean_metadata_rejects_unusable_records(raw: Any) -> None:
    assert clean_metadata(raw, "goob") is None


def test_clean_metadata_languages() -> None:
    assert clean_metadata(stdmeta(Title="T", Language="eng"), "x").language == "en"
    assert clean_metadata(stdmeta(Title="T", Language="EN"), "x").language == "en"
    assert clean_metadata(stdmeta(Title="T", Language="kor"), "x").language == "ko"
    assert clean_metadata(stdmeta(Title="T", Language="zh-CN"), "x").language == "zh-cn"
    assert clean_metadata(stdmeta(Title="T", Language="??"), "x").language is None
    assert clean_metadata(stdmeta(Title="T"), "x").language is None


# ---------------------------------------------------------------------------
# Providers replayed against recorded bodies
# ---------------------------------------------------------------------------


@needs_recordings
def test_recordings_are_the_documented_files() -> None:
    assert len(CHECKSUMS) == 10
    for name, digest in CHECKSUMS.items():
        assert hashlib.sha256(recording(name)).hexdigest() == digest, name


@needs_recordings
@pytest.mark.parametrize(
    ("isbn13", "file", "title", "authors", "publisher", "year"),
    [
        (
            "9780316030571",
            "openl_9780316030571.json",
            "Use of Weapons",
            ["Iain M. Banks"],
            "Orbit",
            2008,
        ),
        (
            "9780980200447",
            "openl_9780980200447.json",
            "Slow reading",
            ["John Miedema"],
            "Litwin Books",
            2009,
        ),
    ],
)
def test_openl_replay(
    web: FakeWeb, isbn13: str, file: str, title: str, authors: list[str], publisher: str, year: int
) -> None:
    web.route("openlibrary.org", recording(file))
    result = lookup(isbn13, services=["openl"], timeout=2, budget=5)
    assert outcomes(result) == [("openl", "found")]
    assert result.source == "openl"
    meta = result.metadata
    assert meta is not None
    assert (meta.isbn13, meta.title, meta.authors, meta.publisher, meta.year) == (
        isbn13,
        title,
        authors,
        publisher,
        year,
    )
    assert meta.source == "openl"
    assert web.urls("openlibrary.org") == [
        f"http://openlibrary.org/api/books?bibkeys=ISBN:{isbn13}&format=json&jscmd=data"
    ]


@needs_recordings
def test_openl_replay_of_a_record_keyed_by_isbn10(web: FakeWeb) -> None:
    # The recording answers bibkeys=ISBN:2070379043; isbnlib asks for the ISBN-13.
    body = json.loads(recording("openl_2070379043.json"))
    body = {"ISBN:9782070379040": body.pop("ISBN:2070379043")}
    web.route("openlibrary.org", json.dumps(body))
    scan = parse_scan("2-07-037904-3")
    result = lookup(scan.isbn13, services=["openl"], timeout=2, budget=5)
    meta = result.metadata
    assert meta is not None
    assert (meta.title, meta.authors, meta.publisher, meta.year) == (
        "Les Enchanteurs",
        ["Romain Gary"],
        "Gallimard",
        1988,
    )


@needs_recordings
def test_openl_not_found(web: FakeWeb) -> None:
    web.route("openlibrary.org", recording("stubs/openl_notfound_empty.json"))
    result = lookup("9791162243091", services=["openl"], timeout=2, budget=5)
    assert result.metadata is None
    assert result.source is None
    assert outcomes(result) == [("openl", "not_found")]


@needs_recordings
@pytest.mark.parametrize(
    ("isbn13", "file", "title", "authors", "publisher", "year", "language"),
    [
        (
            "9781782276340",
            "goob_9781782276340.json",
            "The Decagon House Murders",
            ["Yukito Ayatsuji"],
            "Pushkin Vertigo",
            2021,
            "en",
        ),
        (
            "9781847399304",
            "goob_9781847399304.json",
            "The Bro Code",
            ["Barney Stinson", "Niel Patrick Harris", "Matt Kuhn"],
            "Pocket Books",
            2009,
            "en",
        ),
        (
            "9784815602666",
            "goob_9784815602666.json",
            "宇宙の話をしよう",
            ["小野雅裕"],
            None,
            2020,
            "ja",
        ),
    ],
)
def test_goob_replay(
    web: FakeWeb,
    isbn13: str,
    file: str,
    title: str,
    authors: list[str],
    publisher: str | None,
    year: int,
    language: str,
) -> None:
    web.route("www.googleapis.com", recording(file))
    result = lookup(isbn13, services=["goob"], timeout=2, budget=5)
    assert outcomes(result) == [("goob", "found")]
    meta = result.metadata
    assert meta is not None
    assert (meta.title, meta.authors, meta.publisher, meta.year, meta.language) == (
        title,
        authors,
        publisher,
        year,
        language,
    )
    (url,) = web.urls("www.googleapis.com")
    assert url.startswith(f"https://www.googleapis.com/books/v1/volumes?q=isbn:{isbn13}&")


@needs_recordings
def test_goob_not_found_total_items_zero(web: FakeWeb) -> None:
    web.route("www.googleapis.com", recording("stubs/goob_notfound_totalItems0.json"))
    result = lookup("9791162243091", services=["goob"], timeout=2, budget=5)
    assert result.metadata is None
    assert outcomes(result) == [("goob", "not_found")]


def test_goob_empty_object_body_raises_in_isbnlib_but_not_in_lookup(web: FakeWeb) -> None:
    web.route("www.googleapis.com", "{}")
    with pytest.raises(isbnlib.ISBNLibException):
        isbnlib.meta("9791162243091", "goob")
    result = lookup("9791162243091", services=["goob"], timeout=2, budget=5)
    assert outcomes(result) == [("goob", "not_found")]


@needs_recordings
def test_goob_answer_for_another_book_is_not_found(web: FakeWeb) -> None:
    web.route("www.googleapis.com", recording("goob_9781847399304.json"))
    result = lookup("9781782276340", services=["goob"], timeout=2, budget=5)
    assert result.metadata is None
    assert outcomes(result) == [("goob", "not_found")]


@needs_recordings
def test_nlk_replay_first_doc(web: FakeWeb) -> None:
    configure_providers(NLK_KEY, 2.0)
    web.route("www.nl.go.kr", recording(NLK_RECORDING))
    result = lookup("9791161759692", services=["nlk"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "found")]
    meta = result.metadata
    assert meta is not None
    assert meta.isbn13 == "9791161759692"
    assert meta.title == "Kotlin in action 2/e"
    assert meta.subtitle is None
    assert meta.authors == [
        "세바스티안 아이그너",
        "로만 엘리자로프",
        "스베트라나 이사코바",
        "드미트리 제메로프",
        "오현석",
    ]
    assert meta.contributors[-1] == ("오현석", "translator")
    assert meta.publisher == "에이콘출판사"
    assert meta.year == 2025
    assert meta.kdc is None  # KDC is "" in this record
    assert meta.addon_code == "93000"
    assert meta.kdc_main_class == "0"
    assert meta.page_count == 803
    assert meta.series is None
    assert meta.source == "nlk"
    (url,) = web.urls("www.nl.go.kr")
    parts = urllib.parse.urlsplit(url)
    assert (parts.scheme, parts.path) == ("https", "/seoji/SearchApi.do")
    assert urllib.parse.parse_qs(parts.query) == {
        "cert_key": [NLK_KEY],
        "result_style": ["json"],
        "page_no": ["1"],
        "page_size": ["10"],
        "isbn": ["9791161759692"],
    }


@needs_recordings
def test_nlk_replay_second_doc_keeps_kdc_and_addon(web: FakeWeb) -> None:
    web.route("www.nl.go.kr", recording(NLK_RECORDING))
    raw = nlk_query("9791161750712", key=NLK_KEY, timeout=1.5)
    assert raw["ISBN-13"] == "9791161750712"
    assert raw["Title"] == "Kotlin in action"
    assert raw["Authors"] == ["드미트리 제메로프", "스베트라나 이사코바", "오현석"]
    assert raw["Publisher"] == "에이콘"
    assert raw["Year"] == "2017"  # REAL_PUBLISH_DATE is "", PUBLISH_PREDATE 20171031
    assert raw["KDC"] == "005.133"
    assert raw["EA_ADD_CODE"] == "94000"
    assert web.requests[0][1] == 1.5  # the timeout reached urlopen
    meta = clean_metadata(raw, "nlk")
    assert meta is not None
    assert (meta.kdc, meta.addon_code, meta.page_count, meta.year) == (
        "005.133",
        "94000",
        574,
        2017,
    )
    assert meta.series == "에이콘 모바일 프로그래밍 시리즈"


@needs_recordings
def test_nlk_replay_gzip(web: FakeWeb) -> None:
    web.gzip = True
    web.route("www.nl.go.kr", recording(NLK_RECORDING))
    assert nlk_query("9791161759692", key=NLK_KEY, timeout=1)["Title"] == "Kotlin in action 2/e"


@needs_recordings
def test_openl_replay_gzip(web: FakeWeb) -> None:
    web.gzip = True
    web.route("openlibrary.org", recording("openl_9780316030571.json"))
    result = lookup("9780316030571", services=["openl"], timeout=2, budget=5)
    assert result.metadata is not None and result.metadata.title == "Use of Weapons"


@needs_recordings
def test_nlk_not_found(web: FakeWeb) -> None:
    configure_providers(NLK_KEY, 2.0)
    web.route("www.nl.go.kr", recording("stubs/nlk_notfound_total0.json"))
    assert nlk_query("9791162243091", key=NLK_KEY, timeout=1) == {}
    result = lookup("9791162243091", services=["nlk"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "not_found")]


@needs_recordings
def test_nlk_docs_for_other_isbns_are_not_a_match(web: FakeWeb) -> None:
    # The set ISBN of doc 2 is not the EA_ISBN of any doc: no answer rather than a wrong one.
    web.route("www.nl.go.kr", recording(NLK_RECORDING))
    assert nlk_query("9788960770836", key=NLK_KEY, timeout=1) == {}


@pytest.mark.parametrize(
    "body",
    [
        '{"RESULT": "ERROR", "ERR_CODE": "010", "ERR_MESSAGE": "invalid key"}',
        "<html><body>Service unavailable</body></html>",
        '["not", "an", "object"]',
        '{"TOTAL_COUNT": "3"}',
    ],
)
def test_nlk_error_bodies_are_errors(web: FakeWeb, body: str) -> None:
    configure_providers(NLK_KEY, 2.0)
    web.route("www.nl.go.kr", body)
    with pytest.raises(isbnlib.ISBNLibException):
        nlk_query("9791162243091", key=NLK_KEY, timeout=1)
    result = lookup("9791162243091", services=["nlk"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "error")]


def test_nlk_without_key_is_skipped(web: FakeWeb) -> None:
    result = lookup("9791162243091", services=["nlk"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "skipped_unconfigured")]
    assert web.requests == []
    with pytest.raises(isbnlib.ISBNLibException):
        nlk_query("9791162243091", key="", timeout=1)


def test_nlk_key_never_reaches_logs_or_errors(
    web: FakeWeb, caplog: pytest.LogCaptureFixture
) -> None:
    configure_providers(NLK_KEY, 2.0)
    web.route("www.nl.go.kr", URLError("Name or service not known"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(isbnlib.ISBNLibException) as excinfo:
        nlk_query("9791162243091", key=NLK_KEY, timeout=1)
    assert NLK_KEY not in str(excinfo.value)
    result = lookup("9791162243091", services=["nlk"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "error")]
    assert web.requests and NLK_KEY in web.requests[0][0]
    assert NLK_KEY not in caplog.text


# ---------------------------------------------------------------------------
# The lookup chain: order, errors, timeouts, budget
# ---------------------------------------------------------------------------


@needs_recordings
def test_chain_asks_in_order_and_stops_at_first_answer(web: FakeWeb) -> None:
    configure_providers(NLK_KEY, 2.0)
    web.route("www.nl.go.kr", recording("stubs/nlk_notfound_total0.json"))
    web.route("openlibrary.org", recording("stubs/openl_notfound_empty.json"))
    web.route("www.googleapis.com", recording("goob_9781847399304.json"))
    web.route("en.wikipedia.org", AssertionError("must not be asked"))
    result = lookup("9781847399304", services=["nlk", "openl", "goob", "wiki"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "not_found"), ("openl", "not_found"), ("goob", "found")]
    assert result.source == "goob"
    assert all(isinstance(a, Attempt) and a.seconds >= 0 for a in result.attempts)
    assert [
        host
        for host in ("www.nl.go.kr", "openlibrary.org", "www.googleapis.com", "en.wikipedia.org")
        if web.urls(host)
    ] == ["www.nl.go.kr", "openlibrary.org", "www.googleapis.com"]


@needs_recordings
def test_http_errors_fall_through_to_the_next_provider(web: FakeWeb) -> None:
    web.route(
        "openlibrary.org",
        HTTPError("http://openlibrary.org/", 503, "Service Unavailable", None, None),
    )
    web.route(
        "www.googleapis.com",
        HTTPError("https://www.googleapis.com/", 429, "Too Many Requests", None, None),
    )
    web.route(
        "en.wikipedia.org", HTTPError("https://en.wikipedia.org/", 404, "Not Found", None, None)
    )
    result = lookup("9780316030571", services=["openl", "goob", "wiki"], timeout=2, budget=5)
    assert result.metadata is None
    assert outcomes(result) == [("openl", "error"), ("goob", "error"), ("wiki", "not_found")]
    web.route("www.googleapis.com", recording("goob_9781782276340.json"))
    result = lookup("9781782276340", services=["openl", "goob"], timeout=2, budget=5)
    assert outcomes(result) == [("openl", "error"), ("goob", "found")]


def test_every_provider_unreachable(web: FakeWeb) -> None:
    configure_providers(NLK_KEY, 2.0)
    for host in ("www.nl.go.kr", "openlibrary.org", "www.googleapis.com", "en.wikipedia.org"):
        web.route(host, URLError("[Errno -3] Temporary failure in name resolution"))
    result = lookup("9791162243091", services=["nlk", "openl", "goob", "wiki"], timeout=2, budget=5)
    assert result == LookupResult(None, None, result.attempts)
    assert not result.found
    assert outcomes(result) == [
        ("nlk", "error"),
        ("openl", "error"),
        ("goob", "error"),
        ("wiki", "error"),
    ]


def test_socket_timeouts_are_reported_as_timeouts(web: FakeWeb) -> None:
    configure_providers(NLK_KEY, 2.0)
    web.route("www.nl.go.kr", URLError(TimeoutError("timed out")))
    web.route("openlibrary.org", TimeoutError("timed out"))
    result = lookup("9791162243091", services=["nlk", "openl"], timeout=2, budget=5)
    assert outcomes(result) == [("nlk", "timeout"), ("openl", "timeout")]


@needs_recordings
def test_a_hanging_provider_times_out_and_the_next_is_tried(
    web: FakeWeb, release: threading.Event
) -> None:
    web.route("openlibrary.org", hang(release))
    web.route("www.googleapis.com", recording("goob_9781782276340.json"))
    started = time.monotonic()
    result = lookup("9781782276340", services=["openl", "goob"], timeout=0.3, budget=3)
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 + SLACK  # the hang itself lasts 10 s
    assert outcomes(result) == [("openl", "timeout"), ("goob", "found")]
    assert 0.25 <= result.attempts[0].seconds < 0.3 + SLACK
    assert result.metadata is not None
    assert result.metadata.title == "The Decagon House Murders"


def test_a_hanging_provider_cannot_exceed_the_budget(
    web: FakeWeb, release: threading.Event
) -> None:
    configure_providers(NLK_KEY, 10.0)
    web.route("www.nl.go.kr", hang(release))
    web.route("openlibrary.org", AssertionError("no budget left: must not be asked"))
    started = time.monotonic()
    result = lookup("9791162243091", services=["nlk", "openl", "goob"], timeout=5, budget=0.4)
    elapsed = time.monotonic() - started
    assert elapsed < 0.4 + SLACK  # under the 5 s timeout: the budget cut it
    assert result.metadata is None
    assert outcomes(result) == [
        ("nlk", "timeout"),
        ("openl", "skipped_budget"),
        ("goob", "skipped_budget"),
    ]


def test_provider_exceptions_never_escape(web: FakeWeb) -> None:
    def broken(_isbn: str) -> dict[str, Any]:
        raise ZeroDivisionError("bug in a provider")

    def garbage(_isbn: str) -> Any:
        return ["not", "a", "dict"]

    provider_registry().add_service("broken", broken)
    provider_registry().add_service("garbage", garbage)
    result = lookup(
        "9791162243091", services=["broken", "garbage", "nosuchservice"], timeout=1, budget=2
    )
    assert result.metadata is None
    assert outcomes(result) == [
        ("broken", "error"),
        ("garbage", "not_found"),
        ("nosuchservice", "error"),
    ]


def test_custom_service_through_the_registry(web: FakeWeb) -> None:
    provider_registry().add_service(
        "fake",
        lambda isbn: {
            "ISBN-13": isbn,
            "Title": "소년이 온다",
            "Authors": ["한강 지음"],
            "Publisher": "창비",
            "Year": "2014",
            "Language": "",
        },
    )
    result = lookup("9791162243091", services=["fake"], timeout=1, budget=2)
    assert result.source == "fake"
    assert result.metadata is not None
    assert result.metadata.authors == ["한강"]
    assert result.metadata.language == "ko"


@pytest.mark.parametrize("bad", ["", "9791162243092", "not an isbn", "2010000000014"])
def test_lookup_of_an_invalid_isbn_asks_nobody(web: FakeWeb, bad: str) -> None:
    result = lookup(bad, services=["openl", "goob"], timeout=1, budget=2)
    assert result == LookupResult(None, None, [])
    assert web.requests == []


@needs_recordings
def test_isbnlib_does_not_cache_and_does_not_throttle(web: FakeWeb) -> None:
    configure_providers(None, 1.5)
    assert isbnlib.config.options["URLOPEN_TIMEOUT"] == 1.5
    web.route("openlibrary.org", recording("openl_9780316030571.json"))
    started = time.monotonic()
    for _ in range(3):
        result = lookup("9780316030571", services=["openl"], timeout=2, budget=5)
        assert outcomes(result) == [("openl", "found")]
    # isbnlib would sleep 1 s between calls to the same host, and memoise by URL.
    assert time.monotonic() - started < 1.8
    assert len(web.urls("openlibrary.org")) == 3
    assert {timeout for _url, timeout in web.requests} == {1.5}
    clear_provider_caches()
    assert lookup("9780316030571", services=["openl"], timeout=2, budget=5).found
