"""One imported row: which column is which field, and what the row's values really are.

Repairs are made only when they are unambiguous, and every repair and problem is noted
with the row (in English msgids, translated when shown).
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.core.text import fold, nfc
from app.core.vocabulary import COPY_STATUS_LABELS, NO_COPIES_LABEL
from app.isbn import (
    canonical_isbn13,
    compact,
    is_isbn13,
    is_valid_ean13,
    isbn10_check_ok,
    isbn10_of,
    parse_issn,
    split_contributors,
)
from app.models.catalog import AUTHOR_SEPARATOR

# Fields an imported row may carry, with the headers that name them (compared folded,
# without spaces, dashes, dots and underscores).
FIELDS: dict[str, tuple[object, tuple[str, ...]]] = {
    "title": (_l("Title"), ("title", "서명", "본서명", "제목", "도서명", "책제목", "표제",
                           "서명/저자", "booktitle", "name")),
    "subtitle": (_l("Subtitle"), ("subtitle", "부제", "부서명", "부제목")),
    "authors": (_l("Authors"), ("author", "authors", "저자", "지은이", "저자명", "작가",
                               "저작자", "creator")),
    "publisher": (_l("Publisher"), ("publisher", "발행자", "출판사", "발행처", "출판사명",
                                    "발행사")),
    "year": (_l("Year"), ("year", "발행년도", "발행년", "발행연도", "출판년도", "출판연도",
                         "출간년도", "발행일", "출판일", "출간일", "publicationyear",
                         "originalpublicationyear", "yearpublished", "date", "pubdate")),
    "isbn": (_l("ISBN"), ("isbn", "isbn13", "isbn(13)", "표준번호", "표준번호(ISBN, ISSN)",
                         "ISBN/ISSN", "국제표준도서번호", "isbn10", "isbn번호", "isbns", "issn")),
    "isbn_extra": (_l("Other ISBN"), ()),
    "barcode": (_l("Barcode"), ("barcode", "등록번호", "바코드", "itembarcode",
                               "accessionnumber", "accessionno")),
    "call_number": (_l("Call number"), ("callnumber", "청구기호", "callno", "shelfmark")),
    "shelf": (_l("Shelf prefix"), ("별치기호", "별치", "shelfprefix", "collectioncode")),
    "volume": (_l("Volume"), ("권차", "권", "권호", "권차기호", "volume", "vol")),
    "copy_number": (_l("Copy number"), ("복본", "복본기호", "복본번호", "copynumber", "copyno")),
    "location": (_l("Room"), ("자료실", "소장위치", "배가위치", "location")),
    "shelved_on": (_l("Shelved on"), ("배가일", "배가일자", "shelvedon", "shelveddate")),
    "language": (_l("Language"), ("language", "languagecode", "lang", "언어")),
    "kdc": (_l("KDC"), ("kdc", "분류기호", "분류번호", "한국십진분류", "classification")),
    "status": (_l("Copy status"), ("status", "상태", "copystatus")),
}
# Our export writes this status for a book that has no copies.
NO_COPIES = "no copies"
# Statuses an import keeps; a copy on loan or on the hold shelf comes in available (the
# loan or hold itself is not part of a catalogue file).
KEPT_STATUSES = {"available": "available", "lost": "lost", "damaged": "damaged",
                 "withdrawn": "withdrawn", "on_loan": "available",
                 "on_hold_shelf": "available", "분실": "lost", "파손": "damaged",
                 "제적": "withdrawn", "폐기": "withdrawn"}
FIELD_NAMES = tuple(FIELDS)


@functools.cache
def status_words() -> dict[str, str]:
    """Every word a file may use for a copy's status, folded (spaces as underscores), with
    the status the import keeps: the stored values, Korean library words, and what our own
    export writes in each language the app speaks (its labels, and "no copies")."""
    words = {NO_COPIES.replace(" ", "_"): NO_COPIES, **KEPT_STATUSES}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            labels = {status.value: label for status, label in COPY_STATUS_LABELS.items()}
            labels[NO_COPIES] = NO_COPIES_LABEL
            for value, label in labels.items():
                kept = NO_COPIES if value == NO_COPIES else KEPT_STATUSES.get(value)
                if kept:
                    words.setdefault(str(label).casefold().replace(" ", "_"), kept)
    return words
_HEADER_JUNK = re.compile(r"[\s\-_.,()\[\]:/]+")


def _header_key(header: str) -> str:
    return _HEADER_JUNK.sub("", fold(header or ""))


_ALIASES = {
    _HEADER_JUNK.sub("", fold(alias)): name
    for name, (_label, aliases) in FIELDS.items()
    for alias in aliases
}


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Map fields to column indexes from common Korean and English headers."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _ALIASES.get(_header_key(header))
        if name is None:
            continue
        if name == "isbn" and "isbn" in mapping:
            name = "isbn_extra"
        mapping.setdefault(name, index)
    return mapping


# ---------------------------------------------------------------------------
# The ISBNs in a cell (what is an ISBN is app.isbn's)
# ---------------------------------------------------------------------------

_FLOAT_NOTATION = re.compile(r"^([0-9])\.([0-9]+)[eE]\+?([0-9]{1,2})$")
_QUALIFIER = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_DIGITS13 = re.compile(r"[0-9]{13}")
_ISBN10 = re.compile(r"[0-9]{9}[0-9X]")
_SHORT_ISBN10 = re.compile(r"[0-9]{6,8}[0-9X]")


@dataclass
class IsbnCandidate:
    """One ISBN-looking token from a cell, and what it turned out to be."""

    raw: str
    isbn13: str | None = None
    repaired: object | None = None  # a message saying what was repaired
    problem: object | None = None
    float_value: int | None = None  # ISBN-13 damaged by float notation (approximate)
    issn: str | None = None  # a serial's ISSN (1234-5679): no ISBN, and no problem either


def parse_isbn_cell(cell: str) -> list[IsbnCandidate]:
    """Read every ISBN in a cell: several ISBNs, qualifiers, lost zeros, float notation."""
    text = (cell or "").strip()
    if not text:
        return []
    if text.isascii() and text.isdigit():  # the common case, quickly
        return [_classify(text, text)]
    text = unicodedata.normalize("NFKC", text)
    match = _FLOAT_NOTATION.match(text.replace(",", "."))
    if match:
        digits = match.group(1) + match.group(2)
        exponent = int(match.group(3))
        if len(digits) <= exponent + 1:
            value = int(digits) * 10 ** (exponent + 1 - len(digits))
            if value >= 10**12:
                return [IsbnCandidate(raw=text, float_value=value)]
            # A float of a short number (an ISBN-10 without its zeros, say): its digits.
            return [_classify(text, str(value))]
    # "8936433598.0": a number that went through a spreadsheet as a float.
    plain = re.fullmatch(r"([0-9]+)\.0+", text)
    if plain:
        return [_classify(text, plain.group(1))]
    text = _QUALIFIER.sub(" ", text)
    text = re.sub(r"ISBN(?:[-\s]?1[03])?\s*[:：]?", " ", text, flags=re.IGNORECASE)
    pieces = [p for p in re.split(r"[;,/|\n]+|\s{2,}|\s(?=[0-9]{9,13}\b)", text) if p.strip()]
    candidates = []
    for piece in pieces:
        code = compact(piece)
        # "9788936433598 03810": an ISBN with its Korean 5-digit add-on.
        addon = re.fullmatch(r"(97[89][0-9]{10})([0-9]{5})", code)
        if addon:
            code = addon.group(1)
        if not code:
            continue
        candidates.append(_classify(piece.strip(), code))
    return candidates


# An ISSN as written: 1234-5679, or labelled; its 977 EAN-13 is told by its prefix.
_ISSN_WRITTEN = re.compile(r"(?:ISSN\s*:?\s*)?[0-9]{4}-[0-9]{3}[0-9X]", re.IGNORECASE)


def _classify(raw: str, code: str) -> IsbnCandidate:
    if code.startswith("977") or _ISSN_WRITTEN.fullmatch(raw):
        issn = parse_issn(raw)
        if issn:
            return IsbnCandidate(raw, issn=f"{issn[:4]}-{issn[4:]}")
    if _DIGITS13.fullmatch(code):
        if is_isbn13(code):
            return IsbnCandidate(raw, isbn13=code)
        if is_valid_ean13(code):
            return IsbnCandidate(raw, problem=_l("%(value)s is a barcode, not an ISBN",
                                                 value=raw))
        return IsbnCandidate(raw, problem=_l("%(value)s: the ISBN check digit is wrong",
                                             value=raw))
    if _ISBN10.fullmatch(code):
        if not isbn10_check_ok(code):
            return IsbnCandidate(raw, problem=_l("%(value)s: the ISBN check digit is wrong",
                                                 value=raw))
        if canonical_isbn13(code):  # not a dummy such as 0000000000
            return IsbnCandidate(raw, isbn13=canonical_isbn13(code))
    elif _SHORT_ISBN10.fullmatch(code):
        padded = code.rjust(10, "0")
        if isbn10_check_ok(padded) and canonical_isbn13(padded):
            return IsbnCandidate(raw, isbn13=canonical_isbn13(padded),
                                 repaired=_l("ISBN-10 %(old)s lost its leading zeros: %(new)s",
                                             old=raw, new=padded))
    return IsbnCandidate(raw, problem=_l("%(value)s is not an ISBN", value=raw))


# ---------------------------------------------------------------------------
# A whole row
# ---------------------------------------------------------------------------

_LANGUAGE_CODES = {"kor": "ko", "korean": "ko", "한국어": "ko", "eng": "en", "english": "en",
                   "영어": "en", "jpn": "ja", "일본어": "ja", "chi": "zh", "zho": "zh",
                   "중국어": "zh", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de",
                   "spa": "es"}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_EXPORT_ESCAPE = re.compile(r"^'(?=[=+\-@\t\r])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_BARCODE = 32


@dataclass
class CheckedRow:
    """A row's cleaned values, with what was repaired and what is wrong."""

    number: int | str  # the line (or record) it came from
    title: str | None = None
    subtitle: str | None = None
    authors: str | None = None
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    kdc: str | None = None
    isbn13: str | None = None
    barcode: str | None = None
    call_number: str | None = None
    issn: str | None = None
    volume: str | None = None
    shelf: str | None = None
    copy_number: int | None = None
    location: str | None = None
    shelved_on: datetime.date | None = None
    status: str | None = None  # a CopyStatus value, or NO_COPIES
    repairs: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    fatal: object | None = None  # why the row cannot be imported at all

    @property
    def isbn10(self) -> str | None:
        """Return the ISBN-10 form of the ISBN, when there is one."""
        return isbn10_of(self.isbn13) if self.isbn13 else None

    def book_key(self) -> str:
        """Return what identifies this row's book: its ISBN, or its folded description."""
        if self.isbn13:
            return self.isbn13
        return "|".join(
            [fold(self.title), fold(self.subtitle), fold(self.authors), str(self.year or ""),
             fold(self.volume)]
        )


