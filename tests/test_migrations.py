"""`flask db upgrade` on an empty database gives exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig
from app.extensions import db


def test_upgrade_matches_the_models_and_downgrades(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        inspector = sa.inspect(db.engine)
        indexes = {ix["name"]: ix for ix in inspector.get_indexes("loan")}
        assert indexes["uq_loan_open_copy"]["unique"]
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()


def test_loans_made_before_loan_book_id_get_their_copys_book(empty_database_url):
    """Migration d41f6a8c2e57 fills loan.book_id of the loans it finds from their copies."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="b7c4e1a2d9f3")
        with db.engine.begin() as conn:
            run = conn.exec_driver_sql
            run("INSERT INTO site (id, name, code, is_default) VALUES (1, 'Café', 'main', true)")
            for book in (1, 2):
                run("INSERT INTO book (id, title, needs_metadata, search_text, created_at, "
                    f"updated_at) VALUES ({book}, 'Book {book}', false, 'book', "
                    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')")
            for copy, book in ((10, 2), (11, 1), (12, 2)):
                run("INSERT INTO copy (id, barcode, book_id, site_id, status, status_changed_at, "
                    f"created_at) VALUES ({copy}, '20100000001{copy - 10}', {book}, 1, "
                    "'available', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')")
            for loan, copy in ((1, 12), (2, 11), (3, 10)):
                run("INSERT INTO loan (id, copy_id, site_id, checked_out_at, due_on, renewals) "
                    f"VALUES ({loan}, {copy}, 1, '2026-01-02 00:00:00+00:00', '2026-01-16', 0)")
        upgrade()
        with db.engine.connect() as conn:
            books = dict(conn.exec_driver_sql("SELECT id, book_id FROM loan").all())
        assert books == {1: 2, 2: 1, 3: 2}
        db.session.remove()
        db.engine.dispose()


def test_open_loan_index_holds_in_the_database(app, make_copy, make_member):
    """Two open loans for one copy are refused by the database itself."""
    from datetime import date

    from app.defaults import default_site
    from app.models import Loan

    copy = make_copy()
    member = make_member()
    site = default_site()
    db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=site.id,
                        due_on=date(2026, 12, 1)))
    db.session.commit()
    db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=site.id,
                        due_on=date(2026, 12, 1)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
