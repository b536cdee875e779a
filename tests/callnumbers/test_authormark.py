"""리재철 제5표 author marks: every consonant and vowel, the ㅊ column, title marks, collisions."""

import pytest

from app.callnumbers.authormark import (
    author_mark,
    avoid_collision,
    heading_number,
    split_mark,
    syllable_digits,
    title_mark,
    title_start,
)
from app.callnumbers.hangul import INITIALS, VOWELS, read_number

# DOMAIN.md's table, copied as written there (not from the code under test).
CONSONANT_LINE = (
    "ㄱ ㄲ 1 · ㄴ 19 · ㄷ ㄸ 2 · ㄹ 29 · ㅁ 3 · ㅂ ㅃ 4 · ㅅ ㅆ 5 · ㅇ 6 · ㅈ ㅉ 7 · ㅊ 8 · "
    "ㅋ 87 · ㅌ 88 · ㅍ 89 · ㅎ 9"
)
VOWEL_ROWS = """
| ㅏ | 2 | 2 |
| ㅐ ㅑ ㅒ | 3 | 2 |
| ㅓ ㅔ ㅕ ㅖ | 4 | 3 |
| ㅗ ㅘ ㅙ ㅚ ㅛ | 5 | 4 |
| ㅜ ㅝ ㅞ ㅟ ㅠ | 6 | 5 |
| ㅡ ㅢ | 7 | 5 |
| ㅣ | 8 | 6 |
"""


def _doc_tables():
    consonants = {}
    for group in CONSONANT_LINE.split("·"):
        *letters, digits = group.split()
        consonants.update(dict.fromkeys(letters, digits))
    vowels, after_chieut = {}, {}
    for row in VOWEL_ROWS.strip().splitlines():
        letters, digit, chieut_digit = (cell.strip() for cell in row.strip("|").split("|"))
        for letter in letters.split():
            vowels[letter] = digit
            after_chieut[letter] = chieut_digit
    return consonants, vowels, after_chieut


DOC_CONSONANTS, DOC_VOWELS, DOC_AFTER_CHIEUT = _doc_tables()


def syllable(initial: str, vowel: str, final: int = 0) -> str:
    return chr(0xAC00 + (INITIALS.index(initial) * 21 + VOWELS.index(vowel)) * 28 + final)


def test_the_copied_table_covers_every_initial_and_vowel():
    assert set(DOC_CONSONANTS) == set(INITIALS)
    assert set(DOC_VOWELS) == set(DOC_AFTER_CHIEUT) == set(VOWELS)


@pytest.mark.parametrize("initial", list(INITIALS))
def test_every_initial_consonant(initial):
    assert syllable_digits(syllable(initial, "ㅗ")) == DOC_CONSONANTS[initial] + (
        "4" if initial == "ㅊ" else "5")


@pytest.mark.parametrize("vowel", list(VOWELS))
def test_every_vowel(vowel):
    assert syllable_digits(syllable("ㄱ", vowel)) == "1" + DOC_VOWELS[vowel]
    assert syllable_digits(syllable("ㅎ", vowel)) == "9" + DOC_VOWELS[vowel]


@pytest.mark.parametrize("vowel", list(VOWELS))
def test_the_chieut_vowel_column(vowel):
    assert syllable_digits(syllable("ㅊ", vowel)) == "8" + DOC_AFTER_CHIEUT[vowel]


def test_every_syllable_follows_the_table():
    for initial in INITIALS:
        column = DOC_AFTER_CHIEUT if initial == "ㅊ" else DOC_VOWELS
        for vowel in VOWELS:
            for final in range(28):
                assert syllable_digits(syllable(initial, vowel, final)) == (
                    DOC_CONSONANTS[initial] + column[vowel])


