"""Metadata cleaning: a provider's answer turned into a tidy Metadata record.

Providers answer with isbnlib's stdmeta fields (ISBN-13, Title, Authors, Publisher, Year,
Language), the NLK service with its own extras (AUTHOR with roles, KDC, EA_ADD_CODE...).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.isbn.codes import canonical_isbn13


@dataclass
class Metadata:
    """Cleaned bibliographic metadata for one ISBN, from one provider."""

    isbn13: str
    title: str
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    kdc: str | None = None
    addon_code: str | None = None
    page_count: int | None = None
    series: str | None = None
    source: str = ""
    # (name, role) pairs; role is one of _ROLE_KEYS' values ("author", "translator"...).
    contributors: list[tuple[str, str]] = field(default_factory=list)


# Korean role words, longest first so "글·그림" wins over "글".
_ROLE_KEYS: dict[str, str] = {
    "글·그림": "author",
    "글/그림": "author",
    "글과 그림": "author",
    "글과그림": "author",
    "지은이": "author",
    "지음": "author",
    "저자": "author",
    "저": "author",
    "글": "author",
    "작가": "author",
    "원작": "author",
    "著": "author",
    "옮긴이": "translator",
    "옮김": "translator",
    "역자": "translator",
    "번역": "translator",
    "역": "translator",
    "譯": "translator",
    "그린이": "illustrator",
    "그림": "illustrator",
    "삽화": "illustrator",
    "엮은이": "editor",
    "엮음": "editor",
    "편저자": "editor",
    "편저": "editor",
    "편집": "editor",
    "편자": "editor",
    "편": "editor",
    "감수": "supervisor",
    "사진": "photographer",
}
_ROLE_ALT = "|".join(re.escape(word) for word in sorted(_ROLE_KEYS, key=len, reverse=True))
_ROLE_PREFIX = re.compile(rf"^[\[(]?({_ROLE_ALT})[\])]?\s*[:：]\s*(.*)$")
_ROLE_SUFFIX_BRACKETED = re.compile(rf"^(.*?)\s*[\[(]\s*({_ROLE_ALT})\s*[\])]$")
_ROLE_SUFFIX = re.compile(rf"^(.*?)\s+({_ROLE_ALT})$")
_ET_AL = re.compile(r"\s+외(?:\s*\d+\s*(?:인|명))?$")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md"}


def clean_text(value: object) -> str | None:
    """Normalise one text value: NFC, no control characters, collapsed spaces."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value if v is not None)
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    text = " ".join(text.split())
    return text or None


def _split_names(group: str, *, allow_last_first: bool) -> list[str]:
    """Split a list of names on commas, keeping 'Last, First' and 'X, Jr.' together."""
    parts = [p.strip() for p in re.split(r"[,，、]", group)]
    parts = [p for p in parts if p]
    if len(parts) == 2 and allow_last_first and not _HANGUL.search(group):
        first, second = parts
        if second.lower() in _NAME_SUFFIXES or " " not in first:
            return [f"{first}, {second}"]
    if len(parts) > 1:
        merged: list[str] = []
        for part in parts:
            if merged and part.lower() in _NAME_SUFFIXES:
                merged[-1] = f"{merged[-1]}, {part}"
            else:
                merged.append(part)
        parts = merged
    return parts


def _clean_name(name: str) -> str | None:
    """Tidy one person's name: no brackets at the ends, no 'et al.' marker."""
    name = _ET_AL.sub("", name.strip())
    name = name.strip(" \t[]()<>{}\"',;:·")
    if not name or name in _ROLE_KEYS or name == "외":
        return None
    return name


def _strip_role(text: str) -> tuple[str, str | None]:
    """Take a role word off 'role: names', 'names role' or 'names (role)'."""
    match = _ROLE_PREFIX.match(text)
    if match:
        return match.group(2).strip(), _ROLE_KEYS[match.group(1)]
    for pattern in (_ROLE_SUFFIX_BRACKETED, _ROLE_SUFFIX):
        match = pattern.match(text)
        if match and match.group(1).strip():
            return match.group(1).strip(), _ROLE_KEYS[match.group(2)]
    return text, None


def split_contributors(value: object, *, source: str = "") -> list[tuple[str, str]]:
    """Split an author statement into (name, role) pairs; roles are English keys."""
    if isinstance(value, (list, tuple)):
        pieces = [clean_text(v) for v in value]
    else:
        pieces = [clean_text(value)]
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    allow_last_first = source != "nlk"
    for piece in pieces:
        if not piece:
            continue
        # "지은이: A, B ; 옮긴이: C" and "A,B 지음 ;C 옮김": ';' separates role groups,
        # ',' separates the names that share a role.
        for group in re.split(r"[;；]", piece):
            names, group_role = _strip_role(group.strip())
            for name in _split_names(names, allow_last_first=allow_last_first):
                # "A 지음, B 옮김": a name may carry its own role.
                name, own_role = _strip_role(name)
                cleaned = _clean_name(name)
                if cleaned and cleaned not in seen:
                    seen.add(cleaned)
                    result.append((cleaned, own_role or group_role or "author"))
    return result


