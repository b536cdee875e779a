"""Composing call numbers: DOMAIN.md's worked examples, class numbers, 별치기호, styles."""

import ast
import dataclasses
import sys
from pathlib import Path

import pytest

from app.callnumbers import (
    CHILDREN_PREFIX,
    DEFAULT_FORM_PREFIXES,
    DEFAULT_READER_GROUP_PREFIXES,
    LARGE_PRINT_PREFIX,
    CallNumberRules,
    class_number,
    format_call_number,
    generate_call_number,
    parse_call_number,
    shelf_prefix,
    sort_key,
)

SYLLABLE = CallNumberRules(title_mark="syllable")

# DOMAIN.md, "Worked examples" (author / title -> call number), one row each.
WORKED_EXAMPLES = [
    ("무라타 사야카", "편의점 인간", "833.6", {}, "833.6-무292ㅍ", ["833.6", "무292ㅍ"]),
    ("신재영", "편의점 재영씨", "818", {}, "818-신73ㅍ", ["818", "신73ㅍ"]),
    ("전상인", "편의점 사회학", "304", {}, "304-전52ㅍ", ["304", "전52ㅍ"]),
    ("마치다 소노코", "바다가 들리는 편의점", "833.6", {}, "833.6-마86ㅂ", ["833.6", "마86ㅂ"]),
    ("김영진", "두근두근 편의점", "808", {"shelf": "유"}, "유 808-김64ㄷ",
     ["유", "808", "김64ㄷ"]),
    ("김호연", "불편한 편의점 2", "813.7", {"volume": 2}, "813.7-김95ㅂ-v.2",
     ["813.7", "김95ㅂ", "v.2"]),
    ("고석균", "편의점에 간 멍청한 경제학자", "321.89", {}, "321.89-고54ㅍ",
     ["321.89", "고54ㅍ"]),
]


@pytest.mark.parametrize(("author", "title", "kdc", "extra", "call_number", "lines"),
                         WORKED_EXAMPLES)
def test_worked_examples(author, title, kdc, extra, call_number, lines):
    result = generate_call_number(title=title, author=author, kdc=kdc, **extra)
    assert result.call_number == call_number
    assert result.lines == tuple(lines)
    assert result.author_mark == lines[-2 if "volume" in extra else -1]


@pytest.mark.parametrize(("author", "title", "mark"), [
    ("김창옥", "소통 잘하는 아이가...", "김82소"),  # title mark as syllable; the ㅊ column
    ("한태희", "봄을 찾은 할아버지", "한883봄"),
    ("요코제키 다이", "루팡의 딸", "요875루"),
])
def test_worked_examples_with_syllable_title_marks(author, title, mark):
    result = generate_call_number(title=title, author=author, rules=SYLLABLE)
    assert result.author_mark == mark
    assert result.call_number == mark
    assert result.lines == (mark,)


def test_the_example_written_with_a_space_reads_as_ours():
    # DOMAIN.md writes this one "833.6 요875루"; our layout puts a hyphen there.
    ours = generate_call_number(title="루팡의 딸", author="요코제키 다이", kdc="833.6",
                                rules=SYLLABLE)
    assert ours.call_number == "833.6-요875루"
    theirs = parse_call_number("833.6 요875루")
    assert (theirs.class_number, theirs.author_mark) == ("833.6", "요875루")
    assert sort_key("833.6 요875루")[:-1] == sort_key(ours.call_number)[:-1]


def test_western_name_in_hangul_is_filed_by_surname():
    assert generate_call_number(title="그날", author="벤 라이더 하우 지음").author_mark == "하66ㄱ"


def test_role_words_from_the_national_library():
    result = generate_call_number(title="아몬드", author="지은이: 손원평", kdc="813.7")
    assert (result.call_number, result.heading) == ("813.7-손66ㅇ", "손원평")


def test_parenthetical_title_prefix():
    result = generate_call_number(title="(한입에 쓱싹)편의점 과학", author="김영진 글", kdc="400")
    assert result.call_number == "400-김64ㅍ"
    assert generate_call_number(title="(한입에 쓱싹)편의점 과학", author="김영진",
                                rules=SYLLABLE).author_mark == "김64편"


