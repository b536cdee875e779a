"""The production path for tests: `flask db upgrade`, `create-user`, `gunicorn -w N`.

Used by tests/test_production.py and tests/accounts/test_throttle_workers.py.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, data: bytes | None = None, headers: dict | None = None,
         method: str | None = None) -> tuple[int, bytes]:
    """Send one request on a new connection; return (status, body), errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def production_env(database_url: str, instance: Path, **extra: str) -> dict:
    """Return the environment of a production install (no test settings) on this database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "TEST_DB", "TEST_DATABASE_URL")}
    # The README's URL form; the app picks the psycopg 3 driver itself.
    env.update(DATABASE_URL=database_url.replace("postgresql+psycopg://", "postgresql://"),
               BOOKCAFE_INSTANCE=str(instance), **extra)
    return env


def flask_cli(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi ARGS` as an operator would; fail on a non-zero exit."""
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120, check=True)


@dataclass
class Server:
    """A running gunicorn: its base URL and, once stopped, its output."""

    base: str
    process: subprocess.Popen
    output: str = ""


@contextmanager
def gunicorn(env: dict, workers: int = 4, *args: str) -> Iterator[Server]:
    """Serve wsgi:app with `gunicorn -w workers ARGS` on a free loopback port for the block."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         # Several servers may run at once (tests, helpers): no shared control socket.
         "--no-control-socket", *args, "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = Server(base=f"http://127.0.0.1:{port}", process=process)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http(server.base + "/api/v1/health")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            server.output = process.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            server.output = process.communicate()[0].decode()
