"""Simultaneous checkouts of one copy against the live server: one loan, clear refusals.

Runs on SQLite and on PostgreSQL (TEST_DB=postgresql). With the code's own check turned
off, the partial unique index on open loans alone still allows only one loan.
"""

import pytest
import sqlalchemy as sa

from app.accounts.services import create_member, issue_token
from app.circulation import loans
from app.extensions import db
from app.models import Loan, Role, utcnow
from tests.support.concurrency import at_once
from tests.support.concurrency import post_json as _post


@pytest.fixture
def staff_token(make_member):
    staff = make_member(Role.VOLUNTEER, password="")
    raw, _token = issue_token(staff, days=1, now=utcnow())
    db.session.commit()
    return raw


@pytest.fixture(params=["checked", "index-only"])
def precheck(request, monkeypatch):
    """Run with the service's own check, and with it turned off (the index decides)."""
    if request.param == "index-only":
        monkeypatch.setattr(loans, "open_loan", lambda copy: None)
    return request.param


def test_fifty_members_one_copy_give_one_loan(live_server, staff_token, make_member, copy,
                                              rules, precheck):
    members = [create_member(name=f"동시 {i}", email=None, password=None, now=utcnow())
               for i in range(50)]
    cards = [m.card_barcode for m in members]
    db.session.commit()
    barcode = copy.barcode
    url = f"{live_server}/api/v1/checkouts"
    results = at_once(50, lambda i: _post(url, staff_token, {
        "member_card": cards[i], "copy_barcode": barcode}))
    statuses = sorted(status for status, _body in results)
    assert statuses == [201] + [409] * 49, statuses
    codes = {body["error"]["code"] for status, body in results if status == 409}
    assert codes == {"copy_not_available"}
    assert all(body["error"]["message"] for status, body in results if status == 409)
    db.session.expire_all()
    loans = db.session.scalars(sa.select(Loan)).all()
    assert len(loans) == 1
    winner = next(body for status, body in results if status == 201)
    assert loans[0].id == winner["loan"]["id"]


def test_ten_scans_by_the_same_member_give_one_loan(live_server, staff_token, member, copy,
                                                    rules, precheck):
    url = f"{live_server}/api/v1/checkouts"
    body = {"member_card": member.card_barcode, "copy_barcode": copy.barcode}
    results = at_once(10, lambda i: _post(url, staff_token, body))
    statuses = sorted(status for status, _body in results)
    if precheck == "checked":
        assert statuses == [200] * 9 + [201], results
    else:
        # Without the code's check, late requests may be refused; still one loan only.
        assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, results
    assert len({body["loan"]["id"] for status, body in results if status < 300}) == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1
