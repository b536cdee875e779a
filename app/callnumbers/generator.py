"""Compose a call number (청구기호): 별치기호, class number, author mark, volume, copy.

One line reads ``별치 분류-저자기호-권=복본`` (``유 808-김64ㄷ``, ``813.7-김95ㅂ-v.2``); a spine
label puts each part on its own line. The library's choices (title mark style, volume and copy
styles, how names are filed, which shelf prefix a reader group or form gets) travel in a
``CallNumberRules``; ``DEFAULT_RULES`` holds the defaults until settings can store them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from app.callnumbers.authormark import (
    TITLE_MARK_STYLES,
    TitleMarkStyle,
    author_mark,
    avoid_collision,
    title_start,
)
from app.callnumbers.hangul import normalize
from app.callnumbers.heading import NAME_ORDERS, NameOrder, choose_heading

VolumeStyle = Literal["dash", "v"]
CopyStyle = Literal["equals", "c"]
VOLUME_STYLES: tuple[VolumeStyle, ...] = ("dash", "v")
COPY_STYLES: tuple[CopyStyle, ...] = ("equals", "c")

# Default shelf prefixes (별치기호): children's books (add-on reader group 7) and picture
# books (add-on form 7, which the add-on shares with 만화) go to the 아 shelf, large-print
# books to 큰글자; everything else has none.
CHILDREN_PREFIX = "아"
LARGE_PRINT_PREFIX = "큰글자"
DEFAULT_READER_GROUP_PREFIXES: Mapping[str, str] = MappingProxyType({"7": CHILDREN_PREFIX})
DEFAULT_FORM_PREFIXES: Mapping[str, str] = MappingProxyType({"7": CHILDREN_PREFIX})

_KDC = re.compile(r"(?<![0-9])([0-9]{3})(?:\.([0-9]+))?")
_ADDON = re.compile(r"^[0-9]{5}$")
_VOLUME_WORDS = re.compile(r"^(?:v(?:ol)?\.?|제)\s*|\s*권$", re.I)


@dataclass(frozen=True)
class CallNumberRules:
    """A library's call-number choices (a setting each)."""

    title_mark: TitleMarkStyle = "initial"
    volume_style: VolumeStyle = "v"
    copy_style: CopyStyle = "equals"
    name_order: NameOrder = "auto"
    use_publisher: bool = False
    reader_group_prefixes: Mapping[str, str] = field(
        default_factory=lambda: DEFAULT_READER_GROUP_PREFIXES)
    form_prefixes: Mapping[str, str] = field(
        default_factory=lambda: DEFAULT_FORM_PREFIXES)
    large_print_prefix: str | None = LARGE_PRINT_PREFIX

    def __post_init__(self) -> None:
        for value, allowed in ((self.title_mark, TITLE_MARK_STYLES),
                               (self.volume_style, VOLUME_STYLES),
                               (self.copy_style, COPY_STYLES),
                               (self.name_order, NAME_ORDERS)):
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of {allowed}")


DEFAULT_RULES = CallNumberRules()


@dataclass(frozen=True)
class CallNumber:
    """A generated call number: one line, the author mark, and the spine label's lines."""

    call_number: str
    author_mark: str | None
    lines: tuple[str, ...]
    shelf: str | None = None
    class_number: str | None = None
    heading: str | None = None
    # True when another author already has this mark in the class and the rule found no
    # free one: a person should edit the mark.
    collides: bool = False


def class_number(kdc: str | None = None, addon: str | None = None) -> str | None:
    """Return the class number: the KDC when given, else the add-on's last three digits."""
    match = _KDC.search(normalize(kdc))
    if match:
        return match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
    code = normalize(addon)
    if _ADDON.match(code):
        return code[2:5]  # the add-on's subject: the KDC main division (03810 -> 810)
    return None


