"""Tests for app.isbn.cleaning: provider answers and author statements, cleaned."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.isbn import Metadata, split_contributors
from app.isbn.cleaning import clean_metadata
from tests.isbn.conftest import PROPERTY


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
    assert meta.addon_code == "03810"
    assert meta.page_count == 264
    assert meta.source == "nlk"


def test_clean_metadata_empty_strings_become_none() -> None:
    meta = clean_metadata(stdmeta(Title="Slow reading", KDC="", EA_ADD_CODE="", PAGE=""), "openl")
    assert meta == Metadata(isbn13="9791162243091", title="Slow reading", source="openl")


def test_clean_metadata_keeps_the_addon_without_a_kdc() -> None:
    meta = clean_metadata(stdmeta(Title="Kotlin in action", EA_ADD_CODE="94000"), "nlk")
    assert meta is not None
    assert meta.kdc is None
    assert meta.addon_code == "94000"


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


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "Title",
                "Authors",
                "Publisher",
                "Year",
                "Language",
                "ISBN-13",
                "title",
                "authors",
                "subtitle",
            ]
        ),
        st.one_of(st.none(), st.text(), st.integers(), st.lists(st.text(), max_size=3)),
    ),
    st.sampled_from(["openl", "goob", "nlk", "wiki", ""]),
)
def test_clean_metadata_never_raises(raw: dict, source: str) -> None:
    meta = clean_metadata(raw, source)
    assert meta is None or isinstance(meta, Metadata)


@PROPERTY
@given(st.one_of(st.none(), st.text(), st.lists(st.text(), max_size=4), st.integers()))
def test_split_contributors_never_raises(value: object) -> None:
    for name, role in split_contributors(value):
        assert isinstance(name, str) and name.strip()
        assert isinstance(role, str)
