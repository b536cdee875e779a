"""Headings: role words off, the first author chosen, foreign names filed by surname."""

import pytest

from app.callnumbers.heading import (
    choose_heading,
    contributors,
    first_author,
    is_corporate,
    looks_japanese,
    personal_heading,
)

# DOMAIN.md's role words (지음, 옮김, 글, 그림, 엮음, 외, 저, 역, 편, 감수) and their usual kin.
ROLE_WORDS = ["지음", "옮김", "글", "그림", "엮음", "저", "역", "편", "감수", "지은이", "옮긴이",
              "글·그림", "엮은이", "그린이", "편저", "저자", "역자", "원작", "기획", "해설"]


@pytest.mark.parametrize("role", ROLE_WORDS)
def test_role_word_after_the_name(role):
    assert first_author(f"김영진 {role}") == "김영진"
    assert first_author(f"김영진 ({role})") == "김영진"
    assert first_author(f"김영진[{role}]") == "김영진"


@pytest.mark.parametrize("role", ROLE_WORDS)
def test_role_word_before_the_name(role):
    assert first_author(f"{role}: 김영진") == "김영진"
    assert first_author(f"{role} : 김영진") == "김영진"
    assert first_author(f"({role}) 김영진") == "김영진"


@pytest.mark.parametrize("statement", [
    "김영진 외", "김영진 외 2명", "김영진 외 3인", "김영진 외 지음", "김영진 [외]", "김영진 외 글",
    "김영진, 이수지 지음", "김영진·이수지 지음", "김영진 (金英鎭)", "김영진(金英鎭) 지음",
    "「김영진」", "김영진 지음 ; 이수지 그림", "글 김영진, 그림 이수지",
])
def test_et_al_brackets_and_several_names(statement):
    assert first_author(statement) == "김영진"


@pytest.mark.parametrize(("statement", "name"), [
    ("지은이: 손원평", "손원평"),                          # NLK's AUTHOR field
    ("무라타 사야카 지음 ; 김석희 옮김", "무라타 사야카"),
    ("김석희 옮김 ; 무라타 사야카 지음", "무라타 사야카"),  # the author, not the translator
    ("그림: 이수지 ; 글: 김영진", "김영진"),              # a picture book's 글 is its author
    ("이수지 그림", "이수지"),                            # no one else: the illustrator
    ("김석희 옮김 ; 이수지 그림", "이수지"),              # illustrator before translator
    ("홍길동 엮음 ; 김석희 옮김", "홍길동"),
    ("김영진 글·그림", "김영진"),
    ("by J. K. Rowling", "J. K. Rowling"),
    ("Rowling, J. K.", "Rowling, J. K"),
    ("Rowling, J. K., 1965-", "Rowling"),
    (["손원평", "이수지"], "손원평"),
    ("", None),
    (None, None),
    ("지음", None),
    ("외", None),
])
def test_first_author(statement, name):
    assert first_author(statement) == name


def test_contributors_keep_their_roles():
    assert contributors("무라타 사야카 지음 ; 김석희 옮김") == [
        ("무라타 사야카", "지음"), ("김석희", "옮김")]


@pytest.mark.parametrize(("name", "heading"), [
    ("김영진", "김영진"),
    ("김 영진", "김영진"),              # a Korean name with a space is one name
    ("남궁 민", "남궁민"),
    ("무라타 사야카", "무라타"),        # Japanese: the first word (family name)
    ("마치다 소노코", "마치다"),
    ("요코제키 다이", "요코제키"),
    ("나쓰메 소세키", "나쓰메"),
    ("미야자와 겐지", "미야자와"),
    ("벤 라이더 하우", "하우"),         # Western: the last word (surname)
    ("조지 오웰", "오웰"),
    ("J. K. 롤링", "롤링"),
    ("J. K. Rowling", "Rowling"),
    ("Rowling, J. K.", "Rowling"),
    ("Martin Luther King Jr.", "King"),
    ("한국문화예술위원회", "한국문화예술위원회"),
    ("한국 문화 예술 위원회", "한국문화예술위원회"),  # a corporate body: words run together
    ("(주)비룡소", "비룡소"),
])
def test_personal_heading(name, heading):
    assert personal_heading(name) == heading


@pytest.mark.parametrize(("order", "heading"), [
    ("first_word", "벤"), ("last_word", "하우"), ("whole", "벤라이더하우"), ("auto", "하우"),
])
def test_name_order_can_be_chosen(order, heading):
    assert personal_heading("벤 라이더 하우", order) == heading


def test_unknown_name_order():
    with pytest.raises(ValueError):
        personal_heading("김영진", "surname")


@pytest.mark.parametrize(("name", "japanese"), [
    ("무라타 사야카", True), ("요시모토 바나나", True), ("히가시노 게이고", True),
    ("핫토리 한조", True), ("벤 라이더 하우", False), ("조지 오웰", False), ("댄 브라운", False),
    ("미하엘 엔데", False), ("J. K. 롤링", False), ("", False),
])
def test_looks_japanese(name, japanese):
    assert looks_japanese(name) is japanese


def test_is_corporate():
    assert is_corporate("국립중앙도서관")
    assert is_corporate("비룡소 편집부")
    assert is_corporate("㈜비룡소")
    assert not is_corporate("김영진")


class TestChooseHeading:
    def test_the_first_author(self):
        assert choose_heading("무라타 사야카 지음 ; 김석희 옮김") == "무라타"

    def test_the_publisher_when_there_is_no_author(self):
        assert choose_heading(None, publisher="(주)비룡소") == "비룡소"
        assert choose_heading("", publisher="창비") == "창비"

    def test_the_publisher_when_the_library_files_so(self):
        # Children's series are often filed under the publisher.
        assert choose_heading("김영진", publisher="비룡소", use_publisher=True) == "비룡소"
        assert choose_heading("김영진", publisher="", use_publisher=True) == "김영진"

    def test_a_corporate_author(self):
        assert choose_heading("한국문화예술위원회 편") == "한국문화예술위원회"

    def test_nothing(self):
        assert choose_heading(None) is None

    def test_name_order(self):
        assert choose_heading("벤 라이더 하우", name_order="first_word") == "벤"


def test_a_bare_role_word_first_unless_it_is_a_surname():
    assert first_author("글 김영진, 그림 이수지") == "김영진"
    assert first_author("편 혜영") == "편 혜영"  # 편혜영, written with a space
    assert personal_heading("편 혜영") == "편혜영"
