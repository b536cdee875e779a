"""Tests for app.isbn.nlk: the National Library of Korea service, replayed."""

from __future__ import annotations

import logging
import urllib.parse
import urllib.request
from urllib.error import URLError

import isbnlib
import pytest

from app.isbn import configure_providers, lookup
from app.isbn.cleaning import clean_metadata
from app.isbn.nlk import nlk_query
from tests.isbn.conftest import (
    NLK_KEY,
    NLK_RECORDING,
    FakeWeb,
    needs_recordings,
    outcomes,
    recording,
)


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
