"""Acceptance 5: backup while the app writes, restore into an empty database, same rows.

Runs on the suite's database backend: SQLite (online backup API) in the SQLite pass,
PostgreSQL (pg_dump/pg_restore) in the PostgreSQL pass.
"""

import itertools
import threading
import time
import uuid

import psycopg
import pytest
import sqlalchemy as sa

from app import create_app
from app.catalog import store
from app.config import TestConfig
from app.core.defaults import default_site, ensure_defaults
from app.errors import NotABackup
from app.exports import backup
from app.extensions import db
from app.models import Book, Copy, Member, Role, utcnow

# The writer's raw books come without index rows: the restore indexes them (search_gram).
WRITER_TABLES = {"book", "copy", "search_gram"}


@pytest.fixture(autouse=True)
def english(app):
    """Messages made outside a request (the CLI, services) in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def row_counts() -> dict[str, int]:
    """Return the number of rows of every table of the app (to compare databases)."""
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _empty_database(database_url: str, tmp_path) -> str:
    """Return the URL of a new, empty database beside the suite's one."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:6]}.db'}"
    name = f"restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         password=url.password, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


class Writer(threading.Thread):
    """Keep adding a book and its copy, one transaction each, as the app would."""

    def __init__(self, url: str, site_id: int):
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url)
        self.site_id = site_id
        self.stop = threading.Event()
        self.done = 0
        self.error = None

    def run(self):
        try:
            for n in itertools.count():
                if self.stop.is_set():
                    break
                # Raw rows, as fast as they come (their index does not matter here).
                with self.engine.begin() as conn, store.writing():
                    book_id = conn.execute(Book.__table__.insert().values(
                        title=f"Written during the backup {n}", search_text="")
                        .returning(Book.__table__.c.id)).scalar_one()
                    conn.execute(Copy.__table__.insert().values(
                        barcode=f"W{n:08d}", book_id=book_id, site_id=self.site_id))
                self.done += 1
                time.sleep(0.002)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            self.engine.dispose()


def test_backup_while_writing_then_restore_into_an_empty_database(app, runner, database_url,
                                                                  tmp_path):
    from app.core import demo

    ensure_defaults()
    demo.seed(now=utcnow())
    db.session.commit()
    before = row_counts()
    db.session.rollback()

    writer = Writer(database_url, default_site().id)
    writer.start()
    while writer.done < 20 and writer.is_alive():
        time.sleep(0.01)
    path = tmp_path / "bookcafe.backup"
    result = runner.invoke(args=["library", "backup", str(path)])
    written_at_backup_end = writer.done
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert writer.done > written_at_backup_end or writer.done >= 20
    db.session.remove()
    after = row_counts()
    db.session.rollback()

    restored_app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=_empty_database(
        database_url, tmp_path))
    with restored_app.app_context():
        try:
            result = restored_app.test_cli_runner().invoke(
                args=["library", "restore", "--yes", str(path)])
            assert result.exit_code == 0, result.output
            restored = row_counts()
            # Tables nobody wrote to meanwhile: exactly the same rows.
            for table, count in before.items():
                if table not in WRITER_TABLES | {"audit_event"}:
                    assert restored[table] == count, table
            # The writer's tables: one consistent moment, each book with its copy.
            assert before["book"] < restored["book"] <= after["book"]
            assert restored["book"] - before["book"] == restored["copy"] - before["copy"]
            _the_app_works_on(restored_app)
        finally:
            db.session.remove()
            db.engine.dispose()


def _the_app_works_on(restored_app):
    coordinator = db.session.scalar(sa.select(Member).where(Member.role == Role.COORDINATOR))
    client = restored_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = coordinator.get_id()
        session["_fresh"] = True
    response = client.get("/admin/export/catalog.csv")
    assert response.status_code == 200
    assert "Written during the backup 0" in response.data.decode("utf-8-sig")
    # Writing works too (sequences restored): a new book and copy through the import.
    from flask_babel import force_locale

    from app.imports import reading, services
    from app.imports.tabular import Table

    with force_locale("en"):
        rows = reading.check_rows(reading.Source(
            kind="csv", table=Table(["title"], [["After the restore"]], [2])))
        result = services.run_import(rows, source_kind="csv", by=coordinator, now=utcnow())
    db.session.commit()
    assert result.copies_added == 1


def test_restore_refuses_files_that_are_not_backups_of_this_app(app, runner, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    result = runner.invoke(args=["library", "restore", "--yes", str(text)])
    assert result.exit_code != 0 and "not a backup of this app" in result.output

    import sqlite3

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE book (id INTEGER)")
    conn.close()
    with pytest.raises(NotABackup):
        backup.check_backup(other)
    dump = tmp_path / "other.dump"
    dump.write_bytes(b"PGDMP" + b"\x00" * 100)
    with pytest.raises(NotABackup):
        backup.check_backup(dump)


def test_download_a_backup_button(client, login_as, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    token = csrf_token("/admin/export")
    with client.post("/admin/export/backup", data={"csrf_token": token}) as response:
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.data[:16] in (backup.SQLITE_MAGIC, ) or response.data.startswith(
            backup.PGDUMP_MAGIC)
    login_as(Role.VOLUNTEER)
    assert client.post("/admin/export/backup", data={"csrf_token": token}).status_code == 403
