"""The production path of the README, once: PostgreSQL + `flask db upgrade` + gunicorn -w 4."""

import json
import stat

import pytest

from tests.conftest import BACKEND
from tests.support.server import flask_cli, gunicorn, http, production_env

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="runs once, in the PostgreSQL pass of make test")


def test_postgresql_upgrade_then_gunicorn_with_four_workers(pg_server, tmp_path):
    url = pg_server.create_database("production_path")
    env = production_env(url, tmp_path / "instance")
    flask_cli(env, "db", "upgrade")
    created = flask_cli(env, "library", "create-user", "admin@example.com", "--name", "관리자",
                        "--role", "coordinator", "--password", "-",
                        stdin="a strong password\n")
    assert "card 202" in created.stdout

    secret = tmp_path / "instance" / "secret_key"
    assert secret.exists() and stat.S_IMODE(secret.stat().st_mode) == 0o600

    with gunicorn(env, workers=4) as server:
        status, body = http(server.base + "/login")
        assert status == 200 and "로그인".encode() in body
        # Several requests land on several workers; all share the same generated secret.
        for _ in range(8):
            status, body = http(server.base + "/api/v1/tokens",
                                data=json.dumps({"email": "admin@example.com",
                                                 "password": "a strong password"}).encode(),
                                headers={"Content-Type": "application/json"})
            assert status == 201, body
            token = json.loads(body)["token"]
            status, body = http(server.base + "/api/v1/me",
                                headers={"Authorization": f"Bearer {token}"})
            assert status == 200 and json.loads(body)["role"] == "coordinator"
    assert "Booting worker" in server.output
    assert "Traceback" not in server.output, server.output
