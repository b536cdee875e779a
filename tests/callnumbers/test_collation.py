"""Shelf order: parsing call numbers (ours and other libraries') and sorting them."""

import random

import pytest

from app.callnumbers.collation import ParsedCallNumber, mark_key, parse_call_number, sort_key


@pytest.mark.parametrize(("text", "parsed"), [
    ("813.7-김95ㅂ", ParsedCallNumber(class_number="813.7", author_mark="김95ㅂ")),
    ("813.7-김95ㅂ-v.2", ParsedCallNumber(class_number="813.7", author_mark="김95ㅂ",
                                          volume="v.2")),
    ("813.7-김95ㅂ-2=3", ParsedCallNumber(class_number="813.7", author_mark="김95ㅂ",
                                          volume="2", copy=3)),
    ("813.7 김95ㅂ v.2 c.3", ParsedCallNumber(class_number="813.7", author_mark="김95ㅂ",
                                              volume="v.2", copy=3)),
    ("813.7-김95ㅂ c3", ParsedCallNumber(class_number="813.7", author_mark="김95ㅂ", copy=3)),
    ("유 808-김64ㄷ", ParsedCallNumber(shelf="유", class_number="808", author_mark="김64ㄷ")),
    ("833.6 요875루", ParsedCallNumber(class_number="833.6", author_mark="요875루")),
    ("큰글자 813.7-김95ㅂ", ParsedCallNumber(shelf="큰글자", class_number="813.7",
                                             author_mark="김95ㅂ")),
    ("C 813.8-김64ㄷ", ParsedCallNumber(shelf="C", class_number="813.8",
                                        author_mark="김64ㄷ")),  # the C shelf, not copy 813
    ("LP 813.7 김95ㅂ", ParsedCallNumber(shelf="LP", class_number="813.7",
                                         author_mark="김95ㅂ")),
    ("J 813.8 ㅂ955ㄱ", ParsedCallNumber(shelf="J", class_number="813.8",
                                         author_mark="ㅂ955ㄱ")),
    ("800 불", ParsedCallNumber(class_number="800", author_mark="불")),  # the demo's form
    ("823 R884h", ParsedCallNumber(class_number="823", author_mark="R884h")),
    ("813.", ParsedCallNumber(class_number="813")),
    ("813.7 v.2", ParsedCallNumber(class_number="813.7", volume="v.2")),
    ("김95ㅂ", ParsedCallNumber(author_mark="김95ㅂ")),
    ("아 김95ㅂ-v.2", ParsedCallNumber(shelf="아", author_mark="김95ㅂ", volume="v.2")),
    ("아 불", ParsedCallNumber(shelf="아", author_mark="불")),
    ("813.7-김95ㅂ-v.2 extra", ParsedCallNumber(class_number="813.7", author_mark="김95ㅂ",
                                                volume="v.2", rest="extra")),
    ("", ParsedCallNumber()),
    (None, ParsedCallNumber()),
    ("---", ParsedCallNumber()),
    ("=2", ParsedCallNumber(copy=2)),
])
def test_parse(text, parsed):
    assert parse_call_number(text) == parsed


def test_mark_key_reads_digits_as_a_decimal_fraction():
    # The table was built so that 한883 (ㅌ) files before 한95 (ㅎ).
    assert mark_key("한883봄") < mark_key("한95ㅂ")
    assert mark_key("김1ㄱ") < mark_key("김12ㄱ") < mark_key("김192ㄱ") < mark_key("김2ㄱ")


SHELF = [
    # no shelf prefix first, then the classes in numeric order
    "004-김95ㅋ",
    "304-전52ㅍ",
    "321.89-고54ㅍ",
    "813.7-김82소",
    "813.7-김95ㅂ",
    "813.7-김95ㅂ-v.2",
    "813.7-김95ㅂ-v.2=2",
    "813.7-김95ㅂ-v.10",
    "813.7-김95ㅅ",
    "813.7-한883봄",
    "813.7-한95ㅂ",
    "813.8-김64ㄷ",
    "818-신73ㅍ",
    "833.6-마86ㅂ",
    "833.6-무292ㅍ",
    "833.6 요875루",
    "김95ㅂ",          # unclassified after the classes
    "아 808-김64ㄷ",  # a shelf prefix is a shelf of its own, after the main shelves
    "아 813.8-김64ㄷ",
    "유 808-김64ㄷ",
]


def test_shelf_order():
    shuffled = SHELF[:]
    random.Random(18).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == SHELF


@pytest.mark.parametrize(("before", "after"), [
    ("813.7-김95ㅂ", "813.70-김95ㅂ"),   # equal classes: only the text breaks the tie
    ("9-가", "10-가"),                   # numeric, not by text
    ("813.7-김95ㅂ", "813.71-가12ㄱ"),
    ("813.7-가12ㄱ", "813.7-각12ㄱ"),    # first syllable in 가나다 order
    ("813.7-김95ㄱ", "813.7-김95ㄲ"),    # title mark in 가나다 order, double after single
    ("813.7-김95ㅂ", "813.7-김95바"),    # an initial before a whole syllable
    ("813.7-김95바", "813.7-김95ㅅ"),
    ("813.7-김95A", "813.7-김95ㄱ"),     # Latin before Hangul
    ("813.7-김95ㅂ=2", "813.7-김95ㅂ=10"),
    ("813.7-김95ㅂ", "813.7-김95ㅂ c.2"),  # no copy mark is the first copy
    ("813.7-김95ㅂ-상", "813.7-김95ㅂ-하"),
    ("813.7-김95ㅂ-v.3", "813.7-김95ㅂ-별책"),
    ("813.7-R884h", "813.7-가12ㄱ"),
])
def test_pairs_in_shelf_order(before, after):
    assert sort_key(before) < sort_key(after)


def test_spaces_and_hyphens_file_together():
    assert sort_key("813.7 김95ㅂ v.2")[:-1] == sort_key("813.7-김95ㅂ-v.2")[:-1]
    assert sort_key("813.7-김95ㅂ-v.2 c.2")[:-1] == sort_key("813.7-김95ㅂ-v.2=2")[:-1]


@pytest.mark.parametrize("junk", ["", "   ", "-=-=", "=", "c.", "v.", "🙂", "金英鎭", "\x00",
                                  "813.7.1.2-김", "99999999999999999999999", "ㅏㅏㅏ", "=99999"])
def test_junk_gets_a_key(junk):
    assert isinstance(sort_key(junk), tuple)
    sorted([junk, "813.7-김95ㅂ", ""], key=sort_key)