def clean_text(value: str | None, limit: int) -> str | None:
    """NFC, collapsed spaces, our own CSV escape undone; None when empty; cut to limit."""
    if value is None:
        return None
    if value.isascii() and value.isprintable() and not value.startswith("'"):
        return " ".join(value.split())[:limit] or None  # the common case, quickly
    text = _EXPORT_ESCAPE.sub("", value.strip())
    text = nfc(_CONTROL.sub(" ", text))
    if text is None:
        return None
    return text[:limit]


def parse_year(value: str | None) -> tuple[int | None, object | None]:
    """Read a year from '2008', '2008.0', '2008-03-15', '2008년'; else a problem."""
    text = (value or "").strip()
    if not text:
        return None, None
    latest = datetime.date.today().year + 1
    number = re.fullmatch(r"(-?[0-9]+)(?:\.0+)?", text)
    if number:
        year = int(number.group(1))
    else:
        found = re.search(r"(?<![0-9])([0-9]{4})(?![0-9])", text)
        year = int(found.group(1)) if found else None
    if year is None or not 1 <= year <= latest:
        return None, _l("the year %(value)s is not usable; it was left empty", value=text)
    return year, None


_COPY_NUMBER = re.compile(r"(?:c\.?|copy|=|복본)?\s*([0-9]{1,4})", re.IGNORECASE)