@pytest.mark.parametrize(("author", "title", "mark"), [
    ("J. K. 롤링 지음 ; 강동혁 옮김", "해리 포터와 마법사의 돌", "롤298ㅎ"),
    ("Rowling, J. K.", "Harry Potter", "RH"),        # Latin: first letter, title letter as is
    ("조지 오웰", "1984", "오66ㅊ"),                  # a number read in Hangul: 천구백팔십사
    ("조남주", "82년생 김지영", "조192ㅍ"),
    ("김영진", "ABC 동화", "김64A"),
    ("김", "바다", "김ㅂ"),                           # a one-syllable name
    ("金英鎭", "바다", None),                         # 한자 names need a Hangul heading
])
def test_latin_digits_and_short_names(author, title, mark):
    assert generate_call_number(title=title, author=author).author_mark == mark


class TestClassNumber:
    @pytest.mark.parametrize(("kdc", "addon", "expected"), [
        ("813.7", "03810", "813.7"),        # the KDC wins
        ("813.7", None, "813.7"),
        ("813.", None, "813"),
        ("KDC 813.7 (6판)", None, "813.7"),
        ("８１３．７", None, "813.7"),        # full-width
        ("", "03810", "810"),               # the add-on's last three digits (DOMAIN.md)
        (None, "43810", "810"),
        (None, "77650", "650"),
        (" 81 ", "03810", "810"),           # not a full class number: the add-on
        (None, "0381", None),
        (None, "038100", None),
        (None, "abcde", None),
        (None, None, None),
        ("", "", None),
    ])
    def test_class_number(self, kdc, addon, expected):
        assert class_number(kdc, addon) == expected

    def test_from_the_addon_in_a_call_number(self):
        result = generate_call_number(title="아몬드", author="손원평", addon="03810")
        assert result.call_number == "810-손66ㅇ"
        assert result.class_number == "810"


class TestShelfPrefix:
    def test_defaults_are_constants(self):
        assert CHILDREN_PREFIX == "아" and LARGE_PRINT_PREFIX == "큰글자"
        assert dict(DEFAULT_READER_GROUP_PREFIXES) == {"7": "아"}
        assert dict(DEFAULT_FORM_PREFIXES) == {"7": "아"}

    @pytest.mark.parametrize(("addon", "large_print", "expected"), [
        ("73810", False, "아"),       # 아동
        ("07810", False, "아"),       # 그림책 (the add-on's form 7)
        ("77810", False, "아"),
        ("03810", False, None),
        ("43810", False, None),       # 청소년: no prefix by default
        ("03810", True, "큰글자"),
        ("73810", True, "큰글자"),    # a large-print children's book stands with large print
        (None, True, "큰글자"),
        (None, False, None),
        ("7381", False, None),
    ])
    def test_defaults(self, addon, large_print, expected):
        assert shelf_prefix(addon, large_print=large_print) == expected

    def test_a_mapping_passed_in(self):
        rules = dict(reader_group_prefixes={"4": "청"}, form_prefixes={"7": "그"},
                     large_print_prefix="LP")
        assert shelf_prefix("43810", **rules) == "청"
        assert shelf_prefix("47810", **rules) == "그"      # the form says more
        assert shelf_prefix("73810", **rules) is None
        assert shelf_prefix("03810", large_print=True, **rules) == "LP"
        assert shelf_prefix("73810", reader_group_prefixes={}, form_prefixes={}) is None
        assert shelf_prefix("03810", large_print=True, large_print_prefix=None) is None

    def test_in_the_call_number(self):
        result = generate_call_number(title="두근두근 편의점", author="김영진", kdc="813.8",
                                      addon="77810")
        assert result.call_number == "아 813.8-김64ㄷ"
        assert result.lines == ("아", "813.8", "김64ㄷ")
        assert result.shelf == "아"

    def test_rules_carry_the_mapping(self):
        rules = CallNumberRules(reader_group_prefixes={"7": "J"})
        result = generate_call_number(title="바다", author="김영진", addon="73810", rules=rules)
        assert result.call_number == "J 810-김64ㅂ"

    def test_an_explicit_shelf_wins(self):
        assert generate_call_number(title="바다", author="김영진", addon="73810",
                                    shelf="").call_number == "810-김64ㅂ"
        assert generate_call_number(title="바다", author="김영진", kdc="813.7", large_print=True,
                                    ).call_number == "큰글자 813.7-김64ㅂ"


