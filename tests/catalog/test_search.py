"""Catalogue search: Korean and English queries, ISBNs, ranking, filters and the index.

Every test here runs on SQLite and on PostgreSQL (`make test` runs the suite with
TEST_DB=sqlite and TEST_DB=postgresql), and the expected results are written once:
the same queries give the same results on both databases.
"""

import unicodedata

import pytest
import sqlalchemy as sa

from app.catalog import services as catalog
from app.catalog import store
from app.catalog.index import gram_rows, signature, text_grams
from app.catalog.store import UnguardedWrite, rebuild
from app.errors import InvalidInput
from app.extensions import db
from app.models import Book, CopyStatus, SearchGram, utcnow

HARRY_KO = "해리포터와 마법사의 돌"
HARRY_EN = "Harry Potter and the Sorcerer's Stone"


def find(q="", **kw):
    return catalog.search(catalog.SearchQuery(q=q, **kw), now=utcnow())


def found(q="", **kw):
    return [hit.book.title for hit in find(q, **kw).items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("해리", [HARRY_KO]),  # two syllables inside a longer word
        ("소년", ["소년이 온다"]),  # two syllables at the start of a title
        ("마법사", [HARRY_KO]),  # three syllables inside a title
        ("마법사의 돌", [HARRY_KO]),  # two words, each a substring
        ("포터와", [HARRY_KO]),
        ("주의", ["채식주의자"]),  # two syllables in the middle of a word
        ("존재하지", ["물고기는 존재하지 않는다"]),
        ("돌", [HARRY_KO]),  # one syllable: still found (no bigram, checked by LIKE)
        ("롤링", [HARRY_KO]),  # author, Korean
        ("하라리", ["사피엔스"]),
        ("문학수첩", [HARRY_KO]),  # publisher
        ("소설가", []),
    ],
)
def test_korean_substrings(shelf, query, expected):
    assert found(query) == expected


def test_korean_author_finds_all_their_books(shelf):
    assert found("한강") == ["소년이 온다", "채식주의자"]


def test_nfd_query_matches_nfc_title(shelf):
    decomposed = unicodedata.normalize("NFD", "해리")
    assert decomposed != "해리"
    assert found(decomposed) == [HARRY_KO]


def test_nfd_title_is_indexed_as_nfc(make_book):
    make_book(title=unicodedata.normalize("NFD", "아몬드"), authors="손원평")
    assert found("아몬") == [unicodedata.normalize("NFD", "아몬드")]


@pytest.mark.parametrize(
    "query",
    [
        "8983920777",  # ISBN-10
        "89-8392-077-7",  # ISBN-10 with hyphens
        "9788983920775",  # ISBN-13
        "978-89-8392-077-5",  # ISBN-13 with hyphens
        "ISBN 978-89-8392-077-5",
        "978898392077503840",  # an 18-digit scan: ISBN-13 and the add-on
        " 9788983920775 ",
    ],
)
def test_isbn_in_any_form_finds_the_edition(shelf, query):
    assert found(query) == [HARRY_KO]


def test_isbn_10_with_x_and_979_without_isbn10(make_book):
    make_book(title="X book", isbn13="9780306406157", isbn10="0306406152")
    make_book(title="물고기", isbn13="9791190090018")
    assert found("0-306-40615-2") == ["X book"]
    assert found("979-11-90090-01-8") == ["물고기"]


def test_wrong_check_digit_is_searched_as_text(shelf):
    assert found("9788983920776") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("harry", [HARRY_EN]),
        ("HARR", [HARRY_EN]),  # prefix, any case
        ("Harry Pot", [HARRY_EN]),
        ("sorcerer's", [HARRY_EN]),
        ("mocking", ["To Kill a Mockingbird"]),
        ("exupery", ["Le Petit Prince"]),  # accent-insensitive
        ("EXUPÉRY", ["Le Petit Prince"]),
        ("saint-exupéry", ["Le Petit Prince"]),
        ("rowling", [HARRY_EN]),
        ("austen pride", ["Pride and Prejudice"]),  # words from title and authors
        ("penguin", ["Pride and Prejudice"]),  # publisher
        ("harry stars", []),  # every word must match
    ],
)
def test_english_prefix_case_and_accents(shelf, query, expected):
    assert found(query) == expected


def test_accented_title_found_without_accents(make_book):
    make_book(title="Crème brûlée à la française", authors="Zoë Ørsted")
    assert found("creme brulee") == ["Crème brûlée à la française"]
    assert found("zoe") == ["Crème brûlée à la française"]


