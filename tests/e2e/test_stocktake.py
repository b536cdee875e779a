"""The stocktake in the browser: two volunteers scan one session at once, by keyboard at a
USB scanner's speed; every result shows its colour and plays its sound; a copy on loan
that both scan at the same moment is returned once."""

import pytest
import sqlalchemy as sa

from app.circulation.services import check_out, place_hold
from app.extensions import db
from app.models import (
    AuditEvent,
    CopyStatus,
    Hold,
    HoldStatus,
    Loan,
    Role,
    Stocktake,
    WithdrawalReason,
    utcnow,
)
from app.stocktake.weeding import withdraw
from tests.conftest import PASSWORD
from tests.e2e.conftest import browser_profile, focused_testid, scan

pytestmark = pytest.mark.e2e

# Every sound the page plays is logged (the page notes it on <body>; an observer keeps all).
SOUND_LOG = """
window.__sounds = [];
window.__oscillators = 0;
document.addEventListener("DOMContentLoaded", () => {
  new MutationObserver(() => window.__sounds.push(document.body.dataset.lastSound))
    .observe(document.body, {attributes: true, attributeFilter: ["data-last-sound"]});
});
const Context = window.AudioContext || window.webkitAudioContext;
if (Context) {
  const create = Context.prototype.createOscillator;
  Context.prototype.createOscillator = function () {
    window.__oscillators += 1;
    return create.apply(this, arguments);
  };
}
"""



