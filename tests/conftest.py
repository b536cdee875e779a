"""Fixtures: the app on SQLite or PostgreSQL (TEST_DB), clients, factories, login_as.

`TEST_DB=postgresql` starts a throwaway PostgreSQL server for the session (or uses
TEST_DATABASE_URL). Under CI=true a missing PostgreSQL is a failure, not a skip.
"""

import itertools
import os
import re
import threading
import uuid
from datetime import date
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.catalog import store
from app.config import TestConfig
from app.extensions import db
from app.models import Book, Campaign, Copy, Member, Role, utcnow
from tests.support.pg import ThrowawayPostgres, find_pg_bin

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent
# Real data written by nobody here, beside the project (../shared/data); never copied in.
SHARED_DATA = Path(os.environ.get("BOOKCAFE_SHARED_DATA", ROOT.parent / "shared" / "data"))
BACKEND = os.environ.get("TEST_DB", "sqlite")
PASSWORD = "correct horse battery"  # noqa: S105


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test session's database URL (an empty database)."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"unknown TEST_DB {BACKEND!r}")
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    bin_dir = find_pg_bin()
    if bin_dir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = ThrowawayPostgres(bin_dir)
    server.start()
    try:
        yield server.create_database("bookcafe_test")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server, for tests that need their own databases."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found", pytrace=False)
        pytest.skip("PostgreSQL server binaries not found")
    server = ThrowawayPostgres(bin_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database on the session's backend (and server), dropped after."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    url = sa.engine.make_url(database_url)
    name = f"empty_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    """Migrate an empty database once per session (a test checks it equals the models)."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        # The migrations, as a real install: they carry the schema's triggers too.
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with store.writing():
            for table in reversed(tables):
                db.session.execute(table.delete())
    db.session.commit()


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `app` fixture keeps an app context open for the test's own database work; without
    this, requests would share its `g` (cached CSRF token, logged-in user) and session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(_schema):
    """The app on the session's database, emptied after each test."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=_schema)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _buffered(app):
    """Wrap a WSGI app so each response is read whole and its iterable closed here.

    werkzeug's development server closes a response's iterable in a ``finally`` that a
    client dropping the connection (Chromium cancelling a favicon or a page it has left)
    can cut short: a static file's handle is then left to the garbage collector, and
    this suite turns that ResourceWarning into a failure at a random test.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port of 127.0.0.1 in threads; yield its base URL."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


_seq = itertools.count(1)


@pytest.fixture
def make_member(app):
    """Return a factory of members: make_member(role=Role.VOLUNTEER, name=..., ...)."""
    from app.accounts.services import create_member

    def make(role: Role | str = Role.MEMBER, *, password: str = PASSWORD, **kw) -> Member:
        n = next(_seq)
        member = create_member(
            name=kw.pop("name", f"Member {n}"),
            email=kw.pop("email", f"member{n}@example.com"),
            password=password,
            role=Role(role),
            now=kw.pop("now", utcnow()),
            **kw,
        )
        db.session.commit()
        return member

    return make


@pytest.fixture
def make_book(app):
    """Return a factory of books."""

    def make(**kw) -> Book:
        n = next(_seq)
        kw.setdefault("title", f"Book {n}")
        book = store.add(Book(**kw))
        db.session.commit()
        return book

    return make


@pytest.fixture
def make_copy(app, make_book):
    """Return a factory of copies (a new book unless one is given)."""
    from app.core.defaults import default_site
    from app.core.numbering import next_copy_barcode

    def make(book: Book | None = None, **kw) -> Copy:
        book = book or make_book()
        copy = Copy(book_id=book.id, site_id=default_site().id,
                    barcode=kw.pop("barcode", None) or next_copy_barcode(), **kw)
        db.session.add(copy)
        db.session.commit()
        return copy

    return make


@pytest.fixture
def make_campaign(app):
    """Return a factory of campaigns."""

    def make(**kw) -> Campaign:
        n = next(_seq)
        kw.setdefault("name", f"Campaign {n}")
        kw.setdefault("starts_on", date(2026, 1, 1))
        campaign = Campaign(**kw)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def login_as(client, make_member):
    """Return login_as(role) -> member: a new member of that role, logged in on `client`."""

    def login(role: Role | str = Role.MEMBER, **kw) -> Member:
        member = make_member(role, **kw)
        with client.session_transaction() as session:
            session["_user_id"] = member.get_id()
            session["_fresh"] = True
        return member

    return login


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def csrf_token(client):
    """Return csrf_token(path="/") -> the CSRF token of the client's session."""

    def token(path: str = "/") -> str:
        response = client.get(path)
        match = CSRF_META.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    return token


def pytest_terminal_summary(terminalreporter):
    """Say which database the suite ran on and how many browser tests ran (and passed)."""
    stats = terminalreporter.stats

    def count(outcome: str, prefix: str = "") -> int:
        return sum(1 for r in stats.get(outcome, [])
                   if getattr(r, "when", "call") == "call" and r.nodeid.startswith(prefix))

    e2e = "tests/e2e/"
    skipped = sum(1 for r in stats.get("skipped", []) if r.nodeid.startswith(e2e))
    terminalreporter.write_line(
        f"database backend: {BACKEND}; browser tests (Chromium): {count('passed', e2e)} "
        f"passed, {count('failed', e2e)} failed, {skipped} skipped"
    )


@pytest.fixture
def copy_audit_fails(monkeypatch):
    """Make the audit event of a new copy fail ("disk full") halfway through an intake.

    The copy's event is written as a plain INSERT (audit.insert), others are recorded.
    """
    from app.core import audit

    def failing(real):
        def write(action, **kw):
            if action == "copy.create":
                raise RuntimeError("disk full")
            return real(action, **kw)

        return write

    monkeypatch.setattr(audit, "record", failing(audit.record))
    monkeypatch.setattr(audit, "insert", failing(audit.insert))
