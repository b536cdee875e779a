"""GET /api/v1/campaigns[/<id>] for anyone, POST /api/v1/campaigns for coordinators."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, CopyStatus, Role
from tests.campaigns.factories import add_donation, seoul
from tests.conftest import PASSWORD


def _bearer(client, member) -> dict:
    response = client.post("/api/v1/tokens", json={"email": member.email, "password": PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def campaign(app, make_campaign, make_member, make_book):
    campaign = make_campaign(name="북카페 활성화 캠페인", goal_books=4,
                             starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31))
    donor = make_member(donor_named=True)
    book, other = make_book(kdc_class="8"), make_book()
    add_donation(campaign, [book, book], donor=donor, received_at=seoul(2026, 3, 3, 10))
    gift = add_donation(campaign, [other], anonymous=True, received_at=seoul(2026, 3, 4, 10))
    gift.copies[0].status = CopyStatus.WITHDRAWN
    db.session.commit()
    return campaign


def test_anyone_reads_a_campaign_with_totals(client, campaign):
    response = client.get(f"/api/v1/campaigns/{campaign.id}")
    assert response.status_code == 200
    body = response.json
    assert {k: body[k] for k in ("id", "name", "goal_books", "books_donated", "titles", "donors",
                                 "starts_on", "ends_on")} == {
        "id": campaign.id, "name": "북카페 활성화 캠페인", "goal_books": 4, "books_donated": 3,
        "titles": 2, "donors": 1, "starts_on": "2026-03-01", "ends_on": "2026-05-31"}
    assert body["anonymous_donations"] == 1 and body["books_in_collection"] == 2
    assert body["progress_percent"] == 75 and body["is_active"] is True
    assert body["closed_at"] is None


def test_anyone_lists_campaigns(client, campaign, make_campaign):
    make_campaign(name="Empty")
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 200
    assert response.json["total"] == 2
    by_name = {c["name"]: c for c in response.json["items"]}
    assert by_name["Empty"]["books_donated"] == 0
    assert by_name["북카페 활성화 캠페인"]["books_donated"] == 3


def test_unknown_campaign_is_404_json(client):
    response = client.get("/api/v1/campaigns/999")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_campaign"


def test_coordinator_creates_a_campaign(client, make_member):
    coordinator = make_member(Role.COORDINATOR)
    response = client.post("/api/v1/campaigns", headers=_bearer(client, coordinator), json={
        "name": "겨울 기증", "goal_books": 300, "starts_on": "2026-12-01",
        "ends_on": "2027-02-28", "description": "Books for winter"})
    assert response.status_code == 201
    body = response.json
    assert body["name"] == "겨울 기증" and body["books_donated"] == 0
    assert body["starts_on"] == "2026-12-01" and body["is_default"] is False
    stored = db.session.get(Campaign, body["id"])
    assert stored.created_by_id == coordinator.id and stored.description == "Books for winter"


def test_create_with_only_the_required_fields(client, make_member):
    headers = _bearer(client, make_member(Role.COORDINATOR))
    response = client.post("/api/v1/campaigns", headers=headers,
                           json={"name": "Open-ended", "starts_on": "2026-12-01",
                                 "goal_books": None})
    assert response.status_code == 201
    assert response.json["goal_books"] is None and response.json["ends_on"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"starts_on": "2026-12-01"}, "invalid_input"),
        ({"name": "  ", "starts_on": "2026-12-01"}, "invalid_input"),
        ({"name": 5, "starts_on": "2026-12-01"}, "invalid_input"),
        ({"name": "x" * 201, "starts_on": "2026-12-01"}, "invalid_input"),
        ({"name": "x"}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-13-01"}, "invalid_input"),
        ({"name": "x", "starts_on": 20261201}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "ends_on": "2026-11-30"}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "goal_books": 0}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "goal_books": -5}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "goal_books": "100"}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "goal_books": 1.5}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "goal_books": True}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "goal_books": 10**12}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "description": ["a"]}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "is_default": "yes"}, "invalid_input"),
        ({"name": "x", "starts_on": "2026-12-01", "colour": "red"}, "invalid_input"),
    ],
)
def test_create_validates_every_field(client, make_member, body, code):
    headers = _bearer(client, make_member(Role.COORDINATOR))
    response = client.post("/api/v1/campaigns", headers=headers, json=body)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0


def test_create_needs_json(client, make_member):
    headers = _bearer(client, make_member(Role.COORDINATOR))
    response = client.post("/api/v1/campaigns", headers=headers, data="name=x")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"
    response = client.post("/api/v1/campaigns", headers=headers, json=[1, 2])
    assert response.json["error"]["code"] == "invalid_json"


def test_create_is_for_coordinators(client, make_member):
    response = client.post("/api/v1/campaigns", json={"name": "x", "starts_on": "2026-12-01"})
    assert response.status_code == 401
    for role in (Role.MEMBER, Role.VOLUNTEER):
        headers = _bearer(client, make_member(role))
        response = client.post("/api/v1/campaigns", headers=headers,
                               json={"name": "x", "starts_on": "2026-12-01"})
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"


def test_create_as_default_replaces_the_old_default(client, make_member, make_campaign):
    old = make_campaign(is_default=True)
    headers = _bearer(client, make_member(Role.COORDINATOR))
    response = client.post("/api/v1/campaigns", headers=headers,
                           json={"name": "New", "starts_on": "2026-12-01", "is_default": True})
    assert response.status_code == 201 and response.json["is_default"] is True
    db.session.expire_all()
    assert db.session.get(Campaign, old.id).is_default is False
