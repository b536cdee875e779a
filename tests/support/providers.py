"""The metadata providers' HTTP boundary for tests: recorded bodies, no network.

`FakeWeb` replaces ``isbnlib.dev.webservice.urlopen`` (the transport isbnlib's services
and our NLK provider share) and answers by host: a recorded body, an exception, or a
callable (to hang like a host that never answers). `block_network` refuses any other
way out of the machine; loopback stays open for the database and the live server.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.error import URLError

import isbnlib
import isbnlib.dev.webservice
import pytest

from app.isbn import clear_provider_caches, configure_providers, provider_registry

PROVIDER_RESPONSES = Path(
    os.environ.get("PROVIDER_RESPONSES_DIR", "/work/shared/data/provider-responses")
)
NLK_KEY = "test-secret-key-123"
OPENL_HOST = "openlibrary.org"
GOOB_HOST = "www.googleapis.com"
NLK_HOST = "www.nl.go.kr"

needs_recordings = pytest.mark.skipif(
    not PROVIDER_RESPONSES.is_dir(),
    reason=f"recorded provider responses not found in {PROVIDER_RESPONSES}",
)


def recording(name: str) -> bytes:
    """Read one recorded (or stub) response body from the shared folder."""
    return (PROVIDER_RESPONSES / name).read_bytes()


class FakeResponse:
    """Just enough of http.client.HTTPResponse for isbnlib and app.isbn."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def read(self) -> bytes:
        return self._body

    def info(self) -> dict[str, str]:
        return {}

    def close(self) -> None:
        pass


Handler = bytes | str | BaseException | Callable[[Any, float | None], Any]


class FakeWeb:
    """Routes urlopen(request) by host to a recorded body, an error or a callable."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def route(self, host: str, handler: Handler) -> FakeWeb:
        self.routes[host] = handler
        return self

    def offline(self) -> FakeWeb:
        """Every provider host unreachable, as on the machines this is built on."""
        for host in (OPENL_HOST, GOOB_HOST, NLK_HOST, "en.wikipedia.org"):
            self.route(host, URLError(OSError(101, "Network is unreachable")))
        return self

    def hosts(self) -> list[str]:
        with self.lock:
            return [urllib.parse.urlsplit(u).hostname or "" for u in self.requests]

    def __call__(self, request: Any, timeout: float | None = None, **_kw: Any) -> FakeResponse:
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        with self.lock:
            self.requests.append(url)
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in self.routes:
            raise URLError(f"unexpected request to {url}")
        handler = self.routes[host]
        if isinstance(handler, BaseException):
            raise handler
        if callable(handler):
            handler = handler(request, timeout)
        body = handler.encode() if isinstance(handler, str) else handler
        return FakeResponse(body)


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture
def block_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make any request off this machine fail the test (loopback stays open)."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def refuse_urlopen(request: Any, *args: Any, **kwargs: Any) -> Any:
        url = getattr(request, "full_url", request)
        attempts.append(f"urlopen {url}")
        raise AssertionError(f"test tried to reach the network: {url}")

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            attempts.append(f"connect {address}")
            raise AssertionError(f"test tried to open a connection to {address}")
        return real_connect(self, address)

    monkeypatch.setattr(isbnlib.dev.webservice, "urlopen", refuse_urlopen)
    monkeypatch.setattr(urllib.request, "urlopen", refuse_urlopen)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield attempts
    if attempts:
        pytest.fail(f"network access attempted: {attempts}")


@pytest.fixture
def web(block_network: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeb]:
    """Providers behind a FakeWeb that starts offline; tests route hosts to recordings."""
    configure_providers(None, 2.0)
    clear_provider_caches()
    registry = provider_registry()
    services = dict(registry.services)
    fake = FakeWeb().offline()
    monkeypatch.setattr(isbnlib.dev.webservice, "urlopen", fake)
    yield fake
    registry.services.clear()
    registry.services.update(services)
    configure_providers(None, 2.0)
    clear_provider_caches()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event hanging fake providers wait on; set at teardown to free their threads."""
    event = threading.Event()
    yield event
    event.set()


def hang(event: threading.Event, seconds: float = 10.0) -> Handler:
    """A handler that blocks like a host that never answers, until released."""

    def handler(_request: Any, _timeout: float | None) -> bytes:
        event.wait(seconds)
        raise URLError(TimeoutError("timed out"))

    return handler