@pytest.mark.parametrize(("volume_style", "copy_style", "call_number", "lines"), [
    ("v", "equals", "아 813.8-김64ㄷ-v.3=2", ("아", "813.8", "김64ㄷ", "v.3", "=2")),
    ("dash", "equals", "아 813.8-김64ㄷ-3=2", ("아", "813.8", "김64ㄷ", "3", "=2")),
    ("v", "c", "아 813.8-김64ㄷ-v.3 c.2", ("아", "813.8", "김64ㄷ", "v.3", "c.2")),
    ("dash", "c", "아 813.8-김64ㄷ-3 c.2", ("아", "813.8", "김64ㄷ", "3", "c.2")),
])
def test_volume_and_copy_styles(volume_style, copy_style, call_number, lines):
    rules = CallNumberRules(volume_style=volume_style, copy_style=copy_style)
    result = generate_call_number(title="두근두근", author="김영진", kdc="813.8", addon="77810",
                                  volume=3, copy=2, rules=rules)
    assert (result.call_number, result.lines) == (call_number, lines)
    parsed = parse_call_number(call_number)
    assert (parsed.shelf, parsed.class_number, parsed.author_mark, parsed.copy) == (
        "아", "813.8", "김64ㄷ", 2)


@pytest.mark.parametrize(("volume", "part"), [
    (3, "v.3"), ("3", "v.3"), ("v.3", "v.3"), ("vol. 3", "v.3"), ("3권", "v.3"),
    ("제3권", "v.3"), ("03", "v.3"), ("상", "상"), ("0", None), (0, None), ("", None),
    (None, None), (True, None),
])
def test_volumes(volume, part):
    _line, lines = format_call_number(None, "813.7", "김95ㅂ", volume=volume)
    assert lines[2:] == ((part,) if part else ())


@pytest.mark.parametrize(("copy", "part"), [
    (2, "=2"), ("2", "=2"), ("c.2", "=2"), (1, None), ("1", None), (0, None), (None, None),
    ("copy", None), (False, None),
])
def test_copies(copy, part):
    _line, lines = format_call_number(None, "813.7", "김95ㅂ", copy=copy)
    assert lines[2:] == ((part,) if part else ())


def test_missing_parts_are_left_out():
    assert format_call_number(None, None, "김95ㅂ", 2) == ("김95ㅂ-v.2", ("김95ㅂ", "v.2"))
    assert format_call_number("아", None, None) == ("아", ("아",))
    assert format_call_number(None, None, None, copy=2, rules=CallNumberRules(
        copy_style="c")) == ("c.2", ("c.2",))
    assert format_call_number(None, None, None) == ("", ())


class TestHeadings:
    def test_heading_override(self):
        result = generate_call_number(title="바다", author="金英鎭", heading="김영진")
        assert (result.author_mark, result.heading) == ("김64ㅂ", "김영진")

    def test_publisher_when_no_author(self):
        result = generate_call_number(title="바다", publisher="(주)비룡소")
        assert (result.author_mark, result.heading) == ("비295ㅂ", "비룡소")

    def test_publisher_when_the_library_files_so(self):
        rules = CallNumberRules(use_publisher=True)
        result = generate_call_number(title="바다", author="김영진", publisher="비룡소",
                                      rules=rules)
        assert result.author_mark == "비295ㅂ"

    def test_the_title_when_nothing_else(self):
        result = generate_call_number(title="(개정판) 논어", kdc="148")
        assert (result.call_number, result.heading) == ("148-논64ㄴ", "논어")

    def test_name_order_rule(self):
        rules = CallNumberRules(name_order="first_word")
        assert generate_call_number(title="x", author="벤 라이더 하우",
                                    rules=rules).author_mark == "벤x"


class TestCollisions:
    def test_another_author_moves_the_last_digit(self):
        result = generate_call_number(title="마당", author="황세미", kdc="813.8",
                                      used_marks={"황54마": "황선미"}, rules=SYLLABLE)
        assert (result.call_number, result.collides) == ("813.8-황53마", False)

    def test_no_free_mark_is_reported(self):
        used = {"황54마": "황선미", "황53마": "황새미"}
        result = generate_call_number(title="마당", author="황세미", used_marks=used,
                                      rules=SYLLABLE)
        assert (result.author_mark, result.collides) == ("황54마", True)


def test_rules_are_checked():
    for bad in (dict(title_mark="whole"), dict(volume_style="vol"), dict(copy_style="copy"),
                dict(name_order="surname")):
        with pytest.raises(ValueError):
            CallNumberRules(**bad)


def test_the_result_is_frozen():
    result = generate_call_number(title="바다", author="김영진")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.call_number = "x"


def test_the_package_imports_no_flask_and_no_database():
    package = Path(__file__).resolve().parents[2] / "app" / "callnumbers"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("app.callnumbers"), (
                    f"{path.name} imports {name}")