def login(page, member) -> None:
    page.goto("/login")
    page.fill("input[name=email]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("[data-testid=current-user]")


@pytest.fixture
def second_context(browser, live_server):
    context = browser_profile(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def shelf(make_book, make_copy, make_member):
    """The 800s: five copies on the shelf, one on loan with a hold, one withdrawn; and 911."""
    books = {}
    for call_number, title in [("813.6-조47ㄴ", "난장이가 쏘아올린 작은 공"),
                               ("813.7-김95ㅂ", "불편한 편의점"), ("813.7-손66아", "아몬드"),
                               ("833.6-무292ㅍ", "편의점 인간"), ("843-롤24해", "해리포터"),
                               ("823-오12ㄷ", "동물농장"), ("899-가11ㄱ", "가나다"),
                               ("911-한15ㅎ", "한국사 편지")]:
        books[call_number] = make_copy(make_book(title=title), call_number=call_number)
    staff = make_member(Role.VOLUNTEER, name="관리", password="")
    borrower = make_member(Role.MEMBER, name="김하늘", password="")
    waiting = make_member(Role.MEMBER, name="이서준", password="")
    check_out(books["823-오12ㄷ"], borrower, by=staff, now=utcnow())
    place_hold(books["823-오12ㄷ"].book, waiting, now=utcnow())
    withdraw([books["899-가11ㄱ"]], reason=WithdrawalReason.OUTDATED, by=staff, now=utcnow())
    db.session.commit()
    return {k: v.barcode for k, v in books.items()}


def test_two_volunteers_scan_one_stocktake_at_once(page, second_context, make_member, shelf):
    first = make_member(Role.VOLUNTEER, name="자원봉사 한")
    second = make_member(Role.VOLUNTEER, name="자원봉사 두")
    other = second_context.new_page()
    for p in (page, other):
        p.add_init_script(SOUND_LOG)

    # The first volunteer starts a stocktake of the 800s; the second joins it.
    login(page, first)
    page.goto("/stocktake")
    page.fill("input[name=call_from]", "800")
    page.fill("input[name=call_to]", "899")
    page.click("[data-testid=start-stocktake]")
    page.wait_for_selector("[data-testid=scan-form]")
    assert focused_testid(page) == "scan-field"
    assert page.inner_text("[data-testid=count-expected]") == "5"
    url = page.url
    login(other, second)
    other.goto(url)
    assert focused_testid(other) == "scan-field"

    # Both scan at once, code after code, without waiting for the answers.
    a = [shelf["813.6-조47ㄴ"], shelf["813.7-손66아"], shelf["813.7-김95ㅂ"],
         shelf["911-한15ㅎ"], "2019999999990", shelf["813.6-조47ㄴ"]]
    b = [shelf["833.6-무292ㅍ"], shelf["843-롤24해"], shelf["899-가11ㄱ"]]
    for i in range(max(len(a), len(b))):
        if i < len(a):
            scan(page, a[i])
        if i < len(b):
            scan(other, b[i])
    # The copy on loan: both have it typed, then both press Enter at the same moment.
    for p in (page, other):
        p.keyboard.type(shelf["823-오12ㄷ"], delay=4)
    page.keyboard.press("Enter")
    other.keyboard.press("Enter")

    for p, n in ((page, len(a) + 1), (other, len(b) + 1)):
        p.wait_for_function(
            "n => document.querySelectorAll('[data-testid=my-scan]').length === n", arg=n)
        p.wait_for_function("n => window.__sounds.length === n", arg=n)
        assert focused_testid(p) == "scan-field"
    mine = {}
    for p in (page, other):
        # Newest first; each with its colour (and the last one as the big result).
        mine[p] = p.eval_on_selector_all(
            "[data-testid=my-scan]",
            "els => els.map(e => [e.dataset.result, "
            "getComputedStyle(e.querySelector('.badge')).backgroundColor])")
        big = p.locator("[data-testid=scan-result]")
        assert big.get_attribute("data-result") == mine[p][0][0]
        assert p.evaluate("window.__oscillators") > 0
        # One sound per scan, in the order the answers came.
        assert p.evaluate("window.__sounds") == [r for r, _colour in reversed(mine[p])]
    results_a = [r for r, _c in reversed(mine[page])]
    results_b = [r for r, _c in reversed(mine[other])]
    assert results_a[:6] == ["found", "found", "out_of_order", "not_in_scope", "unknown",
                             "already_scanned"]
    assert results_b[:3] == ["found", "found", "withdrawn"]
    race = sorted([results_a[6], results_b[3]])
    assert race == ["already_scanned", "found_on_loan"]
    colours = {r: c for p in (page, other) for r, c in mine[p]}
    assert len(colours) == 7 and len(set(colours.values())) == 7  # a colour each

    # The words: where it belongs, what it goes before, and the hold shelf for the winner.
    winner = page if results_a[6] == "found_on_loan" else other
    words = winner.inner_text("[data-testid=scan-result]")
    assert "예약 도서 서가" in words and "이OO" in words and "이서준" not in words

    # The totals, as both see them after a reload.
    for p in (page, other):
        p.reload()
        counts = {key: p.inner_text(f"[data-testid=count-{key}]") for key in (
            "expected", "seen", "found_on_loan", "not_in_scope", "out_of_order", "withdrawn",
            "unknown", "unseen")}
        assert counts == {"expected": "5", "seen": "5", "found_on_loan": "1",
                          "not_in_scope": "1", "out_of_order": "1", "withdrawn": "1",
                          "unknown": "1", "unseen": "0"}

    db.session.expire_all()
    stocktake = db.session.scalar(sa.select(Stocktake))
    assert (stocktake.n_found, stocktake.n_already_scanned) == (4, 2)
    loan = db.session.scalar(sa.select(Loan))
    assert loan.returned_at is not None
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "loan.return")) == 1
    hold = db.session.scalar(sa.select(Hold))
    assert hold.status is HoldStatus.READY and hold.copy.status is CopyStatus.ON_HOLD_SHELF


def test_a_withdrawn_copy_found_is_put_back_and_the_focus_stays(page, web_login, shelf):
    web_login(Role.VOLUNTEER)
    page.goto("/stocktake")
    page.click("[data-testid=start-stocktake]")
    page.wait_for_selector("[data-testid=scan-form]")
    scan(page, shelf["899-가11ㄱ"])
    page.wait_for_selector("[data-testid=scan-result][data-result=withdrawn]")
    page.click("[data-testid=reinstate]")
    page.wait_for_selector("[data-testid=scan-result][data-result=reinstated]")
    assert focused_testid(page) == "scan-field"
    scan(page, shelf["899-가11ㄱ"])
    page.wait_for_selector("[data-testid=scan-result][data-result=already_scanned]")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Loan)).returned_at is None  # untouched
