"""Author marks by 리재철 한글순도서기호법 제5표 (the table KOLAS and most Korean libraries use).

An author mark is the heading's first syllable as written, the table's digits for its second
syllable (initial consonant, then vowel; the final consonant is ignored; after ㅊ the ㅊ vowel
column), and the title mark: 김호연 / 불편한 편의점 -> 김95ㅂ. Every function here is pure
and cheap (a few dictionary look-ups per name), so it can run for each row of an import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from app.callnumbers.hangul import (
    decompose,
    is_latin,
    is_readable,
    is_syllable,
    is_symbol,
    leading_number,
    normalize,
    read_number,
)

TitleMarkStyle = Literal["initial", "syllable"]
TITLE_MARK_STYLES: tuple[TitleMarkStyle, ...] = ("initial", "syllable")

# 제5표, consonants: ㄴ ㄹ ㅋ ㅌ ㅍ take two digits, so their marks have three.
CONSONANT_DIGITS: Mapping[str, str] = MappingProxyType({
    "ㄱ": "1", "ㄲ": "1", "ㄴ": "19", "ㄷ": "2", "ㄸ": "2", "ㄹ": "29", "ㅁ": "3",
    "ㅂ": "4", "ㅃ": "4", "ㅅ": "5", "ㅆ": "5", "ㅇ": "6", "ㅈ": "7", "ㅉ": "7",
    "ㅊ": "8", "ㅋ": "87", "ㅌ": "88", "ㅍ": "89", "ㅎ": "9",
})


def _vowel_table(groups: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType({v: digit for vowels, digit in groups.items() for v in vowels})


# 제5표, vowels; the second table is the column used after ㅊ.
VOWEL_DIGITS: Mapping[str, str] = _vowel_table({
    "ㅏ": "2", "ㅐㅑㅒ": "3", "ㅓㅔㅕㅖ": "4", "ㅗㅘㅙㅚㅛ": "5", "ㅜㅝㅞㅟㅠ": "6",
    "ㅡㅢ": "7", "ㅣ": "8",
})
VOWEL_DIGITS_AFTER_CHIEUT: Mapping[str, str] = _vowel_table({
    "ㅏㅐㅑㅒ": "2", "ㅓㅔㅕㅖ": "3", "ㅗㅘㅙㅚㅛ": "4", "ㅜㅝㅞㅟㅠㅡㅢ": "5", "ㅣ": "6",
})

_OPENING = {"(": ")", "[": "]", "（": "）", "［": "］"}
# An author mark as written: first syllable or letter, the digits, then the title mark.
MARK_PATTERN = re.compile(r"^(?P<head>\D)(?P<digits>[0-9]*)(?P<title>.*)$")


def syllable_digits(syllable: str) -> str:
    """Return the table's digits for one Hangul syllable (태 -> 883, 창 -> 82)."""
    initial, vowel, _final = decompose(syllable)
    column = VOWEL_DIGITS_AFTER_CHIEUT if initial == "ㅊ" else VOWEL_DIGITS
    return CONSONANT_DIGITS[initial] + column[vowel]


def _drop_parenthesised(text: str) -> str:
    """Drop one leading (...) or [...] part, unless nothing readable would be left."""
    close = _OPENING[text[0]]
    depth = 0
    for index, ch in enumerate(text):
        if ch == text[0]:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                rest = text[index + 1:]
                return rest if any(not is_symbol(c) for c in rest) else text[1:]
    return text[1:]  # never closed: the bracket is just a symbol


def title_start(title: str | None) -> str:
    """Return the title from its first character that counts: no leading (...), no symbols."""
    text = normalize(title)
    while text:
        if text[0] in _OPENING:
            text = _drop_parenthesised(text)
        elif is_symbol(text[0]):
            text = text[1:]
        else:
            break
    return text


def _reading(text: str) -> str:
    """Return text with a leading number read in Hangul (82년생 -> 팔십이년생)."""
    if text and text[0].isdecimal():
        digits, rest = leading_number(text)
        return read_number(digits) + rest
    return text


def title_mark(title: str | None, style: TitleMarkStyle = "initial") -> str:
    """Return the title mark: the first syllable's initial consonant, or the whole syllable.

    A Latin letter is kept as it is; a leading number is read in Hangul (1984 -> ㅊ). A title
    that starts with a character nobody can file by here (한자, kana) gives "".
    """
    if style not in TITLE_MARK_STYLES:
        raise ValueError(f"unknown title mark style: {style!r}")
    text = _reading(title_start(title))
    if not text or not is_readable(text[0]):
        return ""
    first = text[0]
    if is_syllable(first) and style == "initial":
        return decompose(first)[0]
    return first


def heading_number(heading: str | None) -> str | None:
    """Return the author mark without its title mark (김영진 -> 김64), or None if unreadable.

    Symbols and spaces are ignored and a leading number is read in Hangul. A one-syllable
    heading, or one whose second character is not Hangul (a Latin name), keeps its first
    syllable or letter alone.
    """
    text = _reading("".join(ch for ch in normalize(heading) if not is_symbol(ch)))
    if not text or not (is_syllable(text[0]) or is_latin(text[0])):
        return None
    head = text[0]
    if is_syllable(head) and len(text) > 1:
        second = _reading(text[1:])[0]
        if is_syllable(second):
            return head + syllable_digits(second)
    return head


def author_mark(heading: str | None, title: str | None,
                style: TitleMarkStyle = "initial") -> str | None:
    """Return the author mark with its title mark (김호연, 불편한 편의점 -> 김95ㅂ)."""
    number = heading_number(heading)
    if number is None:
        return None
    return number + title_mark(title, style)


def split_mark(mark: str) -> tuple[str, str, str] | None:
    """Split an author mark into (first syllable, digits, title mark), or None."""
    match = MARK_PATTERN.match(normalize(mark).replace(" ", ""))
    if not match:
        return None
    return match.group("head"), match.group("digits"), match.group("title")


def avoid_collision(mark: str, heading: str, used: Mapping[str, str]) -> str | None:
    """Return the mark to use in a class, moving its last digit down one if another author has it.

    ``used`` maps each author mark already used in the class to its author's heading. As
    DOMAIN.md says, two authors giving one mark are told apart by moving the last digit by
    one (황54마 -> 황53마). When the moved mark is taken by yet another author too, or the
    mark has no digit to move, the rule has no answer and None asks a person to choose.
    """
    owner = used.get(mark)
    if owner is None or _same_author(owner, heading):
        return mark
    parts = split_mark(mark)
    if parts is None or not parts[1]:
        return None
    head, digits, title = parts
    last = int(digits[-1])
    if last < 1:
        return None
    moved = f"{head}{digits[:-1]}{last - 1}{title}"
    owner = used.get(moved)
    if owner is None or _same_author(owner, heading):
        return moved
    return None


def _same_author(a: str, b: str) -> bool:
    return normalize(a).replace(" ", "") == normalize(b).replace(" ", "")
