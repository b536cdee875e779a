"""bytewise(): COLLATE "C" on PostgreSQL, the column as it is on SQLite (already bytewise)."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Loan
from app.reports.sqlorder import bytewise


def _query():
    return sa.select(sa.func.count(sa.distinct(bytewise(Loan.borrower_key))))


def test_postgresql_compares_bytes():
    sql = " ".join(str(_query().compile(dialect=postgresql.dialect())).split())
    assert 'count(DISTINCT loan.borrower_key COLLATE "C")' in sql


def test_sqlite_gets_the_column():
    sql = " ".join(str(_query().compile(dialect=sqlite.dialect())).split())
    assert "count(DISTINCT loan.borrower_key)" in sql and "COLLATE" not in sql


def test_it_runs_and_counts_distinct_keys(app, make_copy):
    copy = make_copy()
    for key in ("a", "b", "a", "B"):
        db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id, site_id=copy.site_id,
                            due_on=sa.func.current_date(), borrower_key=key,
                            returned_at=sa.func.current_timestamp()))
    db.session.commit()
    assert db.session.scalar(_query()) == 3