def parse_year(value: object) -> int | None:
    """Read a plausible publication year from '2019', '20190315', '2019-03-15', 2019..."""
    if isinstance(value, int) and not isinstance(value, bool):
        candidates = [value]
    else:
        text = clean_text(value)
        if not text:
            return None
        candidates = [int(m) for m in re.findall(r"(?<![0-9])([0-9]{4})", text)]
    latest = datetime.date.today().year + 2
    for year in candidates:
        if 1450 <= year <= latest:
            return year
    return None


def _parse_pages(value: object) -> int | None:
    """Read a page count from 803, '803', '803 p.', 'xii, 803 p.', '803쪽'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 100_000 else None
    text = clean_text(value)
    if not text:
        return None
    match = re.search(r"([0-9]+)\s*(?:p\b|pp\b|쪽|면|페이지)", text, re.IGNORECASE)
    if not match:
        match = re.fullmatch(r"([0-9]+)", text)
    if not match:
        return None
    pages = int(match.group(1))
    return pages if 0 < pages < 100_000 else None


_LANGUAGES = {
    "kor": "ko",
    "korean": "ko",
    "한국어": "ko",
    "eng": "en",
    "english": "en",
    "jpn": "ja",
    "japanese": "ja",
    "chi": "zh",
    "zho": "zh",
    "chinese": "zh",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
}


def _parse_language(value: object, title: str) -> str | None:
    """Normalise a language code to ISO 639-1 where known; guess 'ko' from Hangul."""
    text = (clean_text(value) or "").lower().replace("_", "-")
    if text:
        if text in _LANGUAGES:
            return _LANGUAGES[text]
        if re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", text):
            return text
    if _HANGUL.search(title):
        return "ko"
    return None


def _split_title(title: str, subtitle: str | None, source: str) -> tuple[str, str | None]:
    """Split 'Title : Subtitle' (and isbnlib's 'Title - Subtitle') into two parts."""
    title = title.strip(" /:;,=")
    if subtitle:
        return title, subtitle
    # A colon that is not between two digits ("1:1", "10:30") separates a subtitle.
    match = re.search(r"\s*(?<![0-9])[:：]\s*|\s*[:：](?![0-9])\s*", title)
    if match is None and source in ("openl", "goob"):
        # isbnlib's openl and goob services join title and subtitle with " - ".
        match = re.search(r"\s+-\s+", title)
    if match is not None:
        head = title[: match.start()].strip(" /:;,=-")
        tail = title[match.end() :].strip(" /:;,=-")
        if head and tail:
            return head, tail
        title = head or tail
    return title, None


def _first(raw: Mapping[str, Any], *keys: str) -> Any:
    """Return the first present, non-empty value among keys."""
    for key in keys:
        value = raw.get(key)
        if value not in (None, "", [], [""]):
            return value
    return None


def clean_metadata(raw: Mapping[str, Any] | None, source: str) -> Metadata | None:
    """Clean a provider's answer (isbnlib stdmeta dict, with NLK extras) into Metadata."""
    if not raw or not isinstance(raw, Mapping):
        return None
    isbn13 = canonical_isbn13(str(_first(raw, "ISBN-13", "EA_ISBN", "isbn13") or ""))
    title_text = clean_text(_first(raw, "Title", "TITLE", "title"))
    if not isbn13 or not title_text:
        return None
    subtitle_text = clean_text(_first(raw, "Subtitle", "subtitle"))
    title, subtitle = _split_title(title_text, subtitle_text, source)
    if not title:
        return None
    # NLK keeps its raw author statement (with roles) in AUTHOR; prefer it.
    author_value = _first(raw, "AUTHOR", "Authors", "authors")
    contributors = split_contributors(author_value, source=source)
    publisher = clean_text(_first(raw, "Publisher", "PUBLISHER", "publisher"))
    if publisher:
        publisher = publisher.strip(" \"'") or None
    year = parse_year(
        _first(raw, "PUBLISH_DATE", "REAL_PUBLISH_DATE", "PUBLISH_PREDATE", "Year", "year")
    )
    kdc = None
    kdc_match = re.search(r"[0-9]{3}(?:\.[0-9]+)?", clean_text(_first(raw, "KDC", "kdc")) or "")
    if kdc_match:
        kdc = kdc_match.group(0)
    addon_text = clean_text(_first(raw, "EA_ADD_CODE", "addon_code")) or ""
    addon_code = addon_text if re.fullmatch(r"[0-9]{5}", addon_text) else None
    return Metadata(
        isbn13=isbn13,
        title=title,
        subtitle=subtitle,
        authors=[name for name, _role in contributors],
        publisher=publisher,
        year=year,
        language=_parse_language(_first(raw, "Language", "language"), title),
        kdc=kdc,
        addon_code=addon_code,
        page_count=_parse_pages(_first(raw, "PAGE", "PageCount", "pageCount", "page_count")),
        series=clean_text(_first(raw, "SERIES_TITLE", "series")),
        source=source,
        contributors=contributors,
    )
