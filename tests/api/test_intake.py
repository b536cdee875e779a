"""GET /api/v1/isbn/<raw> and POST /api/v1/intake, as API.md describes them."""

import pytest
import sqlalchemy as sa

from app.barcodes import is_valid_ean13
from app.extensions import db
from app.models import AuditEvent, Book, Copy, Donation, LabelQueueItem, Role, utcnow
from tests.support.providers import (
    OPENL_HOST,
    block_network,  # noqa: F401
    needs_recordings,
    recording,
    web,  # noqa: F401
)


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    return web


@pytest.fixture
def api(client, make_member):
    """A volunteer's bearer-token API client (English messages)."""
    from app.accounts.services import issue_token

    member = make_member(Role.VOLUNTEER, email="vol@example.com", password=None)
    token, _stored = issue_token(member, days=1, now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}

    class Api:
        volunteer = member

        def get(self, path):
            return client.get(path, headers=headers)

        def post(self, path, body=None, **kw):
            return client.post(path, headers=headers, json=body, **kw)

    return Api()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert set(response.json) == {"error"}
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


# ---------------------------------------------------------------------------
# GET /api/v1/isbn/<raw>
# ---------------------------------------------------------------------------


def test_isbn_of_a_korean_book_with_add_on(api):
    response = api.get("/api/v1/isbn/979116224309194000")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"isbn13", "isbn10", "hyphenated", "addon", "group", "book",
                         "metadata", "source"}
    assert body["isbn13"] == "9791162243091" and body["isbn10"] is None
    assert body["hyphenated"] == "979-11-6224-309-1" and body["group"] == "Korea, Republic"
    assert body["addon"]["code"] == "94000"
    assert body["addon"]["reader_group_label"] == "Specialist"
    assert body["addon"]["form_label"] == "Complete works / series"
    assert body["addon"]["kdc_class_label"] == "General works"
    assert body["book"] is None and body["metadata"] is None and body["source"] is None


def test_isbn_10_with_hyphens_of_our_book(api, make_book):
    book = make_book(isbn13="9780316030571", title="Use of Weapons")
    body = api.get("/api/v1/isbn/0-316-03057-0").json
    assert body["isbn13"] == "9780316030571" and body["isbn10"] == "0316030570"
    assert body["source"] == "catalog" and body["book"]["id"] == book.id
    assert body["metadata"]["title"] == "Use of Weapons"


@pytest.mark.parametrize(
    ("raw", "isbn13", "isbn10", "group"),
    [
        ("89-6077-083-3", "9788960770836", "8960770833", "Korea, Republic"),
        ("9788960770836", "9788960770836", "8960770833", "Korea, Republic"),
        (" 979 11 6224 309 1 ", "9791162243091", None, "Korea, Republic"),
        ("９７９１１６１７５０７１２", "9791161750712", None, "Korea, Republic"),
        ("098020044x", "9780980200447", "098020044X", "English language"),
        ("9781782276340", "9781782276340", "1782276343", "English language"),
        ("2-07-037904-3", "9782070379040", "2070379043", "French language"),
    ],
)
def test_isbn_accepts_what_scanners_and_people_type(api, raw, isbn13, isbn10, group):
    response = api.get(f"/api/v1/isbn/{raw}")
    assert response.status_code == 200, response.json
    assert (response.json["isbn13"], response.json["isbn10"], response.json["group"]) == (
        isbn13, isbn10, group)
    assert response.json["addon"] is None


@needs_recordings
def test_isbn_from_a_provider_then_the_cache(api, web):  # noqa: F811
    web.route(OPENL_HOST, recording("openl_9780316030571.json"))
    body = api.get("/api/v1/isbn/9780316030571").json
    assert body["source"] == "openl" and body["metadata"]["title"] == "Use of Weapons"
    assert body["metadata"]["authors"] == ["Iain M. Banks"] and body["book"] is None
    web.offline()
    body = api.get("/api/v1/isbn/9780316030571").json
    assert body["source"] == "cache" and body["metadata"]["provider"] == "openl"


@pytest.mark.parametrize("raw", ["9788960770837", "9771234567003", "2010000000014", "abc",
                                 "8801234567893", "１２３"])
def test_invalid_isbn_is_400(api, raw):
    assert_error(api.get(f"/api/v1/isbn/{raw}"), 400, "invalid_isbn")


def test_isbn_needs_a_volunteer(client, login_as):
    assert_error(client.get("/api/v1/isbn/9780316030571"), 401, "authentication_required")
    login_as(Role.MEMBER, password=None, locale="en")
    assert_error(client.get("/api/v1/isbn/9780316030571"), 403, "forbidden")


# ---------------------------------------------------------------------------
# POST /api/v1/intake
# ---------------------------------------------------------------------------


def test_intake_of_a_known_book(api, make_book, make_member, make_campaign):
    campaign = make_campaign(is_default=True)
    donor = make_member(Role.MEMBER, name="Donor Han", password=None)
    book = make_book(isbn13="9780316030571", title="Use of Weapons")
    response = api.post("/api/v1/intake", {"scan": "9780316030571",
                                           "donor_card": donor.card_barcode})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["book"]["id"] == book.id and body["created_book"] is False
    assert body["copy"]["barcode"].startswith("201") and is_valid_ean13(body["copy"]["barcode"])
    assert body["donation"]["donor"]["id"] == donor.id
    assert body["donation"]["campaign_id"] == campaign.id  # the default campaign
    assert body["donation"]["received_by_id"] == api.volunteer.id
    assert body["donation"]["copies"] == 1 and body["duplicate"] is False
    copy = db.session.scalar(sa.select(Copy))
    assert copy.created_by_id == api.volunteer.id and copy.donation.donor_id == donor.id
    assert count(LabelQueueItem) == 1


