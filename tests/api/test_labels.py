"""POST /api/v1/labels: a PDF of labels for copy barcodes; bad requests are explained."""

import pytest

from app.barcodes import internal_code
from app.labels.services import MAX_BATCH
from app.models import Role
from tests.conftest import PASSWORD
from tests.labels.conftest import (  # noqa: F401 - the labels area's fixtures
    decoded_codes,
    pdf_text,
    stock_templates,
)

pytestmark = pytest.mark.usefixtures("stock_templates")

BAD_CHECK_DIGIT = "2010000000019"


@pytest.fixture
def token(client, make_member):
    """A volunteer's bearer token header."""
    member = make_member(Role.VOLUNTEER, locale="en")
    response = client.post("/api/v1/tokens", json={"email": member.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_labels_pdf(client, token, make_book, make_copy):
    copies = [make_copy(make_book(title=title)) for title in ("아몬드", "코스모스", "파친코")]
    response = client.post("/api/v1/labels", headers=token, json={
        "copies": [c.barcode for c in copies], "template": "US Letter 3x10 (Avery 5160)",
        "start_at": 29})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert decoded_codes(response.data) == [[c.barcode for c in copies[:2]], [copies[2].barcode]]
    assert "아몬드" in pdf_text(response.data)


def test_default_template_and_start(client, token, make_copy):
    copy = make_copy()
    response = client.post("/api/v1/labels", headers=token, json={"copies": [copy.barcode]})
    assert response.status_code == 200
    assert decoded_codes(response.data) == [[copy.barcode]]


def test_template_by_id(client, token, make_copy):
    from app.labels.services import list_templates

    roll = next(t for t in list_templates() if "roll" in t.name)
    copies = [make_copy(), make_copy()]
    response = client.post("/api/v1/labels", headers=token, json={
        "copies": [c.barcode for c in copies], "template": roll.id})
    assert decoded_codes(response.data) == [[copies[0].barcode], [copies[1].barcode]]


def test_unknown_and_invalid_barcodes_are_listed_not_printed(client, token, make_copy):
    copy = make_copy()
    unknown = internal_code("201", 424242)
    response = client.post("/api/v1/labels", headers=token, json={
        "copies": [copy.barcode, unknown, BAD_CHECK_DIGIT]})
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == "unknown_barcodes"
    assert error["unknown"] == [unknown] and error["invalid"] == [BAD_CHECK_DIGIT]
    assert unknown in error["message"] and BAD_CHECK_DIGIT in error["message"]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({}, 400, "invalid_input"),
    ({"copies": []}, 400, "invalid_input"),
    ({"copies": "2010000000014"}, 400, "invalid_input"),
    ({"copies": [2010000000014]}, 400, "invalid_input"),
    ({"copies": ["x"] * (MAX_BATCH + 1)}, 400, "invalid_input"),
    ({"copies": ["C"], "template": "No such sheet"}, 404, "unknown_template"),
    ({"copies": ["C"], "template": "A4 member cards 2x5 (85.6 x 54 mm)"}, 404,
     "unknown_template"),
    ({"copies": ["C"], "template": True}, 400, "invalid_input"),
    ({"copies": ["C"], "template": [1]}, 400, "invalid_input"),
    ({"copies": ["C"], "start_at": "3"}, 400, "invalid_input"),
    ({"copies": ["C"], "start_at": 1.5}, 400, "invalid_input"),
    ({"copies": ["C"], "start_at": 0}, 422, "cannot_print"),
    ({"copies": ["C"], "start_at": 25}, 422, "cannot_print"),
])
def test_every_field_is_validated(client, token, make_copy, body, status, code):
    make_copy(barcode="C")
    response = client.post("/api/v1/labels", headers=token, json=body)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_not_json(client, token):
    response = client.post("/api/v1/labels", headers=token, data="copies=1")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"


def test_needs_a_volunteer(client, make_member):
    assert client.post("/api/v1/labels", json={"copies": ["C"]}).status_code == 401
    member = make_member(Role.MEMBER)
    token = client.post("/api/v1/tokens", json={"email": member.email,
                                                "password": PASSWORD}).json["token"]
    response = client.post("/api/v1/labels", json={"copies": ["C"]},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_browser_session_needs_csrf(client, login_as, make_copy, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    copy = make_copy()
    refused = client.post("/api/v1/labels", json={"copies": [copy.barcode]})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    response = client.post("/api/v1/labels", json={"copies": [copy.barcode]},
                           headers={"X-CSRFToken": csrf_token()})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