@pytest.mark.parametrize(("name", "mark"), [
    ("한태희", "한883"),   # DOMAIN.md's example
    ("김나래", "김192"),   # ㄴ
    ("이루다", "이296"),   # ㄹ
    ("박키순", "박878"),   # ㅋ
    ("최퍼런", "최894"),   # ㅍ
    ("이텅", "이884"),     # 텅: the KOLAS file's 848 is a typo, the rule gives 884
    ("요코제키", "요875"),
])
def test_three_digit_marks(name, mark):
    assert heading_number(name) == mark


@pytest.mark.parametrize(("name", "mark"), [
    ("김까치", "김12"), ("이또순", "이25"), ("박빠름", "박42"), ("최쌍용", "최52"),
    ("정짜장", "정72"),
])
def test_double_consonants_count_as_single_ones(name, mark):
    assert heading_number(name) == mark


@pytest.mark.parametrize(("title", "mark"), [
    ("까치 까치 설날은", "ㄲ"), ("또 만나", "ㄸ"), ("빠른 길", "ㅃ"), ("싸움", "ㅆ"),
    ("짜장면", "ㅉ"),
])
def test_double_consonants_stay_double_in_the_title_mark(title, mark):
    assert title_mark(title) == mark


def test_the_final_consonant_is_ignored_and_the_first_syllable_kept_whole():
    assert heading_number("김영진") == heading_number("김여지") == "김64"
    assert heading_number("황선미") == "황54"


@pytest.mark.parametrize(("title", "initial", "whole"), [
    ("(한입에 쓱싹)편의점 과학", "ㅍ", "편"),   # DOMAIN.md's example
    ("(한입에 쓱싹) 편의점 과학", "ㅍ", "편"),
    ("[개정판] 소년이 온다", "ㅅ", "소"),
    ("((둘) 겹)바다", "ㅂ", "바"),
    ("（전면개정판）아몬드", "ㅇ", "아"),
    ("(편의점)", "ㅍ", "편"),                    # nothing after it: the inside counts
    ("(미완", "ㅁ", "미"),                       # never closed: the bracket is a symbol
    ("  「소년이 온다」", "ㅅ", "소"),
    ("...그리고 아무도 없었다", "ㄱ", "그"),
    ("Harry Potter", "H", "H"),                  # Latin as it is
    ("harry potter", "h", "h"),
    ("ＡＢＣ 동화", "A", "A"),                   # full-width Latin
    ("Émile", "É", "É"),
    ("1984", "ㅊ", "천"),                        # a number read in Hangul: 천구백팔십사
    ("82년생 김지영", "ㅍ", "팔"),
    ("7년의 밤", "ㅊ", "칠"),
    ("10,000시간의 법칙", "ㅁ", "만"),
    ("100가지 이야기", "ㅂ", "백"),
    ("007 작전", "ㄱ", "공"),
    ("ㅋㅋㅋ 만화", "ㅋ", "ㅋ"),
    ("불편한 편의점 2", "ㅂ", "불"),
    ("봄을 찾은 할아버지", "ㅂ", "봄"),
    ("소통 잘하는 아이가", "ㅅ", "소"),
    ("", "", ""),
    (None, "", ""),
    ("()", "", ""),
    ("漢字 이야기", "", ""),                     # 한자: no reading here, no mark
])
def test_title_marks(title, initial, whole):
    assert title_mark(title) == initial
    assert title_mark(title, "initial") == initial
    assert title_mark(title, "syllable") == whole


def test_title_marks_of_nfd_hangul():
    import unicodedata

    assert title_mark(unicodedata.normalize("NFD", "편의점"), "syllable") == "편"


def test_title_start_drops_the_leading_parenthesised_part():
    assert title_start("(한입에 쓱싹)편의점 과학") == "편의점 과학"


def test_unknown_title_mark_style():
    with pytest.raises(ValueError):
        title_mark("편의점", "whole")


