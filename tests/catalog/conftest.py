"""Catalogue fixtures: a small shelf of Korean and English books."""

from datetime import timedelta

import pytest

from app.models import utcnow

# (isbn13, isbn10, title, authors, publisher, language, kdc_class, addon)
SHELF = [
    ("9788983920775", "8983920777", "해리포터와 마법사의 돌", "J.K. 롤링", "문학수첩", "ko", "8",
     "03840"),
    ("9788936434120", "8936434128", "소년이 온다", "한강", "창비", "ko", "8", "03810"),
    ("9788936433598", "8936433598", "채식주의자", "한강", "창비", "ko", "8", "03810"),
    ("9788934972464", "8934972467", "사피엔스", "유발 하라리", "김영사", "ko", "9", "03900"),
    ("9791190090018", None, "물고기는 존재하지 않는다", "룰루 밀러", "곰출판", "ko", "4", "03840"),
    ("9788937460449", "8937460440", "데미안", "헤르만 헤세", "민음사", "ko", "8", "03850"),
    ("9780439554930", "0439554934", "Harry Potter and the Sorcerer's Stone", "J.K. Rowling",
     "Scholastic", "en", None, None),
    ("9780061120084", "0061120081", "To Kill a Mockingbird", "Harper Lee", "Harper", "en",
     None, None),
    ("9782070612758", "2070612759", "Le Petit Prince", "Antoine de Saint-Exupéry", "Gallimard",
     "fr", "8", None),
    ("9780525478812", "0525478817", "The Fault in Our Stars", "John Green", "Dutton", "en",
     None, None),
    ("9780141439518", "0141439513", "Pride and Prejudice", "Jane Austen", "Penguin", "en",
     None, None),
    ("9780307387899", "0307387895", "The Road", "Cormac McCarthy", "Vintage", "en",
     None, None),
]


@pytest.fixture
def shelf(make_book):
    """Create the shelf; return {title: book}. The first six are older than 30 days."""
    books = {}
    old = utcnow() - timedelta(days=100)
    for i, (isbn13, isbn10, title, authors, publisher, language, kdc_class, addon) in enumerate(
        SHELF
    ):
        book = make_book(
            isbn13=isbn13, isbn10=isbn10, title=title, authors=authors, publisher=publisher,
            language=language, kdc_class=kdc_class, addon_code=addon,
            created_at=old if i < 6 else utcnow(),
        )
        books[title] = book
    return books


@pytest.fixture
def titles():
    """Return titles(page) -> the titles of a search page's results, in order."""

    def titles(page):
        return [hit.book.title for hit in page.items]

    return titles
