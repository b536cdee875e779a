"""Fixtures for the app.isbn tests: no network, providers reset, a fake HTTP boundary.

No test reaches the network: an autouse fixture makes any real urlopen or socket
connection fail the test, and the provider tests replay recorded response bodies from
the shared folder (PROVIDER_RESPONSES, read at test time, never copied into the repo)
through a fake ``isbnlib.dev.webservice.urlopen``, the HTTP boundary that isbnlib's
providers and our NLK provider both use.
"""

from __future__ import annotations

import gzip
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import isbnlib
import isbnlib.dev.webservice
import pytest
from hypothesis import HealthCheck, settings

from app.isbn import (
    LookupResult,
    clear_provider_caches,
    configure_providers,
    provider_registry,
)
from tests.conftest import IN_CI, SHARED_DATA

PROVIDER_RESPONSES = SHARED_DATA / "provider-responses"
NLK_RECORDING = "nlk_title-kotlin-in-action_9791161759692_9791161750712.json"
# sha256 of the files, as listed in the folder's README.
CHECKSUMS = dict(
    reversed(line.split())
    for line in """
cc8562916fe22da65ab4810af06e0fa4bd1e68f4707ffe46695b376c11bced46  goob_9781782276340.json
49c84c6b1e4c73e32e01f77497336ceadb6b94407d6f69c1edd791773fdff065  goob_9781847399304.json
3d64ed9c9f897627d93397500d9ae9bf0f86ec8e27838b6933aca193ce0ce7f0  goob_9784815602666.json
930498aeb0152ea6b32136d78e6e1d5c5423f8113cbf3e722c33d66baf2548c0  {nlk}
18e93c71594c6d14cc55bf73c63454d96b21c92f990e99a0a401ceb8e7e3434f  openl_2070379043.json
d3fcf02e80bc344f999f83f128823c22c0152a0b737b0198211fb6587f87a424  openl_9780316030571.json
dd219b67f2409bfe42c068639ab764bfb7495c4a3ec51e6babc5bbaaf262b2f1  openl_9780980200447.json
a7d6093b733bf096f8300873248710ef990cfa98c06eb8e9796bb78be991aa52  {goob_stub}
a8be08941fb89e53cda3e546ec456cbc1594578301ee1bdec562f7d37269cc44  stubs/nlk_notfound_total0.json
ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  stubs/openl_notfound_empty.json
""".format(nlk=NLK_RECORDING, goob_stub="stubs/goob_notfound_totalItems0.json").splitlines()
    if line.strip()
)
NLK_KEY = "test-secret-key-123"
# Scheduling delay allowed on a loaded 2-core machine; a hanging host blocks for 10 s, so a
# bound of timeout + SLACK still tells "cut off" from "waited for the host".
SLACK = 2.5

needs_recordings = pytest.mark.skipif(
    not PROVIDER_RESPONSES.is_dir() and not IN_CI,
    reason=f"recorded provider responses not found in {PROVIDER_RESPONSES}",
)


def recording(name: str) -> bytes:
    """Read one recorded (or stub) response body from the shared folder."""
    return (PROVIDER_RESPONSES / name).read_bytes()


class FakeResponse:
    """Just enough of http.client.HTTPResponse for isbnlib and app.isbn."""

    def __init__(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self._body = body
        self._headers = headers or {}

    def read(self) -> bytes:
        return self._body

    def info(self) -> dict[str, str]:
        return self._headers

    def close(self) -> None:
        pass


Handler = bytes | str | BaseException | Callable[[urllib.request.Request, float], Any]


class FakeWeb:
    """Routes urlopen(request) by host to a recorded body, an error or a callable."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, float | None]] = []
        self.gzip = False

    def route(self, host: str, handler: Handler) -> FakeWeb:
        self.routes[host] = handler
        return self

    def urls(self, host: str) -> list[str]:
        return [u for u, _t in self.requests if urllib.parse.urlsplit(u).hostname == host]

    def __call__(
        self, request: urllib.request.Request | str, timeout: float | None = None, **_kw: Any
    ) -> FakeResponse:
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        self.requests.append((url, timeout))
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in self.routes:
            raise AssertionError(f"unexpected request to {url}")
        handler = self.routes[host]
        if isinstance(handler, BaseException):
            raise handler
        if callable(handler):
            handler = handler(request, timeout)
            if isinstance(handler, FakeResponse):
                return handler
        body = handler.encode() if isinstance(handler, str) else handler
        if self.gzip:
            return FakeResponse(gzip.compress(body), {"Content-Encoding": "gzip"})
        return FakeResponse(body)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make any real HTTP request or socket connection fail the test loudly."""
    attempts: list[str] = []

    def refuse_urlopen(request: Any, *args: Any, **kwargs: Any) -> Any:
        url = getattr(request, "full_url", request)
        attempts.append(f"urlopen {url}")
        raise AssertionError(f"test tried to reach the network: {url}")

    def refuse_connect(self: socket.socket, address: Any) -> None:
        attempts.append(f"connect {address}")
        raise AssertionError(f"test tried to open a connection to {address}")

    monkeypatch.setattr(isbnlib.dev.webservice, "urlopen", refuse_urlopen)
    monkeypatch.setattr(urllib.request, "urlopen", refuse_urlopen)
    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    yield attempts
    if attempts:
        pytest.fail(f"network access attempted: {attempts}")


@pytest.fixture(autouse=True)
def providers() -> Iterator[None]:
    """Start every test with providers unconfigured and isbnlib caches empty."""
    configure_providers(None, 2.0)
    clear_provider_caches()
    registry = provider_registry()
    services = dict(registry.services)
    yield
    registry.services.clear()
    registry.services.update(services)
    configure_providers(None, 2.0)
    clear_provider_caches()


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> FakeWeb:
    """Install a FakeWeb as isbnlib's urlopen (the boundary every provider uses)."""
    fake = FakeWeb()
    monkeypatch.setattr(isbnlib.dev.webservice, "urlopen", fake)
    return fake


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event that hanging fake providers wait on; set at teardown to free them."""
    event = threading.Event()
    yield event
    event.set()


def hang(event: threading.Event, body: bytes = b"{}", seconds: float = 5.0) -> Handler:
    """A handler that blocks (like a host that never answers) until released."""

    def handler(_request: urllib.request.Request, _timeout: float) -> bytes:
        event.wait(seconds)
        return body

    return handler


def outcomes(result: LookupResult) -> list[tuple[str, str]]:
    """The (service, outcome) pairs of a lookup, without timings."""
    return [(a.service, str(a.outcome)) for a in result.attempts]


# Hypothesis: properties over many inputs
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