def test_like_wildcards_in_the_query_are_literal(shelf, make_book):
    make_book(title="100% Korean")
    assert found("100%") == ["100% Korean"]
    assert found("%") == ["100% Korean"]
    assert found("_") == []


def test_ranking_isbn_then_title_then_authors(make_book):
    by_author = make_book(title="Aaa collected essays", authors="Morgan Stone")
    in_title = make_book(title="Zzz the stone garden", authors="Someone")
    exact = make_book(title="Mmm nothing alike", isbn13="9780306406157")
    assert found("stone") == [in_title.title, by_author.title]
    assert found("9780306406157") == [exact.title]


def test_ranking_title_before_author_in_korean(make_book):
    make_book(title="가나다 이야기", authors="한강")
    make_book(title="한강의 기적", authors="누군가")
    assert found("한강") == ["한강의 기적", "가나다 이야기"]


def test_filters(shelf, make_copy):
    make_copy(book=shelf["소년이 온다"])
    make_copy(book=shelf["채식주의자"], status=CopyStatus.ON_LOAN)
    assert found("한강", available=True) == ["소년이 온다"]
    assert found(available=True) == ["소년이 온다"]
    assert found("le", language="fr") == ["Le Petit Prince"]
    assert found(subject="9") == ["사피엔스"]
    assert found("해리", subject="9") == []
    new = found(new=True)
    assert len(new) == 6 and "소년이 온다" not in new
    assert found("stars", new=True) == ["The Fault in Our Stars"]


def test_browsing_one_language_pages_through_it_in_title_order(make_book):
    """A language's books and its regions' (two reads of the index), merged page by page."""
    english = ["Beloved", "Dune", "Emma", "Ivanhoe", "Matilda", "Persuasion", "Ulysses"]
    for title in english:
        make_book(title=title, language="en-gb" if title in ("Dune", "Matilda") else "en")
    for title in ("Candide", "Nadja", "아몬드", "Zazie"):
        make_book(title=title, language="ko" if title == "아몬드" else "fr")
    pages = [find("", language="en", per_page=3, page=n) for n in (1, 2, 3, 4)]
    assert [[hit.book.title for hit in p.items] for p in pages] == [
        english[0:3], english[3:6], english[6:], []]
    assert {p.total for p in pages} == {7} and not pages[0].capped
    assert found(language="ko") == ["아몬드"]
    assert found(language="fr", available=False) == [
        "Candide", "Nadja", "Zazie"]


def test_browsing_with_filters_is_the_plain_filter(make_book, make_copy, monkeypatch):
    """A language with a subject (the class's books of the language and of its regions,
    two reads of their index merged), and "available now" (a probe of each book's copies)
    alone or with either, are the books a plain filter finds, page by page in title order,
    with the same totals (counted with a limit) and the same "more"."""
    monkeypatch.setattr(catalog, "BROWSE_COUNT_LIMIT", 4)
    titles = ["아몬드", "Dune", "채식주의자", "Emma", "dune", "소년이 온다", "Ulysses", "Beloved"]
    languages = ["ko", "ko-kr", "kor", "en", "en-gb", "fr", None]
    for i in range(63):
        book = make_book(title=titles[i % len(titles)], language=languages[i % len(languages)],
                         kdc_class=["8", "3", None][i % 3])
        if i % 4 == 0:
            make_copy(book=book)
    books = db.session.scalars(sa.select(Book)).all()
    available = {c.book_id for b in books for c in b.copies}

    def plain(language, subject, only_available):
        rows = [b for b in books if (subject is None or b.kdc_class == subject)
                and (language is None or b.language is not None
                     and (b.language == language or b.language.startswith(f"{language}-")))
                and (b.id in available or not only_available)]
        return [b.id for b in sorted(rows, key=lambda b: (b.search_text, b.id))]

    # With a subject, and (the same reads without the class) "available now" alone, with
    # a subject or with a language.
    for language, subject, only_available in [("ko", "8", False), ("ko", "3", False),
                                              ("en", "8", False), ("kor", "8", False),
                                              ("fr", "3", False), ("ko", "8", True),
                                              ("en", "3", True), ("ko", "1", False),
                                              (None, None, True), (None, "8", True),
                                              ("ko", None, True), ("en", None, True)]:
        expected = plain(language, subject, only_available)
        for page in range(1, len(expected) // 2 + 3):
            got = find(language=language or "", subject=subject or "",
                       available=only_available, per_page=2, page=page)
            limit = max(4, (page + 1) * 2)
            assert [h.book.id for h in got.items] == expected[(page - 1) * 2:page * 2]
            assert (got.total, got.capped) == (min(len(expected), limit),
                                               len(expected) > limit)


def test_language_filter_includes_regional_variants(make_book):
    make_book(title="Color", language="en-us")
    make_book(title="Colour", language="en")
    make_book(title="Couleur", language="fr")
    assert found("col", language="en") == ["Color", "Colour"]


def test_pagination(shelf):
    first = find(per_page=5)
    assert first.total == len(shelf) and first.pages == 3 and first.has_next
    second = find(per_page=5, page=2)
    last = find(per_page=5, page=3)
    titles = [h.book.title for page in (first, second, last) for h in page.items]
    assert sorted(titles) == sorted(shelf) and len(set(titles)) == len(shelf)
    assert not last.has_next
    assert find(per_page=5, page=9).items == []


def test_no_query_lists_everything_in_title_order(shelf):
    titles = found(per_page=100)
    assert titles == sorted(titles, key=lambda t: t.casefold())


def test_index_follows_edits(make_book):
    book = make_book(title="소년이 온다", authors="한강")
    assert found("소년") == ["소년이 온다"]
    with store.editing(book):
        book.title = "작별하지 않는다"
    db.session.commit()
    assert found("소년") == []
    assert found("작별") == ["작별하지 않는다"]
    with store.editing(book):
        book.authors = "Han Kang"
    db.session.commit()
    assert found("han kang") == ["작별하지 않는다"]
    assert found("한강") == []


def test_index_follows_deletes(make_book):
    book = make_book(title="채식주의자")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchGram)) > 0
    store.delete(book)
    db.session.commit()
    assert found("채식") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchGram)) == 0


