"""`flask db upgrade` on an empty database gives exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.campaigns import tally
from app.catalog import store
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
        # campaign_book's triggers: a later SQLite migration that rebuilds one of their
        # tables (batch mode) drops them silently; this says so.
        assert installed_triggers() == {name for name, *_rest in tally.TRIGGERS}
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()


def installed_triggers() -> set[str]:
    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger'"
             if db.engine.dialect.name == "sqlite"
             else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    with db.engine.connect() as conn:
        return set(conn.exec_driver_sql(query).scalars())


def test_migrations_fill_loan_book_id_and_campaign_book_from_existing_rows(empty_database_url):
    """Migration d41f6a8c2e57 fills loan.book_id of the loans it finds from their copies."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="b7c4e1a2d9f3")
        with db.engine.begin() as conn, store.writing():  # rows an older version wrote
            run = conn.exec_driver_sql
            run("INSERT INTO site (id, name, code, is_default) VALUES (1, 'Café', 'main', true)")
            for book in (1, 2):
                run("INSERT INTO book (id, title, needs_metadata, search_text, created_at, "
                    f"updated_at) VALUES ({book}, 'Book {book}', false, 'book', "
                    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')")
            run("INSERT INTO campaign (id, name, starts_on, is_active, is_default, created_at) "
                "VALUES (1, 'Campaign', '2026-01-01', true, false, '2026-01-01 00:00:00+00:00')")
            run("INSERT INTO donation (id, anonymous, campaign_id, site_id, received_at) "
                "VALUES (1, false, 1, 1, '2026-01-01 00:00:00+00:00')")
            for copy, book, donation in ((10, 2, "1"), (11, 1, "NULL"), (12, 2, "1")):
                run("INSERT INTO copy (id, barcode, book_id, site_id, status, status_changed_at, "
                    f"created_at, donation_id) VALUES ({copy}, '20100000001{copy - 10}', {book}, "
                    f"1, 'available', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', "
                    f"{donation})")
            for loan, copy in ((1, 12), (2, 11), (3, 10)):
                run("INSERT INTO loan (id, copy_id, site_id, checked_out_at, due_on, renewals) "
                    f"VALUES ({loan}, {copy}, 1, '2026-01-02 00:00:00+00:00', '2026-01-16', 0)")
        upgrade()
        with db.engine.connect() as conn:
            books = dict(conn.exec_driver_sql("SELECT id, book_id FROM loan").all())
            tallied = conn.exec_driver_sql(
                "SELECT campaign_id, book_id, copies, kept, loans FROM campaign_book").all()
        assert books == {1: 2, 2: 1, 3: 2}
        # ... and migration e8b2c5d7a913 counts the campaign's copies and their loans.
        assert [tuple(r) for r in tallied] == [(1, 2, 2, 2, 2)]
        db.session.remove()
        db.engine.dispose()


def test_open_loan_index_holds_in_the_database(app, make_copy, make_member):
    """Two open loans for one copy are refused by the database itself."""
    from datetime import date

    from app.core.defaults import default_site
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


def test_upgrade_indexes_books_an_old_import_left_unindexed(empty_database_url):
    """Revision a7d3f19c5e20 heals a database whose imported books have no index rows."""
    from app.catalog.services import SearchQuery, search
    from app.models import utcnow

    def found(q):
        return [hit.book.id for hit in search(SearchQuery(q=q), now=utcnow()).items]

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="e8b2c5d7a913")
        with db.engine.begin() as conn, store.writing():  # what the old bulk import wrote
            for book, title, isbn in ((1, "Harry Potter and the Sorcerer's Stone", "9780439554930"),
                                      (2, "(한입에 쓱싹)편의점 과학", None)):
                conn.execute(sa.text(
                    "INSERT INTO book (id, title, isbn13, needs_metadata, search_text, "
                    "created_at, updated_at) VALUES (:id, :title, :isbn, false, :text, "
                    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"),
                    {"id": book, "title": title, "isbn": isbn, "text": title.lower()})
        upgrade()
        with db.engine.connect() as conn:
            indexed = set(conn.exec_driver_sql(
                "SELECT DISTINCT book_id FROM search_gram").scalars())
        assert indexed == {1, 2}
        assert found("harry potter") == [1]
        assert found("편의점") == [2]
        assert found("9780439554930") == [1]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_tally_triggers_are_those_the_migration_froze(dialect):
    """A change to app/campaigns/tally.py's DDL needs a revision of its own."""
    from pathlib import Path

    ddl = Path(__file__).resolve().parent.parent / "migrations" / "ddl"

    def frozen(name):
        text = (ddl / f"e8b2c5d7a913_tally_{name}.sql").read_text(encoding="utf-8")
        return [part.strip() for part in text.split("\n-- statement --\n") if part.strip()]

    assert frozen(f"{dialect}_create") == [s.strip() for s in tally.create_statements(dialect)]
    assert frozen(f"{dialect}_drop") == tally.drop_statements(dialect)


def test_a_migration_leaves_the_apps_loggers_alone(empty_database_url):
    """Alembic's logging setup used to disable every logger it did not name, the app's
    too: a server error after a migration in the same process was then never logged."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    assert not app.logger.disabled
    with app.app_context():
        upgrade()
        db.engine.dispose()  # its connections closed here, not by the garbage collector
    assert not app.logger.disabled


def test_the_spine_label_templates_join_an_existing_installation(empty_database_url):
    """Migration b3d9e5f1a7c2 adds the spine sheets to a database that has templates."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="f4b8d2a6c9e1")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO label_template (name, kind, page_width_mm, page_height_mm, rows, "
                "columns, label_width_mm, label_height_mm, margin_top_mm, margin_left_mm, "
                "gap_x_mm, gap_y_mm, offset_x_mm, offset_y_mm, is_default, updated_at) VALUES "
                "('A4 3x8 (70 x 37 mm)', 'copy', 210, 297, 8, 3, 70, 37, 0.5, 0, 0, 0, 0, 0, "
                "true, '2026-01-01 00:00:00+00:00')")
        upgrade()

        def names():
            with db.engine.connect() as conn:
                return set(conn.exec_driver_sql("SELECT name FROM label_template").scalars())

        assert names() == {"A4 3x8 (70 x 37 mm)", "A4 spine labels 9x8 (20 x 35 mm)",
                           "24 mm spine roll (24 x 40 mm)",
                           "A4 label + spine 2x8 (99.1 x 34 mm)"}
        downgrade(revision="f4b8d2a6c9e1")
        assert names() == {"A4 3x8 (70 x 37 mm)"}
        downgrade(revision="base")
        db.session.remove()
        db.engine.dispose()
