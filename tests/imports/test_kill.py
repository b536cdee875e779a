"""Acceptance 4: an import process killed part way (kill -9) leaves no partial rows."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Book, Copy

ROOT = Path(__file__).resolve().parents[2]
ROWS = 30_000


def test_kill_9_part_way_leaves_nothing(app, database_url, tmp_path):
    path = tmp_path / "big.csv"
    lines = ["title,authors,barcode"] + [f"Book {n},Author {n % 97},K{n:07d}"
                                         for n in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DB",)}
    env.update(DATABASE_URL=database_url, SECRET_KEY="kill-test",
               BOOKCAFE_INSTANCE=str(tmp_path / "instance"), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "library", "import", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 120
        for line in process.stdout:
            seen.append(line)
            # Books are being written, in the import's one transaction: kill it now.
            if line.startswith("wrote ") and "books" in line:
                break
            assert time.monotonic() < deadline, "".join(seen)
        else:
            raise AssertionError("the import ended before it was killed:\n" + "".join(seen))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert "wrote 1000 of 30000 books" in "".join(seen)

    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Copy.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0
