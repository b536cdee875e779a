"""Backup and restore of the whole database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database in one
step inside a read transaction, so the copy is one consistent moment even while the app
writes (WAL mode lets writers go on). A marker table in the copy says it is ours.

PostgreSQL: ``pg_dump -Fc`` (one snapshot, consistent while the app writes) and
``pg_restore --clean --single-transaction`` (all or nothing). The binaries are found on
PATH or in /usr/lib/postgresql/*/bin (highest version first).

A restore refuses a file that is not a backup of this app: wrong file type, another
database engine, or missing the app's tables (and, for SQLite, the marker).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog import store
from app.errors import BackupFailed, NotABackup, RestoreFailed
from app.extensions import db
from app.models import utcnow

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
MARKER_TABLE = "bookcafe_backup"  # spelled out in the SQL below
APP_NAME = "bookcafe"
# Tables every version of the app has; a backup without them is not ours.
REQUIRED_TABLES = frozenset({"member", "book", "copy", "loan", "site"})
PG_TIMEOUT = 3600


@dataclass
class BackupInfo:
    """What a backup wrote."""

    dialect: str
    path: Path
    size: int


def dialect() -> str:
    """Return the app database's dialect name ('sqlite' or 'postgresql')."""
    return db.engine.dialect.name


def backup_database(path: str | os.PathLike) -> BackupInfo:
    """Write a consistent copy of the app's database to path."""
    path = Path(path)
    name = dialect()
    if name == "sqlite":
        _sqlite_backup(_sqlite_file(), path)
    elif name == "postgresql":
        _pg_dump(path)
    else:  # pragma: no cover - only the two databases are supported
        raise BackupFailed(reason=name)
    return BackupInfo(dialect=name, path=path, size=path.stat().st_size)


def open_backup() -> BinaryIO:
    """Make a backup in a temporary file and return it open for reading (to send it).

    The file's name is gone at once; the open handle keeps its data until it is closed.
    """
    fd, name = tempfile.mkstemp(prefix="bookcafe-backup-", suffix=backup_suffix())
    os.close(fd)
    path = Path(name)
    try:
        backup_database(path)
        return open(path, "rb")  # noqa: SIM115 - the caller (send_file) closes it
    finally:
        path.unlink(missing_ok=True)


def backup_suffix() -> str:
    """Return the file name suffix of this database's backups."""
    return ".sqlite3" if dialect() == "sqlite" else ".dump"


# ---------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------


def _sqlite_file() -> str:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory"):
        raise BackupFailed(reason=_l("an in-memory database has nothing to back up"))
    return database


def _alembic_revision(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return ""
    return row[0] if row else ""


def _sqlite_backup(source_path: str, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(source_path, timeout=30)) as source, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            copy.execute("CREATE TABLE bookcafe_backup (app TEXT, made_at TEXT, revision TEXT)")
            copy.execute("INSERT INTO bookcafe_backup VALUES (?, ?, ?)",
                         (APP_NAME, utcnow().isoformat(), _alembic_revision(copy)))
            copy.commit()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        raise BackupFailed(reason=str(error)) from error


def _check_sqlite(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True)) as conn:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            marker = conn.execute("SELECT app FROM bookcafe_backup").fetchone() \
                if MARKER_TABLE in tables else None
            ok = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as error:
        raise NotABackup() from error
    if marker is None or marker[0] != APP_NAME or not REQUIRED_TABLES <= tables:
        raise NotABackup()
    if not ok or ok[0] != "ok":
        raise NotABackup(_l("This backup file is damaged."))


def _sqlite_restore(path: Path) -> None:
    target = _sqlite_file()
    db.session.remove()
    db.engine.dispose()
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True)) as source, \
                contextlib.closing(sqlite3.connect(target, timeout=30)) as live:
            source.backup(live)
            live.execute("DROP TABLE IF EXISTS bookcafe_backup")
            live.commit()
    except sqlite3.Error as error:
        raise RestoreFailed(reason=str(error)) from error
    finally:
        db.engine.dispose()


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """Return the path of pg_dump/pg_restore: PATH, else the newest /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)), reverse=True)
    if not candidates:
        raise BackupFailed(reason=_l("%(tool)s is not installed", tool=name))
    return candidates[0]


def _pg_env() -> tuple[dict[str, str], str]:
    """Return the environment (PGHOST, ...) for libpq tools, and the database name."""
    url = db.engine.url
    env = dict(os.environ)
    for var, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password)):
        if value:
            env[var] = str(value)
    return env, url.database or ""


def _pg_dump(target: Path) -> None:
    env, database = _pg_env()
    partial = target.with_name(target.name + ".partial")
    command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
               "--file", str(partial), "--dbname", database]
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=PG_TIMEOUT)  # noqa: S603
        os.replace(partial, target)
    except subprocess.CalledProcessError as error:
        partial.unlink(missing_ok=True)
        raise BackupFailed(reason=error.stderr.decode(errors="replace").strip()[:500]) \
            from error
    except (OSError, subprocess.TimeoutExpired) as error:
        partial.unlink(missing_ok=True)
        raise BackupFailed(reason=str(error)) from error


def _check_pg(path: Path) -> None:
    try:
        listing = subprocess.run([pg_tool("pg_restore"), "--list", str(path)],  # noqa: S603
                                 check=True, capture_output=True, timeout=600).stdout
    except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired) as error:
        raise NotABackup() from error
    tables = set(re.findall(rb"\bTABLE \S+ (\w+) ", listing))
    if not {t.encode() for t in REQUIRED_TABLES} <= tables:
        raise NotABackup()


def _pg_restore(path: Path) -> None:
    env, database = _pg_env()
    db.session.remove()
    db.engine.dispose()
    command = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
               "--no-privileges", "--single-transaction", "--exit-on-error",
               "--dbname", database, str(path)]
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=PG_TIMEOUT)  # noqa: S603
    except subprocess.CalledProcessError as error:
        raise RestoreFailed(reason=error.stderr.decode(errors="replace").strip()[:500]) \
            from error
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RestoreFailed(reason=str(error)) from error


# ---------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------


def check_backup(path: str | os.PathLike) -> str:
    """Return 'sqlite' or 'postgresql' for a backup this app can restore; else refuse."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as error:
        raise NotABackup() from error
    if head.startswith(SQLITE_MAGIC):
        kind = "sqlite"
    elif head.startswith(PGDUMP_MAGIC):
        kind = "postgresql"
    else:
        raise NotABackup()
    if kind != dialect():
        raise NotABackup(_l("This is a backup of a %(kind)s database; this app uses "
                            "%(current)s.", kind=kind, current=dialect()))
    if kind == "sqlite":
        _check_sqlite(path)
    else:
        _check_pg(path)
    return kind


def restore_database(path: str | os.PathLike) -> None:
    """Replace the whole database with a backup (checked first). Stop the app first."""
    path = Path(path)
    kind = check_backup(path)
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    _heal_search_index()


def _heal_search_index() -> None:
    """Index the restored books that lack index rows (a backup of a database imported by
    an older version); a backup of an older schema is healed by `flask db upgrade`."""
    try:
        store.index_missing()
        db.session.commit()
    except sa.exc.DBAPIError:
        db.session.rollback()
