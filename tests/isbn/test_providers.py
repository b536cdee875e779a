"""Tests for app.isbn.providers: isbnlib's services replayed, and the lookup chain."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any
from urllib.error import HTTPError, URLError

import isbnlib
import isbnlib.config
import pytest

from app.isbn import (
    Attempt,
    LookupResult,
    clear_provider_caches,
    configure_providers,
    lookup,
    parse_scan,
    provider_registry,
)
from tests.isbn.conftest import (
    CHECKSUMS,
    NLK_KEY,
    SLACK,
    FakeWeb,
    hang,
    needs_recordings,
    outcomes,
    recording,
)

# ---------------------------------------------------------------------------
# isbnlib's services replayed against recorded bodies
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
def test_openl_replay_gzip(web: FakeWeb) -> None:
    web.gzip = True
    web.route("openlibrary.org", recording("openl_9780316030571.json"))
    result = lookup("9780316030571", services=["openl"], timeout=2, budget=5)
    assert result.metadata is not None and result.metadata.title == "Use of Weapons"


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
    assert lookup("9780316030571", services=["openl"], timeout=2, budget=5).metadata is not None
