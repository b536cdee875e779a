"""Idempotency keys: a write sent again with its key is answered once and done once.

The API (every @operation write), the scan stations' forms (the `idempotency_key` field or
the header), and two identical requests at once against the live server. Runs on SQLite
and on PostgreSQL (TEST_DB=postgresql).
"""

import http.client
import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.services import create_member, issue_token
from app.core import idempotency
from app.extensions import db
from app.intake.triage import TriageRules, set_triage_rules
from app.models import Copy, IdempotencyKey, Loan, Role, utcnow
from tests.support.concurrency import at_once
from tests.support.providers import block_network, web  # noqa: F401

ISBN = "9780316030571"


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    return web


def count(model) -> int:
    db.session.rollback()  # what the server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _token(member) -> str:
    raw, _stored = issue_token(member, days=1, now=utcnow())
    db.session.commit()
    return raw


@pytest.fixture
def api(client, make_member, make_book):
    """A volunteer's API client; post(body, key) sends POST /api/v1/intake with the key."""
    make_book(isbn13=ISBN, title="Use of Weapons")
    member = make_member(Role.VOLUNTEER, password=None)
    # No copy cap: these tests add the same title again and again.
    set_triage_rules(TriageRules(copy_cap=0), by=member, now=utcnow())
    token = _token(member)

    def post(body, key=None, token=token):
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post("/api/v1/intake", headers=headers, json=body)

    post.member = member
    return post


def test_a_resent_api_write_is_done_once_and_answered_the_same(api):
    body = {"scan": ISBN, "force": True}  # force: the double-scan rule would not stop it
    first = api(body, key="scan-1")
    second = api(body, key="scan-1")
    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(Copy) == 1
    assert api(body, key="scan-2").status_code == 201
    assert api(body).status_code == 201  # no key: no promise
    assert count(Copy) == 3


def test_a_key_used_again_with_another_body_is_refused(api):
    assert api({"scan": ISBN, "force": True}, key="k").status_code == 201
    again = api({"scan": ISBN, "force": True, "anonymous": True}, key="k")
    assert again.status_code == 422
    assert again.json["error"]["code"] == "idempotency_key_reused"
    assert count(Copy) == 1


def test_a_resend_while_the_first_is_still_at_work_is_told_to_wait(api, monkeypatch):
    assert api({"scan": ISBN, "force": True}, key="slow").status_code == 201
    row = db.session.scalar(sa.select(IdempotencyKey))
    row.status = None  # as if the first request had claimed the key and not yet answered
    db.session.commit()
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.1)
    again = api({"scan": ISBN, "force": True}, key="slow")
    assert again.status_code == 409
    assert again.json["error"]["code"] == "idempotency_key_in_progress"
    assert count(Copy) == 1


def test_a_key_that_kept_nothing_is_a_new_request(api):
    assert api({"scan": ISBN, "force": True}, key="gone").status_code == 201
    db.session.execute(sa.delete(IdempotencyKey))  # e.g. the first request was rolled back
    db.session.commit()
    assert api({"scan": ISBN, "force": True}, key="gone").status_code == 201
    assert count(Copy) == 2 and count(IdempotencyKey) == 1


def test_keys_are_each_members_own(api, make_member):
    other = _token(make_member(Role.VOLUNTEER, password=None))
    first = api({"scan": ISBN, "force": True}, key="same")
    second = api({"scan": ISBN, "force": True}, key="same", token=other)
    assert first.status_code == second.status_code == 201
    assert first.json["copy"]["barcode"] != second.json["copy"]["barcode"]
    assert count(Copy) == 2


def test_a_key_expires_after_a_day(api, monkeypatch):
    api({"scan": ISBN, "force": True}, key="old")
    later = utcnow() + idempotency.LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr(idempotency, "utcnow", lambda: later)
    again = api({"scan": ISBN, "force": True}, key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count(Copy) == 2
    assert count(IdempotencyKey) == 1  # the expired one was cleared


def test_the_daily_purge_deletes_every_members_old_keys(api, make_member, runner, monkeypatch):
    other = _token(make_member(Role.VOLUNTEER, password=None))
    api({"scan": ISBN, "force": True}, key="a")
    api({"scan": ISBN, "force": True}, key="b", token=other)
    assert count(IdempotencyKey) == 2
    result = runner.invoke(args=["library", "purge-idempotency-keys"])
    assert "0 idempotency key(s)" in result.output and count(IdempotencyKey) == 2
    later = utcnow() + idempotency.LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr("app.cli.utcnow", lambda: later)
    result = runner.invoke(args=["library", "purge-idempotency-keys"])
    assert "2 idempotency key(s)" in result.output and count(IdempotencyKey) == 0
    assert count(Copy) == 2  # the work stays; only the kept answers go


@pytest.mark.parametrize("key", ["x" * 256, "한글", "two words"])
def test_a_malformed_key_is_400(api, key):
    response = api({"scan": ISBN, "force": True}, key=key)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_input"
    assert count(Copy) == 0


def test_a_refused_write_keeps_its_key_free_of_effects(api):
    refused = api({"scan": "9791162243090", "force": True}, key="bad")  # bad check digit
    assert refused.status_code >= 400
    assert count(Copy) == 0


def test_a_desk_scan_resent_with_its_key_makes_one_loan(client, login_as, csrf_token,
                                                       make_member, make_copy):
    login_as(Role.VOLUNTEER, locale="en", password="")
    token = csrf_token("/desk")
    member = make_member(Role.MEMBER, password="")
    copy = make_copy()

    def scan(code, key):
        return client.post("/desk/scan", data={"csrf_token": token, "code": code,
                                               "idempotency_key": key},
                           headers={"X-Desk-Fetch": "1", "Accept-Language": "en"})

    assert scan(member.card_barcode, "card-1").status_code == 200
    first = scan(copy.barcode, "copy-1")
    second = scan(copy.barcode, "copy-1")
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count(Loan) == 1
    # Without the key the desk's own rule answers (here: check it back in).
    assert scan(copy.barcode, "copy-2").get_data() != first.get_data()


def _post(base: str, path: str, token: str, key: str, body: dict) -> tuple[int, dict, bool]:
    """POST with http.client (the tests' network guard patches urllib's urlopen)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("POST", path, body=json.dumps(body), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Accept-Language": "en", "Idempotency-Key": key})
        response = connection.getresponse()
        return (response.status, json.loads(response.read()),
                response.getheader("Idempotent-Replayed") == "true")
    finally:
        connection.close()


def test_identical_requests_at_once_make_one_copy(live_server, make_book):
    make_book(isbn13=ISBN, title="Use of Weapons")
    staff = create_member(name="동시", email=None, password=None, role=Role.VOLUNTEER,
                          now=utcnow())
    db.session.commit()
    token = _token(staff)
    results = at_once(6, lambda i: _post(live_server, "/api/v1/intake", token, "together",
                                         {"scan": ISBN, "force": True}))
    assert [status for status, _body, _replayed in results] == [201] * 6, results
    assert len({body["copy"]["barcode"] for _status, body, _replayed in results}) == 1
    assert sum(1 for *_rest, replayed in results if not replayed) == 1
    assert count(Copy) == 1
