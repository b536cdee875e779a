"""Login throttling holds across `gunicorn -w 4` workers (issue 10, acceptance 3).

The failure counters live in the database, so it does not matter which worker a guess
lands on. The server runs with production settings on a migrated database (a file SQLite
database, or a new database on the PostgreSQL pass's throwaway server).
"""

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

from app.accounts.services import MAX_FAILURES_PER_ACCOUNT
from tests.support.server import flask_cli, gunicorn, http, production_env

EMAIL = "reader@example.com"
PASSWORD = "the right password"  # noqa: S105
LOCKED = "Too many failed logins. Please wait 15 minutes and try again."
PARALLEL = 4


def _token(base: str, password: str) -> tuple[int, dict]:
    status, body = http(base + "/api/v1/tokens",
                        data=json.dumps({"email": EMAIL, "password": password}).encode(),
                        headers={"Content-Type": "application/json",
                                 "Accept-Language": "en"})
    return status, json.loads(body)


def _form_login(base: str, password: str) -> tuple[int, str]:
    """Log in through the HTML form, as a browser does (cookie, CSRF token)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.addheaders = [("Accept-Language", "en")]
    page = opener.open(base + "/login", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {"csrf_token": csrf.group(1), "email": EMAIL, "password": password}).encode()
    try:
        with opener.open(base + "/login", data=data, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_failed_logins_spread_over_four_workers_lock_the_account(empty_database_url, tmp_path):
    env = production_env(empty_database_url, tmp_path / "instance")
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "library", "create-user", EMAIL, "--name", "Reader", "--role", "member",
              "--password", "-", stdin=PASSWORD + "\n")

    # The access log names the worker (process id) that answered each request.
    with gunicorn(env, 4, "--access-logfile", "-", "--access-logformat",
                  "worker=%(p)s %(m)s %(U)s %(s)s") as server:
        # Guesses sent together on several connections: a busy sync worker cannot
        # accept, so they are answered by different workers.
        barrier = threading.Barrier(PARALLEL)

        def guess(_):
            barrier.wait(timeout=30)
            return _token(server.base, "a wrong guess")

        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(pool.map(guess, range(PARALLEL)))
            answers += list(pool.map(guess, range(PARALLEL)))
        assert len(answers) > MAX_FAILURES_PER_ACCOUNT
        assert {status for status, _ in answers} <= {401, 429}, answers
        # Never more than the limit, although the guesses raced on different workers (a
        # guess still in flight counts as a failure, so a burst may stop a little before).
        wrong = [s for s, _ in answers].count(401)
        assert min(PARALLEL, MAX_FAILURES_PER_ACCOUNT) <= wrong <= MAX_FAILURES_PER_ACCOUNT, \
            answers

        # The remaining guesses, one by one, then the lock: MAX_FAILURES_PER_ACCOUNT in all.
        for _ in range(MAX_FAILURES_PER_ACCOUNT - wrong):
            assert _token(server.base, "one more guess")[0] == 401
        # Locked now, whichever worker answers: a wrong and the right password alike.
        for password in ("another wrong guess", PASSWORD, PASSWORD, PASSWORD):
            status, body = _token(server.base, password)
            assert status == 429, body
            assert body["error"] == {"code": "too_many_attempts", "message": LOCKED}
        status, page = _form_login(server.base, PASSWORD)
        assert status == 429
        assert LOCKED in page
    workers = set(re.findall(r"worker=<(\d+)> POST /api/v1/tokens", server.output))
    assert len(workers) >= 2, server.output
    assert "Traceback" not in server.output, server.output
