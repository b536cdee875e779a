"""Simultaneous scans of one copy found on loan, against the live server: the loan is
closed once and the waiting hold trapped once, on SQLite and on PostgreSQL
(TEST_DB=postgresql), as the desk's checkout race is tested.

With the session's own claim turned off, the desk's return (its conditional update of the
loan) alone still closes the loan and traps the hold only once.
"""

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from app.circulation.services import check_out, place_hold
from app.extensions import db
from app.models import (
    AuditEvent,
    Copy,
    CopyStatus,
    Hold,
    HoldStatus,
    Loan,
    Role,
    Stocktake,
    StocktakeScan,
    utcnow,
)
from app.stocktake import scanning, sessions
from app.stocktake.scope import Scope
from tests.conftest import PASSWORD
from tests.support.concurrency import at_once

OUTSIDE_REQUESTS = True
SCANS = 16


class Browser:
    """A logged-in session on the live server (cookies and its CSRF token)."""

    def __init__(self, base: str, email: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        token = self.token("/login")
        self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": token})

    def token(self, path: str) -> str:
        page = self.opener.open(self.base + path, timeout=30).read().decode()
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(data).encode(), method="POST",
            headers={"Accept-Language": "en", **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()




@pytest.fixture(params=["claimed", "loan-guard-only"])
def guards(request, monkeypatch):
    """Run with the stocktake's own claim, and with it turned off (the desk's guard only)."""
    if request.param == "loan-guard-only":
        monkeypatch.setattr(scanning, "_claim", lambda *args, **kw: (True, False))
    return request.param


def test_a_copy_on_loan_scanned_at_once_is_returned_once(
        app, live_server, make_member, make_copy, guards, rules):
    first = make_member(Role.VOLUNTEER, email="first@example.com")
    make_member(Role.VOLUNTEER, email="second@example.com")
    borrower = make_member(Role.MEMBER)
    waiting = make_member(Role.MEMBER)
    copy = make_copy(call_number="813.7-김95ㅂ")
    check_out(copy, borrower, by=first, now=utcnow())
    place_hold(copy.book, waiting, now=utcnow())
    stocktake = sessions.start_stocktake(Scope(), by=first, now=utcnow())
    db.session.commit()
    stocktake_id, barcode, copy_id, first_id = stocktake.id, copy.barcode, copy.id, first.id
    db.session.remove()

    browsers = [Browser(live_server, "first@example.com"),
                Browser(live_server, "second@example.com")]
    tokens = [b.token(f"/stocktake/{stocktake_id}") for b in browsers]
    path = f"/stocktake/{stocktake_id}/scan"
    answers = at_once(SCANS, lambda i: browsers[i % 2].post(
        path, {"csrf_token": tokens[i % 2], "code": barcode}, {"X-Stocktake-Fetch": "1"}))

    assert all(status == 200 for status, _html in answers), answers
    results = sorted(re.search(r'data-testid="scan-result" data-result="(\w+)"', html).group(1)
                     for _status, html in answers)
    loans = db.session.scalars(sa.select(Loan)).all()
    assert len(loans) == 1 and loans[0].returned_at is not None
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "loan.return")) == 1
    hold = db.session.scalar(sa.select(Hold))
    assert hold.status is HoldStatus.READY and hold.copy_id == copy_id
    assert db.session.get(Copy, copy_id).status is CopyStatus.ON_HOLD_SHELF
    assert db.session.scalar(sa.select(sa.func.count(StocktakeScan.id))) == SCANS
    if guards == "claimed":
        assert results == ["already_scanned"] * (SCANS - 1) + ["found_on_loan"]
        stocktake = db.session.get(Stocktake, stocktake_id)
        assert (stocktake.n_found_on_loan, stocktake.n_already_scanned) == (1, SCANS - 1)
        # Exactly one answer tells the volunteer to take the copy to the hold shelf.
        assert sum('class="st-hold"' in html for _s, html in answers) == 1
    else:
        # Scans read after the return see a copy on the hold shelf: found.
        assert "found_on_loan" in results and set(results) <= {"found_on_loan", "found"}
    assert sum(first_id == s.scanned_by_id for s in db.session.scalars(
        sa.select(StocktakeScan))) == SCANS // 2
