"""POST /api/v1/intake and triage: a scan held back answers 409 triage_required and adds
nothing; the same body with an outcome answers 201 with the item (and a copy when kept)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Copy, DonationItem, Partner, Role, utcnow
from tests.support.providers import block_network, web  # noqa: F401

ISBN = "9780316030571"


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    return web


@pytest.fixture
def api(client, make_member):
    from app.accounts.services import issue_token

    member = make_member(Role.VOLUNTEER, password=None)
    token, _stored = issue_token(member, days=1, now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}

    class Api:
        auth = headers

        def post(self, body):
            return client.post("/api/v1/intake", headers=headers, json=body)

    return Api()


@pytest.fixture
def capped(make_book, make_copy):
    book = make_book(isbn13=ISBN, title="Use of Weapons")
    make_copy(book)
    make_copy(book)
    return book


def copies(book) -> int:
    return db.session.scalar(sa.select(sa.func.count(Copy.id)).where(Copy.book_id == book.id))


def test_a_scan_over_the_cap_answers_409_and_adds_nothing(api, capped):
    response = api.post({"scan": ISBN})
    assert response.status_code == 409
    error = response.json["error"]
    assert (error["code"], error["reason"], error["copies"]) == ("triage_required", "copy_cap", 2)
    assert "We already have 2 copies" in error["message"]
    assert copies(capped) == 2
    assert db.session.scalar(sa.select(sa.func.count(DonationItem.id))) == 0


def test_kept_answers_201_with_the_item_and_a_copy(api, capped):
    response = api.post({"scan": ISBN, "outcome": "kept", "reason": "인기 도서"})
    assert response.status_code == 201, response.json
    assert response.json["item"]["outcome"] == "kept"
    assert response.json["item"]["reason"] == "인기 도서"
    assert response.json["copy"]["book_id"] == capped.id
    assert response.json["item"]["copy_id"] == response.json["copy"]["id"]
    assert copies(capped) == 3


def test_passed_on_and_declined_answer_201_without_a_copy(api, capped):
    partner = Partner(name="Seoul Children's Library")
    db.session.add(partner)
    db.session.commit()
    passed = api.post({"scan": ISBN, "outcome": "passed_on", "passed_to": partner.id})
    declined = api.post({"scan": ISBN, "outcome": "declined", "reason": "worn"})
    assert passed.status_code == declined.status_code == 201
    assert passed.json["copy"] is None and declined.json["copy"] is None
    assert passed.json["item"]["passed_to"] == "Seoul Children's Library"
    assert declined.json["item"]["outcome"] == "declined"
    assert passed.json["donation"]["id"] == declined.json["donation"]["id"]
    assert copies(capped) == 2


def test_passed_on_needs_a_known_institution(api, capped):
    response = api.post({"scan": ISBN, "outcome": "passed_on", "passed_to": 999})
    assert response.status_code == 404 and response.json["error"]["code"] == "unknown_partner"


def test_a_damaged_mark_holds_back_a_title_under_the_cap(api, make_book):
    make_book(isbn13=ISBN, title="Use of Weapons")
    response = api.post({"scan": ISBN, "mark": "damaged"})
    assert response.status_code == 409 and response.json["error"]["reason"] == "damaged"
    assert api.post({"scan": ISBN}).status_code == 201  # unmarked, under the cap


@pytest.mark.parametrize("body", [
    {"scan": ISBN, "outcome": "lost"},
    {"scan": ISBN, "mark": "torn"},
    {"scan": ISBN, "outcome": "declined", "reason": "x" * 201},
    {"scan": ISBN, "outcome": "passed_on", "passed_to": "1"},
    {"metadata": {"title": "T"}, "outcome": "declined"},
])
def test_triage_fields_are_validated(api, capped, body):
    response = api.post(body)
    assert response.status_code == 400, response.json


def test_a_donation_lists_its_items_with_outcomes(api, client, capped):
    api.post({"scan": ISBN, "outcome": "kept"})
    answer = api.post({"scan": ISBN, "outcome": "declined", "reason": "worn"}).json
    donation_id = answer["donation"]["id"]
    response = client.get(f"/api/v1/donations/{donation_id}", headers=api.auth)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["received"], body["kept"], body["passed_on"], body["declined"]) == (2, 1, 0, 1)
    assert [(i["outcome"], i["fate"], i["reason"]) for i in body["items"]] == [
        ("kept", "on_shelf", None), ("declined", "declined", "worn")]
    assert client.get("/api/v1/donations/999", headers=api.auth).status_code == 404