def test_untouched_search_fields_keep_the_index(make_book):
    book = make_book(title="데미안", authors="헤르만 헤세")
    before = db.session.scalars(sa.select(SearchGram.gram).where(
        SearchGram.book_id == book.id)).all()
    with store.editing(book):
        book.year = 2000
    db.session.commit()
    after = db.session.scalars(sa.select(SearchGram.gram).where(
        SearchGram.book_id == book.id)).all()
    assert sorted(before) == sorted(after)


def test_a_write_outside_the_store_is_refused(make_book):
    book = make_book(title="소년이 온다")
    book.title = "작별하지 않는다"
    with pytest.raises(UnguardedWrite, match="book is written only through"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(UnguardedWrite):
        db.session.execute(sa.delete(SearchGram))
    db.session.rollback()
    assert found("소년") == ["소년이 온다"]


def _break_index(**book_values):
    """Do what an old import did: leave books without index rows."""
    with store.writing():
        db.session.execute(sa.delete(SearchGram))
        if book_values:
            db.session.execute(sa.update(Book).values(**book_values))
    db.session.commit()


def test_rebuild_restores_a_broken_index(shelf):
    _break_index(search_text="")
    assert found("해리") == []
    assert rebuild(batch_size=5) == len(shelf)
    db.session.commit()
    assert found("해리") == [HARRY_KO]
    assert found("exupery") == ["Le Petit Prince"]


def test_reindex_command(shelf, runner):
    _break_index()
    result = runner.invoke(args=["library", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"{len(shelf)} books" in result.output
    assert found("소년") == ["소년이 온다"]


def test_isbn_digits_are_not_indexed_as_bigrams():
    text = "soneon \x1f han kang \x1f changbi 9788936434120 8936434128"
    grams = text_grams(text)
    assert "97" not in grams and "ch" in grams and "ha" in grams


@pytest.mark.parametrize(
    "args",
    [
        {"page": "0"}, {"page": "x"}, {"page": "-1"}, {"per_page": "101"},
        {"per_page": "1.5"}, {"available": "maybe"}, {"language": "korean!"},
        {"subject": "12"}, {"q": "x" * 201}, {"q": "a\x00b"}, {"new": "2"},
    ],
)
def test_bad_parameters_are_refused(args):
    with pytest.raises(InvalidInput):
        catalog.parse_search_args(args)


def test_parameters_are_read():
    query = catalog.parse_search_args(
        {"q": " 해리 ", "available": "true", "language": "KO", "subject": "8", "new": "1",
         "page": "2", "per_page": "50"})
    assert query == catalog.SearchQuery(q="해리", available=True, language="ko", subject="8",
                                        new=True, page=2, per_page=50)


def test_a_new_book_is_found_at_once_even_after_a_search_that_found_nothing(make_book):
    assert found("작별") == []  # caches "작별" as a bigram no book has
    make_book(title="작별하지 않는다")
    assert found("작별") == ["작별하지 않는다"]
    assert found("작별하지 않는") == ["작별하지 않는다"]


def test_many_words_use_only_a_few_bigrams_but_check_every_word(make_book):
    make_book(title="lord of the rings", authors="tolkien")
    make_book(title="lord of the flies", authors="golding")
    assert found("lord of the rings") == ["lord of the rings"]
    assert found("the lord flies golding") == ["lord of the flies"]


def test_a_common_word_ranks_and_counts_only_the_first_matches(make_book, monkeypatch):
    monkeypatch.setattr(catalog, "MATCH_LIMIT", 3)
    for title in ("d garden", "c garden", "b garden", "a garden"):  # catalogued in this order
        make_book(title=title)
    make_book(title="other", authors="garden writer")
    page = find("garden")
    assert page.capped and page.total == 3 and page.pages == 1
    # The first three matching books in catalogue order, ranked among themselves.
    assert [h.book.title for h in page.items] == ["b garden", "c garden", "d garden"]
    assert find("garden", page=2).items == [] and find("garden", page=2).capped


def test_counts_are_exact_up_to_the_limit(make_book, monkeypatch):
    monkeypatch.setattr(catalog, "MATCH_LIMIT", 3)
    for title in ("c garden", "b garden", "a garden"):
        make_book(title=title)
    page = find("garden")
    assert not page.capped and page.total == 3
    assert [h.book.title for h in page.items] == ["a garden", "b garden", "c garden"]


def test_browsing_is_never_capped(shelf, monkeypatch):
    monkeypatch.setattr(catalog, "MATCH_LIMIT", 3)
    page = find()
    assert not page.capped and page.total == len(shelf)


def test_results_carry_copy_counts(shelf, make_copy):
    make_copy(book=shelf["소년이 온다"])
    make_copy(book=shelf["소년이 온다"], status=CopyStatus.ON_LOAN)
    make_copy(book=shelf["소년이 온다"], status=CopyStatus.WITHDRAWN)
    [hit] = find("소년").items
    assert (hit.copies, hit.available) == (2, 1)
    [hit] = find("9788936434120").items
    assert (hit.copies, hit.available) == (2, 1)


def test_words_each_drive_the_lookup_with_their_rarest_bigram(make_book):
    for i in range(5):
        make_book(title=f"hunger story {i}")
    make_book(title="hunger games")
    make_book(title="board games")
    assert found("hunger games") == ["hunger games"]
    assert found("games hunger") == ["hunger games"]


def test_bigram_counts_stop_at_a_bound_and_searches_still_find_everything(make_book,
                                                                           monkeypatch):
    from app.catalog import index

    monkeypatch.setattr(index, "FREQUENCY_BOUND", 2)
    for i in range(4):
        make_book(title=f"garden {i}")
    index.forget_frequencies()
    assert index.gram_frequencies({"ga", "n ", "zz"}) == {"ga": 2, "n ": 0, "zz": 0}
    assert found("garden") == [f"garden {i}" for i in range(4)]


def _index_rows(book_id):
    return sorted((g.gram, g.book_id, g.sig) for g in db.session.scalars(
        sa.select(SearchGram).where(SearchGram.book_id == book_id)))


def test_every_index_row_carries_its_books_signature(make_book):
    book = make_book(title="채식주의자", authors="한강")
    rows = _index_rows(book.id)
    grams = text_grams(book.search_text)
    assert {r[0] for r in rows} == grams
    assert {r[2] for r in rows} == {signature(grams)}
    assert 0 < signature(grams) < 2**63  # a positive BIGINT on both databases
    with store.editing(book):
        book.title = "소년이 온다"
    db.session.commit()
    assert {r[2] for r in _index_rows(book.id)} == {signature(text_grams(book.search_text))}


def test_rebuild_writes_the_rows_a_book_write_writes(shelf):
    books = list(shelf.values())
    before = {b.id: _index_rows(b.id) for b in books}
    _break_index()
    rebuild(batch_size=3)
    db.session.commit()
    assert {b.id: _index_rows(b.id) for b in books} == before
    first = books[0]
    assert before[first.id] == sorted(
        (r["gram"], r["book_id"], r["sig"]) for r in gram_rows(first.id, first.search_text))


def test_signature_prunes_books_that_lack_a_word_of_another_field(make_book):
    # Both books have the rarest bigram; only one has the other word's bigrams anywhere.
    make_book(title="작별하지 않는다", authors="한강")
    make_book(title="작별 인사", authors="김영하")
    assert found("작별 한강") == ["작별하지 않는다"]
    assert found("작별 김영하") == ["작별 인사"]
    assert found("작별") == ["작별 인사", "작별하지 않는다"]
