"""`make bench`'s server and load: gunicorn -w 4 on 127.0.0.1 with the production
settings, logging in (an API token, a page session), and wrk driving it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.paths import BIN, PASSWORD, ROOT

# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -w 4 on 127.0.0.1 with the production settings."""

    def __init__(self, url: str, workers: int = 4):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.instance = tempfile.mkdtemp(prefix="bench-instance-")
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DB",)}
        env.update(DATABASE_URL=url, SECRET_KEY="bench-secret-key-not-for-production",
                   BOOKCAFE_INSTANCE=self.instance)
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env)
        while True:
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                if self.process.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.05)
        self.start_seconds = time.perf_counter() - started

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in out:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.instance, ignore_errors=True)


def api_token(base: str, email: str) -> str:
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    request = urllib.request.Request(base + "/api/v1/tokens", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return json.load(response)["token"]


def session_cookie(base: str, email: str) -> str:
    return logged_in(base, email)[0]


def logged_in(base: str, email: str) -> tuple[str, str, urllib.request.OpenerDirector]:
    """Log in through the login page; return the session cookie, its CSRF token and the
    opener that holds the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                   "password": PASSWORD}).encode()
    page = opener.open(base + "/login", data=data, timeout=10).read().decode()
    # Logging in starts a new session: its token is on the page it lands on.
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token, opener


# --------------------------------------------------------------------------- load

def wrk(base: str, requests: list[tuple[str, str, str]] | None = None, *, seconds: float,
        headers: dict | None = None, threads: int = 2, connections: int = 4,
        sequences: list[list[tuple[str, str, str]]] | None = None) -> dict:
    """Run wrk against `requests` (method, path, body); return its JSON summary.

    With `sequences` instead, wrk runs one connection per sequence, each on its own thread
    sending its own list in order (a checkout before the check-in of the same copy).
    """
    with tempfile.TemporaryDirectory() as tmp:
        req_file = Path(tmp, "requests.tsv")
        env = dict(os.environ, BENCH_REQUESTS=str(req_file))
        if sequences is not None:
            for n, sequence in enumerate(sequences):
                Path(f"{req_file}.{n}").write_text(
                    "".join(f"{m}\t{p}\t{b}\n" for m, p, b in sequence))
            threads = connections = len(sequences)
            env["BENCH_PER_THREAD"] = "1"
        else:
            req_file.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in requests))
        head_file = Path(tmp, "headers.txt")
        head_file.write_text("".join(f"{k}: {v}\n" for k, v in (headers or {}).items()))
        env["BENCH_HEADERS"] = str(head_file)
        result = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
             "--timeout", "30s",
             "-s", str(ROOT / "bench" / "wrk.lua"), base],
            capture_output=True, text=True, env=env, timeout=seconds + 60)
    line = [x for x in result.stdout.splitlines() if x.startswith("{")]
    if not line:
        raise RuntimeError(f"wrk failed: {result.stdout}\n{result.stderr}")
    return json.loads(line[-1])
