"""Call numbers (청구기호) of copies: the library's rules, giving a copy its call number, and
filling in the missing ones.

The pure generator is app.callnumbers; this module reads the catalogue for what it needs
(the rules stored as a setting, the marks already used in a class, the book's earlier
copies) and writes copies. A copy keeps its call number without the shelf prefix, which it
keeps in ``shelf`` (as imported copies do); ``placed_call_number`` joins them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.callnumbers import (
    CallNumberRules,
    choose_heading,
    format_call_number,
    generate_call_number,
    parse_call_number,
    placed_call_number,
    shelf_key,
)
from app.callnumbers.authormark import TITLE_MARK_STYLES
from app.callnumbers.generator import (
    COPY_STYLES,
    DEFAULT_FORM_PREFIXES,
    DEFAULT_READER_GROUP_PREFIXES,
    LARGE_PRINT_PREFIX,
    VOLUME_STYLES,
)
from app.core import audit
from app.core.settings import store, stored_dict
from app.extensions import db
from app.models import Book, Copy, CopyStatus, Member

SETTING_KEY = "call_numbers"
LARGE_PRINT_WORD = "큰글자"
PREFIX_MAX = 16
DIGITS = tuple("0123456789")

TITLE_MARK_CHOICES = (("initial", _l("Initial consonant (편의점 → ㅍ, as KOLAS does)")),
                      ("syllable", _l("Whole first syllable (편의점 → 편)")))
# Shown as examples, the same in every language.
VOLUME_CHOICES = (("v", "813.7-김95ㅂ-v.2"), ("dash", "813.7-김95ㅂ-2"))
COPY_CHOICES = (("equals", "813.7-김95ㅂ=2"), ("c", "813.7-김95ㅂ c.2"))


# ---------------------------------------------------------------------------
# The library's rules (a setting)
# ---------------------------------------------------------------------------


def _prefixes(value, default) -> dict[str, str]:
    if not isinstance(value, dict):
        return dict(default)
    return {k: str(v)[:PREFIX_MAX] for k, v in value.items() if k in DIGITS and v}


def settings() -> dict:
    """Return the call-number settings as stored (the defaults where none are)."""
    value = stored_dict(SETTING_KEY)

    def pick(name, allowed, default):
        return value.get(name) if value.get(name) in allowed else default

    large = value.get("large_print_prefix", LARGE_PRINT_PREFIX)
    return {
        "title_mark": pick("title_mark", TITLE_MARK_STYLES, "initial"),
        "volume_style": pick("volume_style", VOLUME_STYLES, "v"),
        "copy_style": pick("copy_style", COPY_STYLES, "equals"),
        "reader_group_prefixes": _prefixes(value.get("reader_group_prefixes"),
                                           DEFAULT_READER_GROUP_PREFIXES),
        "form_prefixes": _prefixes(value.get("form_prefixes"), DEFAULT_FORM_PREFIXES),
        "large_print_prefix": str(large)[:PREFIX_MAX] if large else "",
    }


def rules() -> CallNumberRules:
    """Return the library's call-number rules."""
    values = settings()
    return CallNumberRules(title_mark=values["title_mark"], volume_style=values["volume_style"],
                           copy_style=values["copy_style"],
                           reader_group_prefixes=values["reader_group_prefixes"],
                           form_prefixes=values["form_prefixes"],
                           large_print_prefix=values["large_print_prefix"] or None)


def save_settings(values: dict, *, by: Member, now: datetime) -> dict:
    """Store the call-number settings (they apply to call numbers given from now on)."""
    clean = {
        "title_mark": values["title_mark"], "volume_style": values["volume_style"],
        "copy_style": values["copy_style"],
        "reader_group_prefixes": _prefixes(values.get("reader_group_prefixes"), {}),
        "form_prefixes": _prefixes(values.get("form_prefixes"), {}),
        "large_print_prefix": (values.get("large_print_prefix") or "").strip()[:PREFIX_MAX],
    }
    CallNumberRules(title_mark=clean["title_mark"], volume_style=clean["volume_style"],
                    copy_style=clean["copy_style"])  # refuses a value it does not know
    store(SETTING_KEY, clean, now=now)
    audit.record("call_numbers.settings", actor=by, entity="setting", now=now, **clean)
    return clean


# ---------------------------------------------------------------------------
# A book's call number
# ---------------------------------------------------------------------------


def is_large_print(book: Book) -> bool:
    """Tell whether a book is a large-print edition (its title says 큰글자)."""
    return any(LARGE_PRINT_WORD in (text or "") for text in (book.title, book.subtitle))


