"""Every page in Korean, on a 390 px phone and a 1280 px desk PC, as each role sees it (the
coordinator every page, a volunteer the desk, intake and labels, a member their own pages),
in a café with one of everything (tests/e2e/layout_world.py): no sideways scroll, the menu on
one line at 1280 px, chart text of 11 px or more, and no English label text outside data."""

import os
import re
from pathlib import Path

import pytest

from app.extensions import db
from tests.e2e import layout_world
from tests.e2e.conftest import browser_profile, intake_settled, scan
from tests.support.providers import block_network, web  # noqa: F401

pytestmark = pytest.mark.e2e

SIZES = [(390, 844), (1280, 800)]
SHOTS = os.environ.get("LAYOUT_SHOTS")  # a folder: keep a screenshot of every page there
SKIP = re.compile(r"^/(api|static)/|\.(json|csv|pdf|txt|zip|svg|png|xlsx|mrc|xml)$|/logout$"
                  r"|/export/|/backup|/data\b|/letters$")
# Latin words a Korean page may show as labels: names of formats, standards and the switch
# to English. Everything else in Latin letters is data (titles, codes, names) or a bug.
ALLOWED = {"English", "ISBN", "KDC", "DDC", "PDF", "CSV", "JSON", "API", "EAN", "OK", "mm",
           "ID", "URL", "SMTP", "QR", "ISSN", "MARC", "TSV", "Excel", "Libib", "ON", "OFF",
           "x", "A4", "E", "LMS", "SMS"}

# Text is data when it sits in a table cell, a definition, a code box, a form's value, a
# book's title or an element marked data-data; labels (headings, table heads, buttons,
# options, legends, summaries, form labels) are checked.
LATIN_LABELS = """() => {
  const found = [];
  const data = "td, dd, .mono, code, pre, kbd, var, input, textarea, [data-data], "
             + ".who, .brand, a[href^='/catalog/'], .book-title, svg, script, style";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!/[A-Za-z]{2,}/.test(text) || /[\\uac00-\\ud7a3]/.test(text)) continue;
    const el = node.parentElement;
    if (!el || el.closest(data)) continue;
    // Hidden text is not read, except a select's options and a closed drop-down's items.
    if (!el.offsetParent && !el.closest("select, details")) continue;
    found.push(el.tagName.toLowerCase() + ": " + text.slice(0, 60));
  }
  // What a browser shows or reads out of attributes: hints, tooltips, names of buttons.
  for (const el of document.body.querySelectorAll(
      "[placeholder], [title], [aria-label], img[alt], input[type=submit][value]")) {
    if (el.closest(data.replace("input, ", ""))) continue;
    for (const name of ["placeholder", "title", "aria-label", "alt", "value"]) {
      if (name === "value" && el.type !== "submit") continue;
      const text = (el.getAttribute(name) || "").trim();
      if (!/[A-Za-z]{2,}/.test(text) || /[\\uac00-\\ud7a3]/.test(text)) continue;
      found.push(el.tagName.toLowerCase() + "[" + name + "]: " + text.slice(0, 60));
    }
  }
  return found;
}"""

OVERFLOW = """() => {
  const width = innerWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !e.closest('.table-scroll, .table');
  }).slice(0, 3).map(e => e.tagName + '.' + e.className + ' '
                          + Math.round(e.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""

# Words broken over two lines: a Korean word (eojeol) or a code of 8+ digits (a barcode, an
# ISBN) whose letters do not all sit on one line ("나/눠 주세요", a cell one letter a line).
# Text only screen readers see (.sr-only, 1 px wide) is not drawn.
BROKEN_WORDS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let checked = 0;
  while (walker.nextNode() && checked < 4000 && found.length < 4) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !el.offsetParent || el.closest("script, style, svg, textarea, pre, .sr-only")
        || el.getBoundingClientRect().width < 4) continue;
    // A line may break before "(" and after "·" or "/" (대출·반납, 바코드(또는 ...).
    for (const m of node.textContent.matchAll(/[^\\s(·/]+[·/]?|\\([^\\s(·/]*[·/]?/g)) {
      const word = m[0];
      if (!/[\\uac00-\\ud7a3]/.test(word) && !/^\\d{8,}$/.test(word)) continue;
      checked++;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + word.length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                           .map(r => Math.round(r.bottom)));
      if (tops.size > 1) found.push(el.tagName.toLowerCase() + ": " + word);
    }
  }
  return found;
}"""

