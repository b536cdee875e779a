"""The ordered join: CROSS JOIN (read in the order written) on SQLite, a plain join elsewhere."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.models import Book, Copy, Donation
from app.sqlorder import ordered_join


def _query():
    books = ordered_join(Book, Copy, Copy.book_id == Book.id)
    return (
        sa.select(Book.kdc_class, sa.func.count())
        .select_from(ordered_join(books, Donation, Donation.id == Copy.donation_id))
        .where(Donation.campaign_id == 1)
        .group_by(Book.kdc_class)
    )


def test_sqlite_keeps_the_written_order():
    sql = " ".join(str(_query().compile(dialect=sqlite.dialect())).split())
    assert ("FROM book CROSS JOIN copy ON copy.book_id = book.id "
            "CROSS JOIN donation ON donation.id = copy.donation_id") in sql


def test_postgresql_gets_a_plain_join():
    sql = " ".join(str(_query().compile(dialect=postgresql.dialect())).split())
    assert ("FROM book JOIN copy ON copy.book_id = book.id "
            "JOIN donation ON donation.id = copy.donation_id") in sql
    assert "CROSS" not in sql


def test_it_is_not_cached_as_a_plain_join():
    plain = sa.select(sa.func.count()).select_from(sa.join(Book, Copy, Copy.book_id == Book.id))
    ordered = sa.select(sa.func.count()).select_from(
        ordered_join(Book, Copy, Copy.book_id == Book.id))
    assert plain._generate_cache_key().key != ordered._generate_cache_key().key