def test_intake_of_an_unknown_isbn_needs_metadata(api):
    response = api.post("/api/v1/intake", {"scan": "979116224309194000", "anonymous": True})
    assert_error(response, 422, "metadata_required")
    assert count(Book) == 0 and count(Copy) == 0 and count(Donation) == 0
    response = api.post("/api/v1/intake", {
        "scan": "979116224309194000", "anonymous": True,
        "metadata": {"title": "코틀린 인 액션", "authors": ["드미트리 제메로프", "오현석"],
                     "publisher": "에이콘", "year": 2017, "language": "ko"}})
    assert response.status_code == 201, response.json
    book = response.json["book"]
    assert book["title"] == "코틀린 인 액션" and book["authors"] == ["드미트리 제메로프", "오현석"]
    assert book["addon"]["code"] == "94000" and book["kdc_class"] == "0"
    assert response.json["donation"]["anonymous"] is True
    assert response.json["donation"]["donor"] is None


def test_intake_complete_later_and_no_isbn(api):
    later = api.post("/api/v1/intake", {"scan": "9791162243091", "complete_later": True})
    assert later.status_code == 201 and later.json["book"]["needs_metadata"] is True
    no_isbn = api.post("/api/v1/intake", {"metadata": {"title": "마을 문집"}})
    assert no_isbn.status_code == 201 and no_isbn.json["book"]["isbn13"] is None
    # Both went into the same donation (the volunteer's current one).
    assert later.json["donation"]["id"] == no_isbn.json["donation"]["id"]
    assert no_isbn.json["donation"]["copies"] == 2


def test_intake_double_scan_answers_200_with_the_same_copy(api, make_book):
    make_book(isbn13="9780316030571")
    first = api.post("/api/v1/intake", {"scan": "9780316030571"})
    second = api.post("/api/v1/intake", {"scan": "9780316030571"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.json["duplicate"] is True
    assert second.json["copy"]["barcode"] == first.json["copy"]["barcode"]
    forced = api.post("/api/v1/intake", {"scan": "9780316030571", "force": True})
    assert forced.status_code == 201 and count(Copy) == 2


def test_copy_barcodes_are_unique_valid_201(api, make_book):
    from app.intake.triage import TriageRules, set_triage_rules

    set_triage_rules(TriageRules(copy_cap=0), by=api.volunteer, now=utcnow())  # no cap
    db.session.commit()
    make_book(isbn13="9780316030571")
    barcodes = {api.post("/api/v1/intake", {"scan": "9780316030571", "force": True}
                         ).json["copy"]["barcode"] for _ in range(8)}
    assert len(barcodes) == 8
    assert all(len(b) == 13 and b.startswith("201") and is_valid_ean13(b) for b in barcodes)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid_input"),
        ({"scan": 9780316030571}, 400, "invalid_input"),
        ({"scan": "9780316030572"}, 400, "invalid_isbn"),
        ({"scan": "9771234567003"}, 400, "invalid_isbn"),
        ({"scan": "x" * 65}, 400, "invalid_input"),
        ({"scan": "9791162243091", "metadata": {"title": ""}}, 400, "invalid_input"),
        ({"scan": "9791162243091", "metadata": {"title": "T", "year": 3000}}, 400,
         "invalid_input"),
        ({"scan": "9791162243091", "metadata": {"title": "T", "authors": [1]}}, 400,
         "invalid_input"),
        ({"scan": "9791162243091", "metadata": "title"}, 400, "invalid_input"),
        ({"scan": "9791162243091", "metadata": {"title": "T" * 501}}, 400, "invalid_input"),
        ({"scan": "9791162243091", "anonymous": "yes"}, 400, "invalid_input"),
        ({"scan": "9791162243091", "campaign_id": "1"}, 400, "invalid_input"),
        ({"scan": "9791162243091", "campaign_id": 999}, 404, "unknown_campaign"),
        ({"scan": "9791162243091", "donor_card": "2029999999990"}, 404, "unknown_member"),
        ({"scan": "9791162243091", "donor_card": "2020000000013", "anonymous": True}, 400,
         "invalid_input"),
    ],
)
def test_intake_validates_every_field(api, body, status, code):
    assert_error(api.post("/api/v1/intake", body), status, code)
    assert count(Book) == 0 and count(Copy) == 0 and count(Donation) == 0


def test_intake_not_json(api):
    assert_error(api.post("/api/v1/intake", data="scan=1", content_type="text/plain"), 400,
                 "invalid_json")


def test_intake_a_closed_campaign_is_refused(api, make_campaign):
    campaign = make_campaign(is_active=False)
    response = api.post("/api/v1/intake", {"scan": "9791162243091", "complete_later": True,
                                           "campaign_id": campaign.id})
    assert_error(response, 409, "campaign_closed")


def test_intake_failure_leaves_no_half_written_records(api, copy_audit_fails):
    response = api.post("/api/v1/intake", {"scan": "9791162243091",
                                           "metadata": {"title": "Will fail"}})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"
    assert count(Book) == 0 and count(Copy) == 0 and count(Donation) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action.in_(["book.create", "donation.create"]))) == 0


def test_intake_needs_a_volunteer(client, login_as):
    assert_error(client.post("/api/v1/intake", json={"scan": "9780316030571"}), 401,
                 "authentication_required")
    login_as(Role.MEMBER, password=None, locale="en")
    assert_error(client.post("/api/v1/intake", json={"scan": "9780316030571"}), 403,
                 "forbidden")
