"""isbnlib set up for the app, and the lookup chain through its metadata services.

isbnlib's Open Library / Google Books / Wikipedia services and our NLK service (added
to isbnlib's registry) are asked one after another within a time budget, each in a
daemon thread that is abandoned at its deadline; lookup never raises. isbnlib's own
caches and per-host throttling are turned off (the app's database is the cache).
"""

from __future__ import annotations

import inspect
import logging
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import isbnlib
import isbnlib.config
import isbnlib.dev
from isbnlib.dev import webquery as _webquery
from isbnlib.dev._exceptions import ISBNNotConsistentError

from app.isbn.cleaning import Metadata, clean_metadata
from app.isbn.nlk import nlk_query, redact

LOGGER = logging.getLogger(__name__)

DEFAULT_SERVICES: tuple[str, ...] = ("nlk", "openl", "goob")


@dataclass(frozen=True)
class _ProviderSettings:
    nlk_key: str | None = None
    timeout: float = 10.0


_settings = _ProviderSettings()


class _NoCache(MutableMapping[str, Any]):
    """A mapping that never keeps anything (isbnlib must not cache; the app does)."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        return None

    def __delitem__(self, key: str) -> None:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __contains__(self, key: object) -> bool:
        return False


def _nlk_service(isbn13: str) -> dict[str, Any]:
    """The isbnlib-registry form of nlk_query, bound to the configured key and timeout."""
    settings = _settings
    if not settings.nlk_key:
        raise isbnlib.dev.NoAPIKeyError("nlk: no key configured")
    return nlk_query(isbn13, key=settings.nlk_key, timeout=settings.timeout)


_registry_lock = threading.Lock()


def provider_registry():
    """Return isbnlib.registry with our NLK service in it, importing it on first use.

    The import loads pkg_resources (most of a second, and a setuptools deprecation warning
    about isbnlib, not us, which must not break `-W error` runs), so starting the app and
    pages that never look a book up do not pay for it. The NLK service is put back if
    something (a test) reset the services.
    """
    registry = sys.modules.get("isbnlib.registry")
    if registry is None:
        with _registry_lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Deferred on purpose (not for an import cycle): see the docstring.
            import isbnlib.registry as registry

            registry.set_cache(None)
    if registry.services.get("nlk") is not _nlk_service:
        registry.add_service("nlk", _nlk_service)
    return registry


def _disable_isbnlib_caches() -> None:
    """Stop isbnlib memoising metadata and raw bodies (our database is the cache)."""
    registry = sys.modules.get("isbnlib.registry")
    if registry is not None:
        registry.set_cache(None)
    decorators = getattr(isbnlib.dev, "_decorators", None)
    if decorators is not None and hasattr(decorators, "im_cache"):
        decorators.im_cache = _NoCache()


def _set_throttling(seconds: float) -> None:
    """Change isbnlib's per-host throttling (a default argument bound at import time)."""
    for func in (_webquery.query, _webquery.WEBQuery.__init__):
        try:
            params = list(inspect.signature(func).parameters.values())
            defaults = list(func.__defaults__ or ())
            with_default = [p for p in params if p.default is not inspect.Parameter.empty]
            names = [p.name for p in with_default]
            if "throttling" in names and len(names) == len(defaults):
                defaults[names.index("throttling")] = seconds
                func.__defaults__ = tuple(defaults)
        except (TypeError, ValueError, AttributeError):  # pragma: no cover - defensive
            LOGGER.warning("could not change isbnlib throttling on %r", func)


def configure_providers(nlk_key: str | None, timeout: float) -> None:
    """Bind the NLK key, set isbnlib's URL timeout and turn off its 1 s throttling."""
    global _settings
    _settings = _ProviderSettings(nlk_key=(nlk_key or None), timeout=float(timeout))
    isbnlib.config.seturlopentimeout(float(timeout))
    _set_throttling(0)
    _disable_isbnlib_caches()


def clear_provider_caches() -> None:
    """Forget anything isbnlib memoised and its per-host throttling clock (for tests)."""
    _disable_isbnlib_caches()
    _webquery.WEBQuery.T.clear()
    _webquery.WEBQuery.T["id"] = time.time()


_disable_isbnlib_caches()


# ---------------------------------------------------------------------------
# Lookup through the provider chain
# ---------------------------------------------------------------------------


