"""Every page in Korean, on a 390 px phone and a 1280 px desk PC: no sideways scroll, the
coordinator's menu on one line at 1280 px, and no English label text outside data."""

import re

import pytest

from app.circulation import loans
from app.extensions import db
from app.models import Role, utcnow

pytestmark = pytest.mark.e2e

SIZES = [(390, 844), (1280, 800)]
SKIP = re.compile(r"^/(api|static)/|\.(json|csv|pdf|txt|zip|svg|png|xlsx|mrc|xml)$|/logout$"
                  r"|/export|/backup|/data\b|/letters$")
# Latin words a Korean page may show as labels: names of formats, standards and the switch
# to English. Everything else in Latin letters is data (titles, codes, names) or a bug.
ALLOWED = {"English", "ISBN", "KDC", "DDC", "PDF", "CSV", "JSON", "API", "EAN", "OK", "mm",
           "ID", "URL", "SMTP", "QR", "ISSN", "MARC", "TSV", "Excel", "Libib", "ON", "OFF",
           "x", "A4", "E"}

LATIN_LABELS = """() => {
  const found = [];
  const data = "td, dd, .mono, code, pre, input, textarea, select, option, [data-data], "
             + "h1, h2, .who, .brand, a[href^='/catalog/'], .book-title, svg, script, style";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!/[A-Za-z]{2,}/.test(text) || /[\\uac00-\\ud7a3]/.test(text)) continue;
    const el = node.parentElement;
    if (!el || el.closest(data) || !el.offsetParent) continue;
    found.push(text.slice(0, 60));
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

# The smallest chart text as drawn on screen (font size times the SVG's scale), in px.
CHART_TEXT = """() => Math.min(999, ...[...document.querySelectorAll('svg.chart text')]
  .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""

# The menu is on one line when its items' vertical centres are within a line's height.
MENU_LINES = """() => {
  const mids = [...document.querySelectorAll('nav.nav > ul > li, nav.nav .nav-right')]
    .filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect();
                                            return r.top + r.height / 2; });
  return Math.max(...mids) - Math.min(...mids) > 16 ? 2 : 1;
}"""


@pytest.fixture
def world(make_member, make_book, make_copy, make_campaign):
    member = make_member(Role.MEMBER, name="김하늘")
    book = make_book(title="데미안", isbn13="9788937460449", authors="헤르만 헤세")
    copy = make_copy(book)
    loans.check_out(copy, member, by=member, now=utcnow())
    make_copy(book)
    campaign = make_campaign(name="여름 기증 캠페인")
    db.session.commit()
    return {"book_id": book.id, "member_id": member.id, "copy_id": copy.id,
            "campaign_id": campaign.id, "loan_id": 1, "hold_id": 1, "stocktake_id": 1,
            "donation_id": 1, "template_id": 1}


def _pages(app, world) -> list[str]:
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or SKIP.search(rule.rule):
                continue
            if any(arg not in world for arg in rule.arguments):
                continue
            url = url_for(rule.endpoint, **{a: world[a] for a in rule.arguments})
            if not SKIP.search(url):
                urls.append(url)
    return sorted(set(urls))


def test_every_page_fits_a_phone_and_the_desk_pc_in_korean(app, page, web_login, world):
    web_login(Role.COORDINATOR, name="관리자")
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for url in _pages(app, world):
            response = page.goto(url)
            if response is None or response.status >= 400 or "html" not in (
                    response.headers.get("content-type", "")):
                continue
            box = page.evaluate(OVERFLOW)
            if box["scroll"] > box["width"]:
                problems.append(f"{width}px {url}: {box['scroll']} px wide {box['wide']}")
            smallest = page.evaluate(CHART_TEXT)
            if smallest < 11:
                problems.append(f"{width}px {url}: chart text of {smallest:.1f} px")
            if width == 1280 and page.evaluate(MENU_LINES) > 1:
                problems.append(f"{width}px {url}: the menu wraps")
            if width == 1280:
                latin = [t for t in page.evaluate(LATIN_LABELS)
                         if not set(re.findall(r"[A-Za-z]+", t)) <= ALLOWED]
                if latin:
                    problems.append(f"{url}: English labels {latin[:4]}")
    assert not problems, "\n".join(problems)