def shelf_prefix(addon: str | None = None, *, large_print: bool = False,
                 reader_group_prefixes: Mapping[str, str] = DEFAULT_READER_GROUP_PREFIXES,
                 form_prefixes: Mapping[str, str] = DEFAULT_FORM_PREFIXES,
                 large_print_prefix: str | None = LARGE_PRINT_PREFIX) -> str | None:
    """Return the shelf prefix (별치기호) for a book: large print, else by form, else by reader."""
    if large_print and large_print_prefix:
        return large_print_prefix
    code = normalize(addon)
    if not _ADDON.match(code):
        return None
    # The form (그림책) says more than the reader group (아동) about where a book stands.
    return form_prefixes.get(code[1]) or reader_group_prefixes.get(code[0]) or None


def _volume_text(volume: int | str | None) -> str | None:
    if volume is None or isinstance(volume, bool):
        return None
    if isinstance(volume, int):
        return str(volume) if volume > 0 else None
    text = _VOLUME_WORDS.sub("", normalize(volume)).strip(" -.")
    if text.isdecimal():
        text = str(int(text)) if int(text) > 0 else ""
    return text or None


def _copy_number(copy: int | str | None) -> int | None:
    if copy is None or isinstance(copy, bool):
        return None
    if isinstance(copy, int):
        number = copy
    else:
        digits = re.sub(r"\D", "", normalize(copy))
        if not digits.isdecimal() or not digits.isascii():
            return None
        number = int(digits[-9:])
    return number if number > 1 else None  # the first copy carries no copy mark


def format_call_number(shelf: str | None, class_no: str | None, mark: str | None,
                       volume: int | str | None = None, copy: int | str | None = None,
                       rules: CallNumberRules = DEFAULT_RULES) -> tuple[str, tuple[str, ...]]:
    """Return the one-line call number and the spine label's lines for its parts."""
    volume_text = _volume_text(volume)
    volume_part = None
    if volume_text:
        numeric = volume_text.isdecimal()
        volume_part = f"v.{volume_text}" if rules.volume_style == "v" and numeric else volume_text
    number = _copy_number(copy)
    copy_part = None
    if number:
        copy_part = f"c.{number}" if rules.copy_style == "c" else f"={number}"
    shelf = normalize(shelf) or None
    line = "-".join(p for p in (class_no, mark, volume_part) if p)
    if copy_part:
        line += (" " if rules.copy_style == "c" and line else "") + copy_part
    if shelf:
        line = f"{shelf} {line}" if line else shelf
    lines = tuple(p for p in (shelf, class_no, mark, volume_part, copy_part) if p)
    return line, lines


def generate_call_number(*, title: str | None, author: str | Sequence[str] | None = None,
                         kdc: str | None = None, addon: str | None = None,
                         publisher: str | None = None, volume: int | str | None = None,
                         copy: int | str | None = None, shelf: str | None = None,
                         large_print: bool = False, heading: str | None = None,
                         used_marks: Mapping[str, str] | None = None,
                         rules: CallNumberRules = DEFAULT_RULES) -> CallNumber:
    """Generate a book's call number from its catalogue data and the library's rules.

    ``shelf`` given ("" for none) overrides the prefix the add-on and ``large_print`` give;
    ``heading`` given overrides the one chosen from ``author`` / ``publisher`` (a book with
    neither is filed under its title). ``used_marks`` maps the author marks already used in
    the book's class to their headings, for the collision rule.
    """
    class_no = class_number(kdc, addon)
    if shelf is None:
        shelf = shelf_prefix(addon, large_print=large_print,
                             reader_group_prefixes=rules.reader_group_prefixes,
                             form_prefixes=rules.form_prefixes,
                             large_print_prefix=rules.large_print_prefix)
    if heading is None or not normalize(heading):
        heading = choose_heading(author, publisher=publisher, use_publisher=rules.use_publisher,
                                 name_order=rules.name_order) or title_start(title) or None
    mark = author_mark(heading, title, rules.title_mark)
    collides = False
    if mark and used_marks and heading:
        free = avoid_collision(mark, heading, used_marks)
        collides = free is None
        mark = free or mark
    line, lines = format_call_number(shelf, class_no, mark, volume, copy, rules)
    return CallNumber(call_number=line, author_mark=mark, lines=lines,
                      shelf=normalize(shelf) or None, class_number=class_no, heading=heading,
                      collides=collides)