def heading_of(book: Book) -> str | None:
    """Return the heading a book files under (its first author, else its publisher)."""
    return choose_heading(book.author_list, publisher=book.publisher)


def used_marks(class_no: str, *, besides: int | None = None) -> dict[str, str]:
    """Return the author marks used in a class, each with its author's heading.

    Read through the index on call numbers: those that begin with the class ("813.7-...",
    as this app keeps them), and those that begin with something other than a digit (a
    shelf prefix an imported call number kept: "아 813.7-...") holding the class. (Each
    is parsed below.) Scanning every call number took ~25 ms at 120k copies.
    """
    number = Copy.call_number
    if db.session.get_bind().dialect.name == "postgresql":
        number = number.collate("C")  # bytewise, as the index
    holds = Copy.call_number.contains(f"{class_no}-", autoescape=True)
    # Three ranges of the index (one OR of three, which SQLite reads as three searches).
    query = (sa.select(Copy.call_number, Book.authors, Book.publisher)
             .join(Book, Book.id == Copy.book_id)
             .where(sa.or_(sa.and_(number >= f"{class_no}-", number < f"{class_no}."),
                           sa.and_(number < "0", holds), sa.and_(number >= ":", holds))))
    if besides is not None:
        query = query.where(Copy.book_id != besides)
    used: dict[str, str] = {}
    for call_number, authors, publisher in db.session.execute(query):
        parsed = parse_call_number(call_number)
        if parsed.class_number != class_no or not parsed.author_mark:
            continue
        names = [a for a in (authors or "").split("; ") if a]
        heading = choose_heading(names, publisher=publisher)
        if heading:
            used.setdefault(parsed.author_mark, heading)
    return used


@dataclass(frozen=True)
class Given:
    """A call number given to a copy: what it reads, its parts, and what a person should know."""

    call_number: str | None       # without the shelf prefix, as the copy keeps it
    shelf: str | None
    copy_number: int
    lines: tuple[str, ...] = ()
    # The mark the table gives, when another author in the class had it and it was moved.
    moved_from: str | None = None
    # Another author has the mark and no free one was found: a person should edit it.
    collides: bool = False

    @property
    def placed(self) -> str | None:
        """The call number as it files and prints: with the shelf prefix in front."""
        return placed_call_number(self.shelf, self.call_number)


def _earlier_copy(book: Book, besides: int | None = None) -> Copy | None:
    query = (sa.select(Copy).where(Copy.book_id == book.id, Copy.call_number.is_not(None))
             .order_by(Copy.copy_number.is_(None), Copy.copy_number, Copy.id).limit(1))
    if besides is not None:
        query = query.where(Copy.id != besides)
    return db.session.scalar(query)


def next_copy_number(book: Book) -> int:
    """Return the number the book's next copy gets (1 for its first)."""
    top, count = db.session.execute(
        sa.select(sa.func.max(Copy.copy_number), sa.func.count(Copy.id))
        .where(Copy.book_id == book.id)).one()
    return max(top or 0, count or 0) + 1


def copy_number_of(copy: Copy) -> int:
    """Return a copy's number among its book's copies (its own, else its place by age)."""
    if copy.copy_number:
        return copy.copy_number
    return db.session.scalar(sa.select(sa.func.count(Copy.id))
                             .where(Copy.book_id == copy.book_id, Copy.id <= copy.id)) or 1


def call_number_for(book: Book, copy_number: int, *, rule: CallNumberRules | None = None,
                    besides: int | None = None, follow_earlier: bool = True) -> Given:
    """Work out the call number of the book's copy number ``copy_number``.

    A later copy carries its book's call number (as it was given or edited) with its copy
    mark (unless ``follow_earlier`` is false); the first is generated from the catalogue
    data: the class (the NLK record's KDC, else the add-on's main division), the shelf
    prefix, the author and title marks. Without a class number the copy gets none: it is
    listed as needing one.
    """
    rule = rule or rules()
    earlier = _earlier_copy(book, besides) if follow_earlier else None
    if earlier is not None:
        parsed = parse_call_number(earlier.call_number)
        if parsed.class_number and not parsed.rest:
            line, lines = format_call_number(None, parsed.class_number, parsed.author_mark,
                                             parsed.volume, copy_number, rule)
            return Given(line, earlier.shelf, copy_number,
                         ((earlier.shelf,) if earlier.shelf else ()) + lines)
    generated = generate_call_number(
        title=book.title, author=book.author_list, kdc=book.kdc, addon=book.addon_code,
        publisher=book.publisher, volume=book.volume, large_print=is_large_print(book),
        rules=rule)
    if generated.class_number is None:
        return Given(None, generated.shelf, copy_number)
    original = generated.author_mark
    if original and generated.heading:
        used = used_marks(generated.class_number, besides=book.id)
        if used:
            generated = generate_call_number(
                title=book.title, kdc=book.kdc, addon=book.addon_code, volume=book.volume,
                shelf=generated.shelf or "", heading=generated.heading, used_marks=used,
                rules=rule)
    line, lines = format_call_number(None, generated.class_number, generated.author_mark,
                                     book.volume, copy_number, rule)
    moved = original if generated.author_mark != original else None
    return Given(line, generated.shelf, copy_number,
                 ((generated.shelf,) if generated.shelf else ()) + lines,
                 moved_from=moved, collides=generated.collides)