def parse_copy_number(value: str | None, row: CheckedRow) -> int | None:
    """Read a copy number from '2', 'c.2', '=2', '2.0'; note anything else on the row."""
    text = (clean_text(value, 40) or "").removesuffix(".0")
    if not text:
        return None
    found = _COPY_NUMBER.fullmatch(text)
    if found and int(found.group(1)) >= 1:
        return int(found.group(1))
    row.problems.append(_l("the copy number %(value)s is not usable; it was left empty",
                           value=text))
    return None


_DATE = re.compile(r"([0-9]{4})[-./년\s]*([0-9]{1,2})[-./월\s]*([0-9]{1,2})일?")


def parse_date(value: str | None, row: CheckedRow) -> datetime.date | None:
    """Read a date from '2024-03-15', '2024.3.15', '20240315', '2024년 3월 15일'."""
    text = (clean_text(value, 40) or "").split(" 00:00")[0]
    if not text:
        return None
    found = _DATE.fullmatch(text)
    if found:
        try:
            return datetime.date(*(int(part) for part in found.groups()))
        except ValueError:
            pass
    row.problems.append(_l("the date %(value)s is not usable; it was left empty", value=text))
    return None


def parse_language(value: str | None, title: str | None) -> str | None:
    """Normalise a language code ('eng' -> 'en'); guess 'ko' from Hangul in the title."""
    text = (value or "").strip().lower().replace("_", "-")
    if text:
        if text in _LANGUAGE_CODES:
            return _LANGUAGE_CODES[text]
        if re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,4})?", text):
            return text
    if title and _HANGUL.search(title):
        return "ko"
    return None