# The smallest chart text as drawn on screen (font size times the SVG's scale), in px.
CHART_TEXT = """() => Math.min(999, ...[...document.querySelectorAll('svg.chart text')]
  .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""

# The menu is on one line when its items' vertical centres are within a line's height.
MENU_LINES = """() => {
  const mids = [...document.querySelectorAll('nav.nav > ul > li, nav.nav .nav-right')]
    .filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect();
                                            return r.top + r.height / 2; });
  return mids.length && Math.max(...mids) - Math.min(...mids) > 16 ? 2 : 1;
}"""


@pytest.fixture
def world(app, tmp_path, web):  # noqa: F811 (metadata providers unreachable)
    built = layout_world.build(app, tmp_path)
    assert None not in built["ids"].values(), built
    return built


def _pages(app, world) -> list[str]:
    urls = list(world["extra"])
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or SKIP.search(rule.rule):
            continue
        assert set(rule.arguments) <= set(world["ids"]), f"{rule}: add its row to the world"
        url = rule.build({a: world["ids"][a] for a in rule.arguments}, append_unknown=False)[1]
        if not SKIP.search(url):
            urls.append(url)
    return sorted(set(urls))


def _problems(page, where: str, width: int, korean: bool = True) -> list[str]:
    if SHOTS:
        name = re.sub(r"[^A-Za-z0-9]+", "-", where).strip("-") or "home"
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    problems = []
    box = page.evaluate(OVERFLOW)
    if box["scroll"] > box["width"]:
        problems.append(f"{width}px {where}: {box['scroll']} px wide {box['wide']}")
    smallest = page.evaluate(CHART_TEXT)
    if smallest < 11:
        problems.append(f"{width}px {where}: chart text of {smallest:.1f} px")
    if width == 1280 and page.evaluate(MENU_LINES) > 1:
        problems.append(f"{width}px {where}: the menu wraps")
    broken = page.evaluate(BROKEN_WORDS)
    if broken:
        problems.append(f"{width}px {where}: words broken over lines {broken}")
    latin = [t for t in page.evaluate(LATIN_LABELS) if korean
             and not set(re.findall(r"[A-Za-z]+", t.split(": ", 1)[1])) <= ALLOWED]
    if latin:
        problems.append(f"{width}px {where}: English labels {latin[:4]}")
    return problems


def _log_in(browser, live_server, who: str, language: str = "ko"):
    member = layout_world.account(who)
    member.locale = language
    db.session.commit()
    context = browser_profile(browser, live_server,
                              locale="ko-KR" if language == "ko" else "en-US")
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", layout_world.ACCOUNTS[who])
    page.fill("input[name=password]", layout_world.PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("[data-testid=current-user]")
    return context, page


def _walk(page, urls: list[str], who: str, language: str) -> tuple[list[str], int]:
    problems, seen = [], 0
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for url in urls:
            response = page.goto(url)
            if response is None or response.status >= 400 or "html" not in (
                    response.headers.get("content-type", "")):
                continue
            if not page.locator("main").count():
                continue  # a fragment a page fetches into itself (labels' preview)
            seen += 1
            problems += _problems(page, f"{who} {url}", width, korean=language == "ko")
    return problems, seen


@pytest.mark.parametrize(("who", "language"), [
    ("coordinator", "ko"), ("volunteer", "ko"), ("member", "ko"),
    ("coordinator", "en"),  # English is longer: the pages fit a phone in it too
])
def test_every_page_fits_a_phone_and_the_desk_pc(app, browser, live_server, world, who,
                                                 language):
    context, page = _log_in(browser, live_server, who, language)
    try:
        problems, seen = _walk(page, _pages(app, world), f"{who} ({language})", language)
    finally:
        context.close()
    assert seen >= {"coordinator": 90, "volunteer": 40, "member": 12}[who]
    assert not problems, "\n".join(problems)


def _both_sizes(page, where: str) -> list[str]:
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        problems += _problems(page, where, width)
    return problems


def _desk_scan(page, code: str) -> None:
    before = page.get_attribute("[data-testid=desk-panel]", "data-serial") or ""
    scan(page, code)
    page.wait_for_function(
        "b => document.querySelector('[data-testid=desk-panel]').dataset.serial !== b",
        arg=before)


def test_the_desk_and_intake_mid_visit_fit_a_phone(browser, live_server, world):
    """The states a plain GET does not reach, each at both sizes: the desk with a member
    selected, their own loan returned, a hold-shelf copy scanned with nobody selected (amber),
    check-in mode with a copy trapped for a hold; the scan station with a donation under way
    and a gift held back; a page that does not exist."""
    context, page = _log_in(browser, live_server, "volunteer")
    problems = []
    try:
        page.goto("/desk")
        page.wait_for_selector("[data-testid=scan-field]")
        for step, code in (("a member selected", world["member_card"]),
                           ("their own loan returned", world["late_barcode"])):
            _desk_scan(page, code)
            problems += _both_sizes(page, f"volunteer /desk, {step}")
        page.keyboard.press("Escape")
        page.wait_for_selector("[data-testid=desk-panel][data-borrower='']")
        _desk_scan(page, world["hold_shelf_barcode"])
        problems += _both_sizes(page, "volunteer /desk, a hold-shelf copy, nobody selected")
        page.keyboard.press("Escape")
        page.keyboard.press("F2")
        page.wait_for_selector("[data-testid=desk-panel][data-mode=checkin]")
        _desk_scan(page, world["lent_barcode"])
        problems += _both_sizes(page, "volunteer /desk, check-in, a copy for a hold")

        page.goto("/intake")
        page.click("[data-testid=start-anonymous]")
        page.wait_for_selector("[data-testid=scan-field]")
        scan(page, "9788936456788")
        intake_settled(page)
        problems += _both_sizes(page, "volunteer /intake with a donation")
        scan(page, "9788936434120")  # 소년이 온다: two copies already, held back (amber)
        intake_settled(page)
        page.wait_for_selector("[data-testid=triage-form]")
        problems += _both_sizes(page, "volunteer /intake, a gift held back")

        assert page.goto("/catalog/2147483647").status == 404
        problems += _both_sizes(page, "volunteer, a page that does not exist")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
