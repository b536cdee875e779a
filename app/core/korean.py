"""Korean particles (조사) chosen by how the word before them ends, and Korean dates.

A Korean message written for any value keeps a marker where the particle depends on the
value: ``%(title)s을(를)``, ``%(name)s은(는)``, ``%(card)s(으)로``. `resolve_markers`
runs after the values are put in (the gettext hook in app.core.i18n) and picks the one
form that fits the word before the marker, so a reader sees "데미안을", "Harry Potter를",
"회원증 A0017로" and never "을(를)".

How the end of a word is read:
- a Hangul syllable by its final consonant (받침); ㄹ counts apart, for 으로/로;
- a digit by its Korean reading: 0 영, 1 일, 2 이, 3 삼, ... (1, 7, 8 end in ㄹ); a number
  ending in zeros by its place: 10 십, 100 백, 1000 천, 10000 만;
- a Latin word spoken as a word by its English sound (…l/…le ㄹ; …m, …n, …ng, …ck, …k,
  …p, …t, …b after a vowel letter: a final consonant; other endings: a vowel); an
  abbreviation in capitals (ISBN, KDC) and a single letter by the letter's name (엔, 씨);
- closing quotes and brackets are looked through (“데미안”을), and a parenthesis after the
  word is skipped, as Korean writing attaches the particle to the word before it.
A word whose ending cannot be read (an emoji, a Han character) takes the consonant form,
which still reads correctly after most Han readings.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum


class Ending(Enum):
    """How the word before a particle ends."""

    VOWEL = "vowel"
    RIEUL = "rieul"  # final ㄹ: takes 로 like a vowel, but 은/이/을/과 like a consonant
    CONSONANT = "consonant"


# Particle pairs: (form after a final consonant, form after a vowel).
_PAIRS = {
    "은/는": ("은", "는"),
    "이/가": ("이", "가"),
    "을/를": ("을", "를"),
    "과/와": ("과", "와"),
    "으로/로": ("으로", "로"),
    "이/": ("이", ""),  # 이나/나, 이라/라, 이며/며 ...
}

# Markers as written in the catalogue, and which pair each one means.
_MARKERS = {
    "은(는)": "은/는",
    "는(은)": "은/는",
    "이(가)": "이/가",
    "가(이)": "이/가",
    "을(를)": "을/를",
    "를(을)": "을/를",
    "과(와)": "과/와",
    "와(과)": "과/와",
    "(으)로": "으로/로",
    "(이)": "이/",
}
_MARKER_RE = re.compile("|".join(re.escape(m) for m in sorted(_MARKERS, key=len, reverse=True)))

# The letters' Korean names: A 에이 ... L 엘 (ㄹ), M 엠, N 엔 ...
_LETTER_ENDINGS = {
    **{c: Ending.VOWEL for c in "abcdefghijkopqstuvwxyz"},
    "l": Ending.RIEUL,
    "r": Ending.RIEUL,  # 알
    "m": Ending.CONSONANT,
    "n": Ending.CONSONANT,
}
# Digits by their Korean reading: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_ENDINGS = {
    "0": Ending.CONSONANT,
    "1": Ending.RIEUL,
    "2": Ending.VOWEL,
    "3": Ending.CONSONANT,
    "4": Ending.VOWEL,
    "5": Ending.VOWEL,
    "6": Ending.CONSONANT,
    "7": Ending.RIEUL,
    "8": Ending.RIEUL,
    "9": Ending.VOWEL,
}
_CLOSERS = "”’\"')]}»」』】〉》>"
_PAIRED = {")": "(", "]": "[", "）": "（"}
_LATIN_VOWELS = set("aeiouy")
_HAN = range(0x4E00, 0xA000)


def hangul_ending(ch: str) -> Ending | None:
    """Return how a precomposed Hangul syllable ends, or None for any other character."""
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    final = code % 28
    if final == 0:
        return Ending.VOWEL
    return Ending.RIEUL if final == 8 else Ending.CONSONANT


def _number_ending(digits: str) -> Ending:
    """Return how a number reads at its end: its last digit, or its place for trailing zeros."""
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped)
    if not stripped or zeros == 0 or len(digits) > 1 and digits.startswith("0"):
        # "0", "7", or a code with leading zeros read digit by digit (00120: 공공일이공)
        return _DIGIT_ENDINGS[digits[-1]]
    # 십, 백, 천, 만 (억, 조 ...) all end in a consonant, none in ㄹ.
    return Ending.CONSONANT


def _latin_ending(word: str) -> Ending:
    """Return how a run of Latin letters reads in Korean."""
    if len(word) == 1 or word.isupper() and len(word) <= 5 or not _LATIN_VOWELS & set(word.lower()):
        return _LETTER_ENDINGS[word[-1].lower()]  # a letter name: ISBN -> 엔, KDC -> 씨
    w = word.lower()
    if w.endswith(("l", "le")):
        return Ending.RIEUL  # Novel 노블, Apple 애플
    if len(w) >= 3 and w[-1] == "e" and w[-2] in "mn" and w[-3] in _LATIN_VOWELS:
        return Ending.CONSONANT  # a silent e: Dune 듄, Jane 제인, Time 타임
    if w.endswith(("m", "n", "ng")):
        return Ending.CONSONANT  # Jane Eyre's Team 팀, Harry Potter and the ... Prison 프리즌
    if w.endswith("ck") or (w[-1] in "kptb" and w[-2] in _LATIN_VOWELS):
        return Ending.CONSONANT  # Book 북, Hat 햇, Club 클럽
    return Ending.VOWEL  # Potter 포터, Hello 헬로, Cake 케이크


def word_ending(text: str) -> Ending | None:
    """Return how the text ends as Korean reads it, or None when nothing can be read."""
    i = len(text)
    while i > 0:
        ch = text[i - 1]
        if ch.isspace() or ch in _CLOSERS and ch not in _PAIRED or ch in ".,!?…":
            i -= 1
            continue
        if ch in _PAIRED:  # skip "(실수 표기)" back to the word before it
            depth, j = 0, i
            while j > 0:
                c = text[j - 1]
                if c == ch:
                    depth += 1
                elif c == _PAIRED[ch]:
                    depth -= 1
                    if depth == 0:
                        break
                j -= 1
            if j == 0 or j - 1 == 0:  # unbalanced, or nothing before it: read inside
                i -= 1
                continue
            i = j - 1
            continue
        if ch == ";" and "&" in text[max(0, i - 8) : i]:  # an HTML entity such as &#34;
            i = text.rindex("&", 0, i)
            continue
        break
    if i == 0:
        return None
    text = text[:i]
    last = text[-1]
    ending = hangul_ending(last)
    if ending is not None:
        return ending
    if last.isdigit() and last.isascii():
        digits = re.search(r"[0-9]+$", text).group()
        return _number_ending(digits)
    if last.isascii() and last.isalpha():
        word = re.search(r"[A-Za-z]+$", text).group()
        return _latin_ending(word)
    if "\u3041" <= last <= "\u30ff":  # kana: vowels, but for ン/ん
        return Ending.CONSONANT if last in "んン" else Ending.VOWEL
    return None


def particle(word: str, pair: str) -> str:
    """Return the particle of `pair` ("은/는", "이/가", "을/를", "과/와", "으로/로") for `word`."""
    after_consonant, after_vowel = _PAIRS[pair]
    ending = word_ending(word)
    if ending is None:
        return after_consonant
    if pair == "으로/로":
        return after_consonant if ending is Ending.CONSONANT else after_vowel
    return after_vowel if ending is Ending.VOWEL else after_consonant


def with_particle(word: str, pair: str) -> str:
    """Return the word followed by its particle: with_particle("데미안", "을/를") -> "데미안을"."""
    return f"{word}{particle(word, pair)}"


def resolve_markers(text: str) -> str:
    """Replace every particle marker (을(를), (으)로 ...) by the one form that fits."""
    if "(" not in text:
        return text
    out: list[str] = []
    last = 0
    for match in _MARKER_RE.finditer(text):
        out.append(text[last : match.start()])
        before = "".join(out)
        if not before or before[-1].isspace():
            out.append(match.group())  # a marker that follows no word is text, left as it is
        else:
            out.append(particle(before, _MARKERS[match.group()]))
        last = match.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def korean_date(value: dt.date | dt.datetime) -> str:
    """Return the date as Korean writes it in a sentence: 2026년 12월 3일."""
    return f"{value.year}년 {value.month}월 {value.day}일"


def has_marker(text: str) -> bool:
    """Return whether the text has a particle marker to resolve."""
    return "(" in text and _MARKER_RE.search(text) is not None
