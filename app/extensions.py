"""Flask extensions, created once and bound in the app factory."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from app.core.i18n import ParticleBabel

# Named constraints let Alembic's batch mode (SQLite) drop and alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = ParticleBabel()


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Turn on foreign keys and wait for locks on every SQLite connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL stays consistent after a crash and syncs far less often.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "connect")
def _postgresql_settings(dbapi_connection, _record):
    """Turn off PostgreSQL's JIT compilation, and give sorts more memory, on every connection.

    The aggregates of the campaign page and the reports pass JIT's cost threshold on a
    large history, and compiling each took 50-60 ms, more than some of the queries
    themselves. Their sorts (a campaign's 120k copies by class: ~10 MB) spilled to disk
    with the default work_mem of 4 MB; 16 MB keeps them in memory (the campaign page went
    from ~0.87 s to ~0.6 s at 100k loans).
    """
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is in requirements.txt
        return
    if isinstance(dbapi_connection, psycopg.Connection):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET outside any transaction, kept
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.execute("SET work_mem = '16MB'")
        dbapi_connection.autocommit = autocommit


@contextmanager
def savepoint() -> Iterator[None]:
    """Run the block in a SAVEPOINT of the current transaction: an error inside (a unique
    clash) rolls back only the block, and the use case can go on or explain itself.

    pysqlite (legacy transaction control) begins its transaction only before an INSERT,
    UPDATE or DELETE, so a SAVEPOINT sent first would open the transaction itself and its
    RELEASE would commit. On SQLite the transaction is begun first, explicitly; it is
    deferred, so it takes the write lock only at the block's first write, as before.
    """
    session = db.session
    session.flush()  # what came before stays out of the savepoint
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if not raw.in_transaction:
            raw.execute("BEGIN")
    with session.begin_nested():
        yield


def begin_write() -> None:
    """Begin the use case's writing now: call it at the moment a use case starts to write
    (after any wait on the network: an intake's metadata lookup), so the write lock is
    never held across such a wait. A no-op on PostgreSQL (row locks and the unique
    indexes decide there), and when the transaction has begun already.

    On SQLite it takes the database's only write lock with BEGIN IMMEDIATE. (pysqlite runs
    the reads before a use case's first write outside any transaction and begins one,
    deferred, at the first INSERT or UPDATE, which then waits for the lock: the same wait.
    An advisory file lock to queue the writers instead of SQLite's sleeping busy handler
    was tried and measured slower with four connections on two loaded cores: a woken
    waiter holding the queue while it waits for a core stalls every other writer.)
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")
