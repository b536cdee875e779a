"""The catalogue's search index: bigrams of each book's folded text (table search_gram).

Why bigrams we keep ourselves: most Korean words people type are two syllables (해리,
소년), below the 3-character floor of SQLite FTS5 trigram and of pg_trgm's index, and
SQLite 3.40's trigram table answers short LIKE patterns wrongly. A plain table of
(gram, book_id) with a B-tree primary key works the same on SQLite and PostgreSQL, so
both give the same results. A query word's bigrams pick the candidates through the
index; `LIKE` on Book.search_text then checks the word as a whole substring.

Each row also carries the book's bigram signature (`sig`): one bit per bigram of the
book, out of 63. A search walks the entries of its rarest bigram only and keeps the books
whose signature has the bits of every other query bigram, without reading other index
entries or book rows; a book that has every query bigram always passes, so the
signature prunes and never loses a match (the words are checked on search_text anyway).
"""

import re
import time
import zlib

import sqlalchemy as sa

from app.extensions import db
from app.models.catalog import SEARCH_FIELD_SEPARATOR, SearchGram

# ISBN digits are found by exact ISBN lookup, not by bigrams (a hundred digit bigrams
# would each point at every book).
_ISBN_WORD = re.compile(r"[0-9x]{10,13}")


def word_grams(word: str) -> set[str]:
    """Return the bigrams of one folded word (none for a single character)."""
    return {word[i : i + 2] for i in range(len(word) - 1)}


def text_grams(search_text: str) -> set[str]:
    """Return the bigrams to index for a book's search text (title, authors, publisher)."""
    grams: set[str] = set()
    for number, part in enumerate(search_text.split(SEARCH_FIELD_SEPARATOR)):
        for word in part.split():
            if number == 2 and _ISBN_WORD.fullmatch(word):
                continue
            grams |= word_grams(word)
    return grams


# Bits of a signature: 63, so it is a positive 64-bit integer on both databases.
SIGNATURE_BITS = 63


def gram_bit(gram: str) -> int:
    """Return the signature bit of one bigram (the same in every process)."""
    return 1 << (zlib.crc32(gram.encode()) % SIGNATURE_BITS)


def signature(grams) -> int:
    """Return the signature of a set of bigrams: the union of their bits."""
    sig = 0
    for gram in grams:
        sig |= gram_bit(gram)
    return sig


def gram_rows(book_id: int, search_text: str) -> list[dict]:
    """Return the index rows of one book: its bigrams, each with the book's signature."""
    grams = text_grams(search_text)
    sig = signature(grams)
    return [{"gram": g, "book_id": book_id, "sig": sig} for g in sorted(grams)]


# How many books carry each bigram, cached per database for a few minutes. Search uses
# it only to pick the rarest bigrams to drive the lookup: a stale count makes a query
# slower, never wrong (every word is still checked against search_text).
_FREQUENCY_TTL = 300.0
_FREQUENCY_MAX = 50_000
FREQUENCY_BOUND = 100_000
_frequencies: dict[tuple[str, str], tuple[int, float]] = {}


def gram_frequencies(grams: set[str]) -> dict[str, int]:
    """Return how many books have each bigram (cached for a few minutes)."""
    key = str(db.engine.url)
    now = time.monotonic()
    known: dict[str, int] = {}
    wanted = []
    for gram in grams:
        cached = _frequencies.get((key, gram))
        if cached is not None and cached[1] > now:
            known[gram] = cached[0]
        else:
            wanted.append(gram)
    if wanted:
        # Counted up to a bound: past it a bigram is common, and which of two common
        # bigrams drives a search matters little (a 1M catalogue has bigrams in 200,000
        # books, and counting those takes longer than the search).
        counts = [
            sa.select(sa.cast(sa.literal(gram), SearchGram.gram.type).label("gram"),
                      sa.func.count().label("n"))
            .select_from(sa.select(SearchGram.book_id).where(SearchGram.gram == gram)
                         .limit(FREQUENCY_BOUND).subquery())
            for gram in sorted(wanted)
        ]
        counted = dict(db.session.execute(sa.union_all(*counts)).all())
        if len(_frequencies) > _FREQUENCY_MAX:
            _frequencies.clear()
        for gram in wanted:
            known[gram] = counted.get(gram, 0)
            _frequencies[(key, gram)] = (known[gram], now + _FREQUENCY_TTL)
    return known


def forget_frequencies() -> None:
    """Drop the cached bigram counts (after a rebuild, and between tests)."""
    _frequencies.clear()
