"""The production path of the README, once: PostgreSQL + `flask db upgrade` + gunicorn -w 4."""

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="runs once, in the PostgreSQL pass of make test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_postgresql_upgrade_then_gunicorn_with_four_workers(pg_server, tmp_path):
    url = pg_server.create_database("production_path")
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "TEST_DB")}
    env.update(DATABASE_URL=url.replace("postgresql+psycopg://", "postgresql://"),
               BOOKCAFE_INSTANCE=str(tmp_path / "instance"))
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    created = subprocess.run(
        [*flask, "library", "create-user", "admin@example.com", "--name", "관리자", "--role",
         "coordinator", "--password", "-"],
        cwd=ROOT, env=env, input="a strong password\n", capture_output=True, text=True,
        timeout=60, check=True)
    assert "card 202" in created.stdout

    secret = tmp_path / "instance" / "secret_key"
    assert secret.exists() and stat.S_IMODE(secret.stat().st_mode) == 0o600

    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(base + "/login")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert status == 200 and "로그인".encode() in body
        # Several requests land on several workers; all share the same generated secret.
        for _ in range(8):
            status, body = _get(base + "/api/v1/tokens",
                                data=json.dumps({"email": "admin@example.com",
                                                 "password": "a strong password"}).encode(),
                                headers={"Content-Type": "application/json"})
            assert status == 201, body
            token = json.loads(body)["token"]
            status, body = _get(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert status == 200 and json.loads(body)["role"] == "coordinator"
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "Booting worker" in output
    assert "Traceback" not in output, output
