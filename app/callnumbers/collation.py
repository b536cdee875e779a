"""Shelf order for call numbers, ours or imported from other libraries as plain strings.

Order: the shelf prefix (books with none first; a 별치기호 is a shelf of its own), the class
number as a decimal number, then the author mark in the table's order (first syllable in
가나다 order, the digits as a decimal fraction: 한883 before 한95, since the table was made
so), the title mark, the volume and the copy. Whatever cannot be parsed still gets a key and
sorts after what could, so sorting any strings never fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.callnumbers.authormark import split_mark
from app.callnumbers.hangul import INITIALS, VOWELS, decompose, is_latin, is_syllable, normalize

_CLASS = re.compile(r"^([0-9]{1,3})(?:\.([0-9]*))?$")
# "=2", " c.2", " c2" or " 복본 2" at the end; "C 813" is the C shelf, not a copy.
_COPY = re.compile(r"(?:=\s*|[\s\-][cC](?:\.\s*)?|\s복본\s*)([0-9]{1,9})\s*$")
_VOLUME = re.compile(r"^(?:v(?:ol)?\.?|제)?\s*([0-9]{1,9})\s*(?:권)?$", re.I)
_VOLUME_WORDS = {"상": 1, "중": 2, "하": 3}
_COMPAT_VOWELS = {v: i for i, v in enumerate(VOWELS)}

CharKey = tuple[int, int, int, int]
TextKey = tuple[CharKey, ...]


@dataclass(frozen=True)
class ParsedCallNumber:
    """The parts read from a call number string; what could not be placed stays in rest."""

    shelf: str | None = None
    class_number: str | None = None
    author_mark: str | None = None
    volume: str | None = None
    copy: int | None = None
    rest: str | None = None


def _char_key(ch: str) -> CharKey:
    """Order digits, then Latin letters, then Hangul (ㅅ before 사 before 소), then the rest."""
    if ch.isdecimal() and ch.isascii():
        return (0, int(ch), 0, 0)
    if is_latin(ch):
        return (1, ord(ch.casefold()[0]), 0, ord(ch))
    if is_syllable(ch):
        initial, vowel, final = decompose(ch)
        return (2, INITIALS.index(initial), VOWELS.index(vowel) + 1, ord(ch))
    if ch in INITIALS:
        return (2, INITIALS.index(ch), 0, 0)
    if ch in _COMPAT_VOWELS:  # a lone vowel files like ㅇ + vowel
        return (2, INITIALS.index("ㅇ"), _COMPAT_VOWELS[ch] + 1, 0)
    return (3, ord(ch), 0, 0)


def text_key(text: str | None) -> TextKey:
    """Return a key that orders text as a shelf does (가나다, digits and Latin first)."""
    return tuple(_char_key(ch) for ch in normalize(text))


def parse_call_number(text: str | None) -> ParsedCallNumber:
    """Read a call number written by us or another library; never raises."""
    line = normalize(text)
    copy = None
    match = _COPY.search(line)
    if match:
        copy = int(match.group(1))
        line = line[:match.start()].rstrip(" -")
    parts = [p for p in re.split(r"[\s\-]+", line) if p]
    class_at = next((i for i, p in enumerate(parts) if _CLASS.match(p)), None)
    if class_at is not None:
        shelf, class_no, rest = parts[:class_at], parts[class_at].rstrip("."), parts[class_at + 1:]
    else:
        # No class number: the mark is the first part with a digit, else the last part.
        mark_at = next((i for i, p in enumerate(parts) if any(c.isdecimal() for c in p)),
                       len(parts) - 1)
        shelf, class_no, rest = parts[:max(mark_at, 0)], None, parts[max(mark_at, 0):]
    mark = rest.pop(0) if rest and not (class_no and _VOLUME.match(rest[0])) else None
    volume = rest.pop(0) if rest else None
    return ParsedCallNumber(shelf=" ".join(shelf) or None, class_number=class_no,
                            author_mark=mark, volume=volume, copy=copy,
                            rest=" ".join(rest) or None)


def _class_key(class_no: str | None) -> tuple[int, int, str]:
    if class_no is None:
        return (1, 0, "")  # unclassified books stand after the classified ones
    whole, _, fraction = class_no.partition(".")
    return (0, int(whole), fraction.rstrip("0"))


def mark_key(mark: str | None) -> tuple[TextKey, str, TextKey]:
    """Return the author mark's key: first syllable, digits as a decimal fraction, title mark."""
    if not mark:
        return ((), "", ())
    parts = split_mark(mark)
    if parts is None:
        return (text_key(mark), "", ())
    head, digits, title = parts
    return (text_key(head), digits, text_key(title))


def _volume_key(volume: str | None) -> tuple[int, int, TextKey]:
    if volume is None:
        return (0, 0, ())
    match = _VOLUME.match(volume)
    if match:
        return (1, int(match.group(1)), ())
    if volume in _VOLUME_WORDS:
        return (1, _VOLUME_WORDS[volume], ())
    return (2, 0, text_key(volume))


def sort_key(call_number: str | None) -> tuple:
    """Return a key putting call numbers in shelf order; any string gets one."""
    parsed = parse_call_number(call_number)
    shelf = (0, ()) if parsed.shelf is None else (1, text_key(parsed.shelf))
    return (shelf, _class_key(parsed.class_number), mark_key(parsed.author_mark),
            _volume_key(parsed.volume), parsed.copy or 1, text_key(parsed.rest),
            normalize(call_number))


# A copy's place on the shelves: its call number with its shelf prefix in front (a copy
# may carry the prefix in its own field only, as imported and generated ones do).


def shelf_of(shelf: str | None, call_number: str | None) -> str | None:
    """Return the copy's shelf prefix (별치기호): its own field, else its call number's."""
    if shelf and shelf.strip():
        return shelf.strip()
    return parse_call_number(call_number).shelf if call_number else None


def placed_call_number(shelf: str | None, call_number: str | None) -> str | None:
    """Return the call number as it files on the shelves: with the shelf prefix in front."""
    if not call_number or not call_number.strip():
        return None
    call_number = call_number.strip()
    shelf = (shelf or "").strip()
    if shelf and parse_call_number(call_number).shelf != shelf:
        return f"{shelf} {call_number}"
    return call_number


def shelf_key(shelf: str | None, call_number: str | None) -> tuple | None:
    """Return the key that puts the copy in shelf order (None without a call number)."""
    placed = placed_call_number(shelf, call_number)
    return sort_key(placed) if placed else None
