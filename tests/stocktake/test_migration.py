"""Revision f4b8d2a6c9e1 widens copy.status to 'missing' without rebuilding the copy table."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.campaigns import tally
from app.catalog import store
from app.config import TestConfig
from app.extensions import db

BEFORE = "c2e6b8d4a1f9"
STAMP = "'2026-01-01 00:00:00+00:00'"


def _rows(conn) -> dict:
    run = conn.exec_driver_sql
    return {
        "copies": sorted(tuple(r) for r in run("SELECT id, status FROM copy")),
        "loans": run("SELECT count(*) FROM loan").scalar(),
        "queue": run("SELECT count(*) FROM label_queue_item").scalar(),
        "tally": sorted(tuple(r) for r in run(
            "SELECT campaign_id, book_id, copies, kept, loans FROM campaign_book")),
    }


def _triggers(conn) -> set[str]:
    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger'"
             if conn.dialect.name == "sqlite"
             else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return set(conn.exec_driver_sql(query).scalars())


def test_missing_joins_copy_status_and_every_row_stays(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn, store.writing():
            run = conn.exec_driver_sql
            run("INSERT INTO site (id, name, code, is_default) VALUES (1, 'Café', 'main', true)")
            run("INSERT INTO book (id, title, needs_metadata, search_text, created_at, "
                f"updated_at) VALUES (1, 'Book', false, 'book', {STAMP}, {STAMP})")
            run("INSERT INTO campaign (id, name, starts_on, is_active, is_default, created_at) "
                f"VALUES (1, 'Campaign', '2026-01-01', true, false, {STAMP})")
            run("INSERT INTO donation (id, anonymous, campaign_id, site_id, received_at) "
                f"VALUES (1, false, 1, 1, {STAMP})")
            for copy in (10, 11):
                run("INSERT INTO copy (id, barcode, book_id, site_id, status, status_changed_at, "
                    f"created_at, donation_id) VALUES ({copy}, '2010000000{copy}', 1, 1, "
                    f"'available', {STAMP}, {STAMP}, 1)")
            run("INSERT INTO loan (id, copy_id, book_id, site_id, checked_out_at, due_on, "
                f"renewals) VALUES (1, 10, 1, 1, {STAMP}, '2026-01-16', 0)")
            run(f"INSERT INTO label_queue_item (id, copy_id, added_at) VALUES (1, 11, {STAMP})")
        with db.engine.connect() as conn:
            before = _rows(conn)
        upgrade()
        with db.engine.begin() as conn:
            assert _rows(conn) == before
            assert _triggers(conn) >= {name for name, *_rest in tally.TRIGGERS}
            conn.exec_driver_sql("UPDATE copy SET status = 'missing' WHERE id = 11")
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("UPDATE copy SET status = 'mislaid' WHERE id = 11")
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            after = _rows(conn)
            assert after["copies"] == [(10, "available"), (11, "lost")]
            assert {k: v for k, v in after.items() if k != "copies"} == \
                {k: v for k, v in before.items() if k != "copies"}
            assert _triggers(conn) >= {name for name, *_rest in tally.TRIGGERS}
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("UPDATE copy SET status = 'missing' WHERE id = 11")
        db.session.remove()
        db.engine.dispose()
