"""Hangul helpers for call numbers: jamo of a syllable, numbers read aloud, text cleaning."""

from __future__ import annotations

import unicodedata

# Initial consonants and vowels in Unicode (= dictionary) order.
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
          "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")

_FIRST_SYLLABLE = 0xAC00
_LAST_SYLLABLE = 0xD7A3
# Conjoining initial jamo (U+1100..U+1112) map one to one onto INITIALS.
_CONJOINING_INITIALS = {chr(0x1100 + i): ch for i, ch in enumerate(INITIALS)}
# Full-width ASCII (ＡＢＣ１２３) to ASCII; NFKC would also turn compatibility jamo
# (ㄱ) into conjoining jamo, so it is not used on whole strings.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
# One table for both: a conjoining initial left alone after NFC becomes the compatibility one.
_PLAIN = {**_FULLWIDTH, **{ord(k): v for k, v in _CONJOINING_INITIALS.items()}}

_DIGIT_READINGS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("", "십", "백", "천")
_BIG_UNITS = ("", "만", "억", "조", "경")


def normalize(text: str | None) -> str:
    """Return text in NFC with full-width ASCII made plain and whitespace collapsed."""
    if not text:
        return ""
    text = str(text)
    if not text.isascii():  # NFC and the table change nothing in ASCII
        text = unicodedata.normalize("NFC", text).translate(_PLAIN)
    return " ".join(text.split())


def is_syllable(ch: str) -> bool:
    """Tell whether ch is one precomposed Hangul syllable (가..힣)."""
    return len(ch) == 1 and _FIRST_SYLLABLE <= ord(ch) <= _LAST_SYLLABLE


def is_consonant(ch: str) -> bool:
    """Tell whether ch is a compatibility jamo initial consonant (ㄱ..ㅎ, as typed)."""
    return len(ch) == 1 and ch in INITIALS


def decompose(syllable: str) -> tuple[str, str, str]:
    """Split one Hangul syllable into (initial, vowel, final); final is '' when none."""
    if not is_syllable(syllable):
        raise ValueError(f"not a Hangul syllable: {syllable!r}")
    index = ord(syllable) - _FIRST_SYLLABLE
    return INITIALS[index // 588], VOWELS[(index % 588) // 28], FINALS[index % 28]


def is_latin(ch: str) -> bool:
    """Tell whether ch is a Latin letter (A-Z, accented letters too)."""
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN ")


def is_readable(ch: str) -> bool:
    """Tell whether ch can start a mark: a Hangul syllable or consonant, Latin, or a digit."""
    return is_syllable(ch) or is_consonant(ch) or is_latin(ch) or ch.isdecimal()


def is_symbol(ch: str) -> bool:
    """Tell whether ch is skipped when looking for the first character (not a letter/digit)."""
    return not (ch.isalpha() or ch.isdecimal() or is_consonant(ch))


def read_number(digits: str) -> str:
    """Read a string of decimal digits as Sino-Korean Hangul (1984 -> 천구백팔십사).

    A leading zero ("007") and very long runs are read digit by digit (공공칠).
    """
    values = [unicodedata.decimal(ch) for ch in digits]
    if not values:
        return ""
    if (len(values) > 1 and values[0] == 0) or len(values) > 4 * len(_BIG_UNITS):
        return "".join("공" if v == 0 else _DIGIT_READINGS[v] for v in values)
    if not any(values):
        return "영"
    words: list[str] = []
    groups = len(values) // 4 + (1 if len(values) % 4 else 0)
    padded = [0] * (groups * 4 - len(values)) + values
    for group in range(groups):
        chunk = padded[group * 4:(group + 1) * 4]
        word = ""
        for place, value in zip(range(3, -1, -1), chunk, strict=True):
            if value == 0:
                continue
            # 십, 백, 천 alone mean one of them ("일백" is not said).
            word += ("" if value == 1 and place else _DIGIT_READINGS[value]) + _SMALL_UNITS[place]
        big = groups - 1 - group
        if word:
            # 10,000 is "만", not "일만"; 10^8 and up keep their 일 (일억).
            words.append(("" if word == "일" and big == 1 else word) + _BIG_UNITS[big])
    return "".join(words)


def leading_number(text: str) -> tuple[str, str]:
    """Split text into its leading digit run (commas between digits allowed) and the rest."""
    end = 0
    digits = []
    while end < len(text):
        ch = text[end]
        if ch.isdecimal():
            digits.append(ch)
        elif not (ch == "," and digits and end + 1 < len(text) and text[end + 1].isdecimal()):
            break
        end += 1
    return "".join(digits), text[end:]
