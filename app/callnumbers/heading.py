"""The heading an author mark is made from: the first author's name, without role words.

Korean names are used whole (김영진). Names of foreign authors written in Hangul are filed
under the surname: the first word of a Japanese name (무라타 사야카 -> 무라타), the last word
of a Western one (벤 라이더 하우 -> 하우). Which one a name is cannot be known for certain;
``name_order="auto"`` guesses from the syllables (Japanese names written in Hangul use a small
set of them) and the other orders let a library or a cataloguer decide. A corporate body or a
publisher is used as if it were a name, its words run together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from app.callnumbers.hangul import decompose, is_syllable, normalize

NameOrder = Literal["auto", "first_word", "last_word", "whole"]
NAME_ORDERS: tuple[NameOrder, ...] = ("auto", "first_word", "last_word", "whole")

# Role words by rank: the heading is the first name with the best-ranked role.
_ROLE_RANKS: dict[str, int] = {}
for _rank, _words in enumerate((
    # author (글 and 글·그림 are the author of a picture book)
    "지음 지은이 저 저자 著 글 글쓴이 씀 작 작가 원작 원저 저작 공저 공저자 지음·그림 "
    "글·그림 글그림 글/그림 글과그림 글과_그림 글·사진 by author",
    # editor, compiler
    "엮음 엮은이 편 편저 편저자 편자 편집 엮고옮김 편역 편역자 기획 구성 ed. eds. editor",
    # illustrator, photographer
    "그림 그린이 그림작가 삽화 사진 만화 일러스트 illustrator illustrated",
    # translator, supervisor and the rest
    "옮김 옮긴이 역 역자 번역 공역 역주 역해 번안 각색 감수 감수자 감역 해설 해제 추천 "
    "translator translated trans.",
)):
    for _word in _words.split():
        _ROLE_RANKS[_word.replace("_", " ")] = _rank
ROLE_WORDS: tuple[str, ...] = tuple(_ROLE_RANKS)
_NO_ROLE_RANK = 0  # a name with no role word is taken for an author

_ROLE_ALT = "|".join(re.escape(w) for w in sorted(_ROLE_RANKS, key=len, reverse=True))
_ROLE_PREFIX = re.compile(rf"^[\[(]?\s*({_ROLE_ALT})\s*[\])]?\s*[:：]\s*(.*)$", re.I)
_ROLE_PREFIX_BRACKETED = re.compile(rf"^[\[(]\s*({_ROLE_ALT})\s*[\])]\s*(.+)$", re.I)
_ROLE_PREFIX_BY = re.compile(rf"^((?:{_ROLE_ALT})\s+)?by\s+(.+)$", re.I)
# "글 김영진": a bare role word first, unless it could be a surname (편혜영 written 편 혜영).
_ROLE_PREFIX_BARE = re.compile(rf"^({_ROLE_ALT})\s+(.+)$", re.I)
_ROLE_SUFFIX = re.compile(rf"^(.*?)\s*[\[(]\s*({_ROLE_ALT})\s*[\])]$|^(.*?)\s+({_ROLE_ALT})$",
                          re.I)
_ET_AL = re.compile(r"\s*(?:\[\s*외\s*]|외(?:\s*\d+\s*(?:인|명))?|et\s+al\.?)$", re.I)
_BRACKETED = re.compile(r"\s*[\[(（［][^\])）］]*[\])）］]\s*")
_LIFE_DATES = re.compile(r",?\s*\d{3,4}\s*-\s*(?:\d{3,4})?\s*$")
_NAME_SEPARATORS = re.compile(r"\s*[,，、·/&]\s*|\s+(?:and|및)\s+")
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}

# A word ending so is a corporate body, not a person: its words are kept together.
CORPORATE_ENDINGS = (
    "편집부", "편집위원회", "위원회", "연구소", "연구회", "연구원", "협회", "학회", "재단",
    "센터", "출판사", "출판부", "교육청", "도서관", "박물관", "미술관", "사업회", "대학교",
    "학교", "조합", "공사", "공단", "그룹", "모임", "스튜디오", "컴퍼니", "클럽", "기획실",
    "교실", "협의회", "연합회", "진흥원", "평가원", "정책연구원",
)
_COMPANY_MARKS = re.compile(r"\(주\)|㈜|\(株\)|\(유\)|\(재\)|\(사\)|주식회사|유한회사|\s+주$")

# Common one-syllable Korean surnames, and the two-syllable ones: "김 영진" is one name.
KOREAN_SURNAMES = frozenset(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 "
    "허 남 심 노 하 곽 성 차 주 우 구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 "
    "석 선 설 마 길 연 위 표 명 기 반 라 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉 "
    "사 부 가 복 태 목 형 계 피 두 감 음 빈 동 온 호 범 좌 팽 승 간 상 시 갈 단 견 당 화 창 "
    "옹 순 빙 종 풍 초 묵 근 리 "
    "남궁 황보 제갈 선우 독고 사공 서문 동방".split()
)

# Syllables of Japanese names written in Hangul: five vowels (and ya, yu, yo, wa), no final
# but ㄴ (ん) or ㅅ (っ), and ㅡ only in 스, 즈, 쓰, 츠, 쯔.
_JAPANESE_VOWELS = set("ㅏㅣㅜㅔㅗㅑㅠㅛㅘ")
_JAPANESE_U = set("스즈쓰츠쯔")


def is_corporate(name: str) -> bool:
    """Tell whether a name looks like a corporate body (…위원회, …연구소, (주)…)."""
    words = normalize(name).split()
    return bool(_COMPANY_MARKS.search(name)) or any(w.endswith(CORPORATE_ENDINGS) for w in words)


def looks_japanese(name: str) -> bool:
    """Tell whether a Hangul name could be a Japanese name (every syllable fits)."""
    syllables = [ch for ch in normalize(name) if not ch.isspace()]
    if not syllables or not all(is_syllable(ch) for ch in syllables):
        return False
    for ch in syllables:
        _initial, vowel, final = decompose(ch)
        if final not in ("", "ㄴ", "ㅅ"):
            return False
        if vowel not in _JAPANESE_VOWELS and ch not in _JAPANESE_U:
            return False
    return True


def _strip_roles(text: str) -> tuple[str, str | None]:
    """Take role words and 'et al.' off 'role: name', '(role) name', 'name role', 'name (role)'."""
    role = None
    for _ in range(4):  # "김영진 외 지음 (글)": a few layers at most
        before = text
        match = _ROLE_PREFIX.match(text) or _ROLE_PREFIX_BRACKETED.match(text)
        if match is None:
            bare = _ROLE_PREFIX_BARE.match(text)
            match = bare if bare and bare.group(1) not in KOREAN_SURNAMES else None
        by = None if match else _ROLE_PREFIX_BY.match(text)
        if match:
            role = role or match.group(1)
            text = match.group(2).strip()
        elif by:
            role = role or (by.group(1) or "by").strip()
            text = by.group(2).strip()
        match = _ROLE_SUFFIX.match(text)
        if match and (match.group(1) or match.group(3) or "").strip():
            role = role or match.group(2) or match.group(4)
            text = (match.group(1) if match.group(2) else match.group(3)).strip()
        text = _ET_AL.sub("", text).strip()
        if text == before:
            break
    return text, role


def _rank(role: str | None) -> int:
    if role is None:
        return _NO_ROLE_RANK
    return _ROLE_RANKS.get(role, _ROLE_RANKS.get(role.lower(), _NO_ROLE_RANK))


def _clean_name(name: str) -> str:
    name = _BRACKETED.sub(" ", name)  # (金英鎭), [외]
    name = _LIFE_DATES.sub("", name)
    return " ".join(name.strip(" \t\"'“”‘’<>《》〈〉「」『』:;.-").split())


def _split_names(group: str) -> list[str]:
    """Split one role group into names, keeping 'Rowling, J. K.' together."""
    parts = [p for p in _NAME_SEPARATORS.split(group) if p.strip()]
    if len(parts) == 2 and "," in group and not any(is_syllable(c) for c in group):
        first, second = parts
        if second.lower() in _NAME_SUFFIXES or " " not in first:
            return [group]
    return parts


def contributors(statement: str | Sequence[str] | None) -> list[tuple[str, str | None]]:
    """Split an author statement into (name, role word) pairs, in order; role may be None."""
    if statement is None:
        return []
    pieces = [statement] if isinstance(statement, str) else list(statement)
    result: list[tuple[str, str | None]] = []
    for piece in pieces:
        for group in re.split(r"[;；]", normalize(piece)):
            names, group_role = _strip_roles(group.strip())
            for raw in _split_names(names):
                name, own_role = _strip_roles(raw.strip())
                name = _clean_name(name)
                if name and name not in _ROLE_RANKS and name != "외":
                    result.append((name, own_role or group_role))
    return result


def first_author(statement: str | Sequence[str] | None) -> str | None:
    """Return the name that heads the statement: the first author, else editor, illustrator…"""
    names = contributors(statement)
    if not names:
        return None
    return min(enumerate(names), key=lambda item: (_rank(item[1][1]), item[0]))[1][0]


def _latin_surname(name: str) -> str:
    if "," in name:
        return name.split(",")[0].strip()
    words = [w for w in name.split() if w.lower().strip(",") not in _NAME_SUFFIXES]
    return words[-1] if words else name


def personal_heading(name: str, name_order: NameOrder = "auto") -> str:
    """Return the part of a person's name to file under (무라타 사야카 -> 무라타)."""
    if name_order not in NAME_ORDERS:
        raise ValueError(f"unknown name order: {name_order!r}")
    name = normalize(name)
    words = name.split()
    if name_order == "whole" or is_corporate(name):
        return "".join(_COMPANY_MARKS.sub("", name).split()) or name
    if not any(is_syllable(c) for c in name):
        return _latin_surname(name) if name_order == "auto" else _pick(words, name_order)
    if len(words) < 2:
        return name
    if name_order == "auto":
        if (len(words) == 2 and words[0] in KOREAN_SURNAMES and len(words[1]) <= 2
                and all(is_syllable(c) for c in name.replace(" ", ""))):
            return "".join(words)  # 김 영진
        name_order = "first_word" if looks_japanese(name) else "last_word"
    return _pick(words, name_order)


def _pick(words: list[str], name_order: NameOrder) -> str:
    if not words:
        return ""
    return words[0] if name_order == "first_word" else words[-1]


def choose_heading(author: str | Sequence[str] | None = None, *, publisher: str | None = None,
                   use_publisher: bool = False, name_order: NameOrder = "auto") -> str | None:
    """Choose the heading: the first author's filing name, else (or if asked) the publisher."""
    publisher_heading = personal_heading(publisher, "whole") if normalize(publisher) else None
    if use_publisher and publisher_heading:
        return publisher_heading
    name = first_author(author)
    if name:
        heading = personal_heading(name, name_order)
        if heading:
            return heading
    return publisher_heading