def give_call_number(copy: Copy, *, rule: CallNumberRules | None = None) -> Given:
    """Give a copy without a call number its call number (and its copy number)."""
    number = copy_number_of(copy)
    given = call_number_for(copy.book, number, rule=rule, besides=copy.id)
    copy.copy_number = number
    if given.call_number:
        copy.call_number = given.call_number
        copy.shelf = copy.shelf or given.shelf
    return given


def generated(book: Book) -> dict[int, str | None]:
    """Return what the catalogue data gives each of the book's copies (before an edit)."""
    rule = rules()
    return {c.id: call_number_for(book, copy_number_of(c), rule=rule, besides=c.id,
                                  follow_earlier=False).call_number for c in book.copies}


def follow_edit(book: Book, before: dict[int, str | None]) -> list[Given]:
    """After a book's class, authors or title changed: give its copies their new call numbers.

    Only copies whose call number is the one the data gave before (or that have none) change:
    a call number a person wrote or an import brought stays as it is.
    """
    rule = rules()
    changed = []
    for copy in sorted(book.copies, key=lambda c: (c.copy_number or 0, c.id)):
        if copy.call_number and copy.call_number != before.get(copy.id):
            continue
        given = call_number_for(book, copy_number_of(copy), rule=rule, besides=copy.id,
                                follow_earlier=False)
        if given.call_number != copy.call_number:
            copy.call_number = given.call_number
            copy.shelf = given.shelf if given.call_number else copy.shelf
            copy.copy_number = given.copy_number
            changed.append(given)
    return changed


def preview(book: Book) -> Given:
    """Return the call number the book's first copy gets from its data, as it will print."""
    return call_number_for(book, 1, besides=None, follow_earlier=False)


# ---------------------------------------------------------------------------
# Filling in the missing ones
# ---------------------------------------------------------------------------


def missing_query() -> sa.Select:
    """Return the copies in the collection that have no call number, oldest first."""
    return (sa.select(Copy).join(Book, Book.id == Copy.book_id)
            .where(sa.or_(Copy.call_number.is_(None), Copy.call_number == ""),
                   Copy.status != CopyStatus.WITHDRAWN)
            .order_by(Copy.book_id, Copy.id))


def missing_count_query() -> sa.Select:
    """Return a query counting the copies without a call number."""
    return sa.select(sa.func.count()).select_from(missing_query().order_by(None).subquery())


@dataclass(frozen=True)
class Filled:
    """One copy's outcome when the missing call numbers are filled in."""

    copy: Copy
    given: Given


NEEDS_CLASS = _l("Needs a class number")


def fill_missing(*, dry_run: bool, by: Member | None, now: datetime,
                 limit: int | None = None) -> list[Filled]:
    """Give every copy without a call number one (a dry run only says what it would give).

    Copies of a book without a class number stay without one and are listed as such.
    """
    rule = rules()
    copies = list(db.session.scalars(missing_query().limit(limit) if limit else missing_query()))
    results = []
    for copy in copies:
        if dry_run:
            number = copy_number_of(copy)
            results.append(Filled(copy, call_number_for(copy.book, number, rule=rule,
                                                        besides=copy.id)))
            continue
        given = give_call_number(copy, rule=rule)
        db.session.flush()  # the next copy of the same book reads this one
        results.append(Filled(copy, given))
    if not dry_run:
        audit.record("call_numbers.fill", actor=by, entity="copy", now=now,
                     filled=sum(1 for r in results if r.given.call_number),
                     left=sum(1 for r in results if not r.given.call_number))
    return results


def in_shelf_order(copies: list[Copy]) -> list[Copy]:
    """Return copies in shelf order (those without a call number last)."""
    return sorted(copies, key=lambda c: (shelf_key(c.shelf, c.call_number) is None,
                                         shelf_key(c.shelf, c.call_number) or (), c.id))
