"""Browser tests: the real app on a live server (127.0.0.1), driven by the system Chromium.

Playwright must use Debian's Chromium (`/usr/bin/chromium`); it never downloads a browser.
Under CI=true a missing browser is a failure, not a skip.
"""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import IN_CI, PASSWORD

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if os.path.exists(path) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    executable = _chromium()
    if executable is None:
        message = "Chromium not found (apt-get install chromium; `make test` does it as root)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def browser_profile(browser, base_url: str, *, locale: str = "ko-KR", **options):
    """Return a fresh browser profile (Korean, like the café's PC; or another `locale`,
    e.g. "en-US" for a test that reads the English messages) on the server."""
    language = locale.split("-")[0]
    context = browser.new_context(
        base_url=base_url, locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},{language};q=0.9"}, **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh browser profile (Korean, like the café's PC) on the live server."""
    context = browser_profile(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    """A page in the fresh browser profile."""
    return browser_context.new_page()


@pytest.fixture
def web_login(page, make_member):
    """Return web_login(role, **member_fields) -> member: log in through the login page."""

    def login(role, **kw):
        member = make_member(role, **kw)
        page.goto("/login")
        page.fill("input[name=email]", member.email)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_selector("[data-testid=current-user]")
        return member

    return login


def scan(page, code: str, selector: str = "[data-testid=scan-field]") -> None:
    """Type a code the way a USB scanner does: keys a few ms apart, then Enter, no click."""
    page.keyboard.type(code, delay=4)
    page.keyboard.press("Enter")


def focused_testid(page) -> str | None:
    """The data-testid of the focused element, once the browser has run its autofocus.

    ``autofocus`` is applied at the next rendering update, not when the element is parsed, so
    the answer is read two animation frames later rather than the moment the element exists."""
    return page.evaluate(
        """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>
            done(document.activeElement && document.activeElement.dataset.testid || null))))"""
    )


def intake_settled(page) -> None:
    """Wait until the intake station has answered every scan sent (its busy flag is 0)."""
    page.wait_for_selector("html[data-intake-busy='0']", state="attached")