class Outcome(StrEnum):
    """How one provider attempt ended."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    ERROR = "error"
    TIMEOUT = "timeout"
    SKIPPED_BUDGET = "skipped_budget"
    SKIPPED_UNCONFIGURED = "skipped_unconfigured"
    SKIPPED_BUSY = "skipped_busy"


class Attempt(NamedTuple):
    """One provider attempt: (service, outcome, seconds)."""

    service: str
    outcome: Outcome
    seconds: float


@dataclass
class LookupResult:
    """What lookup found (if anything) and how each provider attempt went."""

    metadata: Metadata | None
    source: str | None
    attempts: list[Attempt] = field(default_factory=list)


# Provider calls run in daemon threads that are abandoned at their deadline. Daemon
# threads (not a ThreadPoolExecutor, whose workers are joined at interpreter exit and
# can all be stuck) never hold up shutdown; this semaphore caps how many may be stuck.
MAX_PROVIDER_THREADS = 16
_provider_slots = threading.BoundedSemaphore(MAX_PROVIDER_THREADS)
MIN_ATTEMPT_SECONDS = 0.05


def _start_in_thread(func: Callable[[], Any]) -> Future[Any] | None:
    """Run func in a daemon thread; return its future, or None when all slots are busy."""
    if not _provider_slots.acquire(blocking=False):
        return None
    future: Future[Any] = Future()

    def runner() -> None:
        try:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(func())
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)
        finally:
            _provider_slots.release()

    try:
        threading.Thread(target=runner, name="isbn-provider", daemon=True).start()
    except RuntimeError:  # pragma: no cover - the system cannot start a thread
        _provider_slots.release()
        return None
    return future


def _outcome_for(exc: BaseException) -> Outcome:
    """Map a provider exception to an attempt outcome."""
    if isinstance(exc, isbnlib.dev.DataNotFoundAtServiceError):
        return Outcome.NOT_FOUND
    if isinstance(exc, ISBNNotConsistentError):
        return Outcome.NOT_FOUND  # the service answered with another book
    if isinstance(exc, isbnlib.dev.ISBNLibHTTPError) and "(404)" in str(exc):
        return Outcome.NOT_FOUND  # e.g. Wikipedia answers an unknown ISBN with 404
    if isinstance(exc, TimeoutError):
        return Outcome.TIMEOUT
    text = str(exc).lower()
    if isinstance(exc, isbnlib.ISBNLibException) and ("timeout" in text or "timed out" in text):
        return Outcome.TIMEOUT
    return Outcome.ERROR


def lookup(
    isbn13: str,
    *,
    services: Sequence[str] = DEFAULT_SERVICES,
    timeout: float = 5.0,
    budget: float = 8.0,
) -> LookupResult:
    """Ask services in order for the ISBN's metadata within timeout/budget; never raises."""
    start = time.monotonic()
    attempts: list[Attempt] = []
    isbn = isbnlib.ean13(isbn13) if isinstance(isbn13, str) else ""
    if not isbn:
        LOGGER.warning("lookup of an invalid ISBN %r", isbn13)
        return LookupResult(None, None, attempts)
    for raw_name in services:
        name = str(raw_name).lower()
        remaining = budget - (time.monotonic() - start)
        if name == "nlk" and not _settings.nlk_key:
            attempts.append(Attempt(name, Outcome.SKIPPED_UNCONFIGURED, 0.0))
            continue
        if remaining < MIN_ATTEMPT_SECONDS:
            attempts.append(Attempt(name, Outcome.SKIPPED_BUDGET, 0.0))
            continue
        if name not in provider_registry().services:
            LOGGER.error("unknown metadata service %r", name)
            attempts.append(Attempt(name, Outcome.ERROR, 0.0))
            continue
        began = time.monotonic()
        future = _start_in_thread(lambda name=name: isbnlib.meta(isbn, name))
        if future is None:
            LOGGER.warning("all provider threads are busy; skipping %s", name)
            attempts.append(Attempt(name, Outcome.SKIPPED_BUSY, 0.0))
            continue
        done, _pending = wait_futures([future], timeout=min(timeout, remaining))
        seconds = round(time.monotonic() - began, 3)
        if not done:
            # The thread is abandoned; isbnlib's URL-open timeout ends it eventually.
            LOGGER.warning("metadata service %s timed out for %s", name, isbn)
            attempts.append(Attempt(name, Outcome.TIMEOUT, seconds))
            continue
        exc = future.exception()
        if exc is not None:
            outcome = _outcome_for(exc)
            log = LOGGER.info if outcome is Outcome.NOT_FOUND else LOGGER.warning
            log("metadata service %s for %s: %s (%s)", name, isbn, outcome, redact(str(exc)))
            attempts.append(Attempt(name, outcome, seconds))
            continue
        try:
            metadata = clean_metadata(future.result(), name)
        except Exception:  # a strange answer must not break the lending desk
            LOGGER.exception("could not clean the answer of %s for %s", name, isbn)
            attempts.append(Attempt(name, Outcome.ERROR, seconds))
            continue
        if metadata is None:
            attempts.append(Attempt(name, Outcome.NOT_FOUND, seconds))
            continue
        if metadata.isbn13 != isbn:
            LOGGER.warning("service %s answered %s for %s", name, metadata.isbn13, isbn)
            attempts.append(Attempt(name, Outcome.NOT_FOUND, seconds))
            continue
        attempts.append(Attempt(name, Outcome.FOUND, seconds))
        return LookupResult(metadata, name, attempts)
    return LookupResult(None, None, attempts)