def parse_authors(value: str | None) -> str | None:
    """Split an author statement into names joined by '; ' ("A, B" and "A ; B")."""
    text = clean_text(value, 2000)
    if not text:
        return None
    return _split_authors(text)


@functools.lru_cache(maxsize=4096)
def _split_authors(text: str) -> str:
    # A collection repeats its authors: splitting is worth remembering.
    names = [name for name, _role in split_contributors(text)]
    joined = AUTHOR_SEPARATOR.join(names) if names else text
    return joined[:1000]


def check_isbns(row: CheckedRow, cells: list[str]) -> None:
    """Pick the row's ISBN from its ISBN cells, repairing what is unambiguous."""
    candidates = [c for cell in cells for c in parse_isbn_cell(cell)]
    if not candidates:
        return
    valid = [c for c in candidates if c.isbn13]
    floats = [c for c in candidates if c.float_value is not None]
    chosen = valid[0] if valid else None
    for candidate in floats:
        # Float notation keeps 12 significant digits: the ISBN-13 is known only to +-5.
        agreeing = [c for c in valid if abs(int(c.isbn13) - candidate.float_value) <= 5]
        if agreeing:
            chosen = agreeing[0]
            row.repairs.append(_l("ISBN-13 %(old)s (float notation) recovered from the "
                                  "row's ISBN-10: %(new)s", old=candidate.raw,
                                  new=chosen.isbn13))
        elif valid:
            row.problems.append(_l("ISBN-13 %(old)s (float notation) does not match the "
                                   "ISBN %(isbn)s; %(isbn)s was used",
                                   old=candidate.raw, isbn=valid[0].isbn13))
        else:
            row.problems.append(_l("ISBN-13 %(old)s lost its last digits (float notation) "
                                   "and the row has no ISBN-10 to recover it",
                                   old=candidate.raw))
    if chosen is None:
        issns = [c.issn for c in candidates if c.issn]
        if issns:  # a serial: its ISSN is kept, and it is no bad ISBN
            row.issn = issns[0]
            return
        for candidate in candidates:
            if candidate.problem is not None:
                row.problems.append(candidate.problem)
        if row.problems:
            row.problems.append(_l("imported without an ISBN"))
        return
    row.isbn13 = chosen.isbn13
    if chosen.repaired is not None:
        row.repairs.append(chosen.repaired)
    others = sorted({c.isbn13 for c in valid if c.isbn13 != chosen.isbn13})
    if others:
        row.repairs.append(_l("several ISBNs in one row: %(isbn)s used, also %(others)s",
                              isbn=chosen.isbn13, others=", ".join(others)))
    for candidate in candidates:
        if candidate.problem is not None and candidate.float_value is None:
            row.problems.append(candidate.problem)