@pytest.mark.parametrize(("heading", "number"), [
    ("김", "김"),                 # a one-syllable name keeps its syllable alone
    ("Rowling", "R"),             # a Latin name keeps its first letter
    ("김C", "김"),
    ("김 영진", "김64"),          # spaces and symbols do not count
    ("김·영진", "김64"),
    ("3M", "삼"),                 # a leading number is read in Hangul
    ("1인출판", "일68"),
    ("이2", "이68"),              # 이 + 이 (2 read in Hangul)
    ("金英鎭", None),             # 한자 cannot be read here
    ("", None),
    (None, None),
    ("...", None),
])
def test_heading_numbers(heading, number):
    assert heading_number(heading) == number


def test_author_mark_is_the_number_and_the_title_mark():
    assert author_mark("김호연", "불편한 편의점") == "김95ㅂ"
    assert author_mark("김창옥", "소통 잘하는 아이가", "syllable") == "김82소"
    assert author_mark("김호연", "") == "김95"
    assert author_mark("金英鎭", "편의점") is None


@pytest.mark.parametrize(("digits", "reading"), [
    ("0", "영"), ("1", "일"), ("10", "십"), ("11", "십일"), ("16", "십육"), ("82", "팔십이"),
    ("100", "백"), ("1984", "천구백팔십사"), ("2024", "이천이십사"), ("10000", "만"),
    ("11000", "만천"), ("20000", "이만"), ("100000000", "일억"), ("100010000", "일억만"),
    ("007", "공공칠"), ("00", "공공"), ("", ""),
])
def test_numbers_read_in_hangul(digits, reading):
    assert read_number(digits) == reading


def test_split_mark():
    assert split_mark("김95ㅂ") == ("김", "95", "ㅂ")
    assert split_mark("한883봄") == ("한", "883", "봄")
    assert split_mark("R884h") == ("R", "884", "h")
    assert split_mark("김") == ("김", "", "")
    assert split_mark("") is None
    assert split_mark("95") is None


class TestCollisions:
    """DOMAIN.md: two authors giving one mark in one class: move the last digit by one."""

    def test_another_author_has_the_mark(self):
        assert avoid_collision("황54마", "황세미", {"황54마": "황선미"}) == "황53마"

    def test_a_free_mark_is_kept(self):
        assert avoid_collision("황54마", "황세미", {}) == "황54마"
        assert avoid_collision("황54마", "황세미", {"황54바": "황선미"}) == "황54마"

    def test_the_same_author_shares_the_mark(self):
        assert avoid_collision("황54마", "황선미", {"황54마": "황선미"}) == "황54마"
        assert avoid_collision("황54마", "황 선미", {"황54마": "황선미"}) == "황54마"

    def test_a_moved_mark_of_the_same_author_is_reused(self):
        used = {"황54마": "황선미", "황53마": "황세미"}
        assert avoid_collision("황54마", "황세미", used) == "황53마"

    def test_no_answer_when_the_moved_mark_is_taken_too(self):
        used = {"황54마": "황선미", "황53마": "황새미"}
        assert avoid_collision("황54마", "황세미", used) is None

    def test_no_answer_without_a_digit_to_move(self):
        assert avoid_collision("김ㅂ", "김", {"김ㅂ": "김씨"}) is None
        assert avoid_collision("김90ㅂ", "김", {"김90ㅂ": "김씨"}) is None

    def test_three_digit_marks_move_their_last_digit(self):
        assert avoid_collision("한883봄", "한태호", {"한883봄": "한태희"}) == "한882봄"


def test_the_table_files_in_dictionary_order():
    # Read as decimal fractions the digits never go down in 가나다 order (double consonants
    # file as their single ones), which is why a shelf can compare them as text.
    singles = "ㄱㄱㄴㄷㄷㄹㅁㅂㅂㅅㅅㅇㅈㅈㅊㅋㅌㅍㅎ"
    pairs = sorted(((singles[INITIALS.index(i)], VOWELS.index(v)), syllable(i, v))
                   for i in INITIALS for v in VOWELS)
    digits = [syllable_digits(s) for _order, s in pairs]
    assert digits == sorted(digits)