def check_row(number: int | str, values: dict[str, str], *,
              isbn_cells: list[str] | None = None) -> CheckedRow:
    """Clean one row's values (field name -> cell text) into a CheckedRow."""
    title = clean_text(values.get("title"), 500)
    row = CheckedRow(number=number, title=title)
    if title is None:
        row.fatal = _l("no title")
    row.subtitle = clean_text(values.get("subtitle"), 500)
    row.authors = parse_authors(values.get("authors"))
    row.publisher = clean_text(values.get("publisher"), 300)
    row.year, problem = parse_year(values.get("year"))
    if problem is not None:
        row.problems.append(problem)
    # Guess Korean from Hangul only when the file has no language column at all.
    row.language = parse_language(values.get("language"), title if "language" not in values
                                  else None)
    kdc = clean_text(values.get("kdc"), 20)
    if kdc and re.match(r"[0-9]", kdc):
        row.kdc = kdc
    elif kdc:
        row.problems.append(_l("the KDC %(value)s is not a class number; it was left empty",
                               value=kdc))
    if isbn_cells is None:
        isbn_cells = [values.get("isbn") or "", values.get("isbn_extra") or ""]
    check_isbns(row, isbn_cells)
    barcode = clean_text(values.get("barcode"), 1000)
    if barcode is not None:
        barcode = barcode.replace(" ", "")
        if barcode.endswith(".0") and barcode[:-2].isdigit():
            barcode = barcode[:-2]  # a number that went through a spreadsheet as a float
        if len(barcode) > MAX_BARCODE or not barcode.isprintable():
            row.problems.append(_l("the barcode %(value)s is too long or not printable; a "
                                   "new one is made", value=barcode[:40]))
            barcode = None
    row.barcode = barcode
    row.call_number = clean_text(values.get("call_number"), 64)
    row.volume = clean_text(values.get("volume"), 20)
    row.shelf = clean_text(values.get("shelf"), 64)
    row.location = clean_text(values.get("location"), 64)
    row.copy_number = parse_copy_number(values.get("copy_number"), row)
    row.shelved_on = parse_date(values.get("shelved_on"), row)
    status = (clean_text(values.get("status"), 40) or "").casefold()
    kept = status_words().get(status.replace(" ", "_"))
    if kept == NO_COPIES and not barcode:
        row.status = NO_COPIES
    elif status:
        row.status = kept if kept != NO_COPIES else None
        if row.status is None:
            row.problems.append(_l("the status %(value)s is not known; the copy is available",
                                   value=status))
    return row
