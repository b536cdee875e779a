"""Every JSON body goes through one reader: hostile bodies and huge numbers are a 400, never 500.

(Issue 17: `'[' * 50000 + ']' * 50000` used to reach Python's recursive JSON parser through
`request.get_json` and come back as a 500.)
"""

import pytest

from app.accounts.services import issue_token
from app.core.jsonbody import MAX_BYTES, MAX_DEPTH, depth
from app.extensions import db
from app.models import Role, utcnow

HUGE = 10**30  # past a 64-bit integer
# Every API endpoint that reads a JSON body, the role it needs, and a body it would accept
# (or refuse for a reason that is not the body's shape).
WRITES = {
    "/api/v1/tokens": (None, {"email": "someone@example.com", "password": "secret"}),
    "/api/v1/intake": (Role.VOLUNTEER, {"scan": "9788983920775"}),
    "/api/v1/checkouts": (Role.VOLUNTEER, {"member_card": "2020000000013",
                                           "copy_barcode": "2010000000014"}),
    "/api/v1/checkins": (Role.VOLUNTEER, {"copy_barcode": "2010000000014"}),
    "/api/v1/holds": (Role.MEMBER, {"book_id": 1}),
    "/api/v1/campaigns": (Role.COORDINATOR, {"name": "Spring", "starts_on": "2027-03-01"}),
    "/api/v1/labels": (Role.VOLUNTEER, {"copies": ["2010000000014"]}),
}
# Each endpoint's fields that hold a whole number (or where one could be sent instead of text).
NUMBERS = {
    "/api/v1/tokens": ["email", "password"],
    "/api/v1/intake": ["campaign_id", "scan", "donor_card"],
    "/api/v1/checkouts": ["member_card", "copy_barcode"],
    "/api/v1/checkins": ["copy_barcode"],
    "/api/v1/holds": ["book_id"],
    "/api/v1/campaigns": ["goal_books", "name"],
    "/api/v1/labels": ["template", "start_at", "copies"],
}


@pytest.fixture
def post(client, make_member):
    """post(path, **kwargs): POST with a bearer token of the role the endpoint needs."""
    tokens = {}

    def send(path, **kwargs):
        role = WRITES[path][0]
        headers = {}
        if role is not None:
            if role not in tokens:
                tokens[role], _stored = issue_token(make_member(role), days=1, now=utcnow())
                db.session.commit()
            headers["Authorization"] = f"Bearer {tokens[role]}"
        headers["Accept-Language"] = "en"
        return client.post(path, headers=headers, **kwargs)

    return send


def _refused(response, code="invalid_json"):
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]["message"]


def _nested(levels: int, leaf=None) -> str:
    return "[" * levels + ("" if leaf is None else leaf) + "]" * levels


@pytest.mark.parametrize("path", WRITES)
def test_a_deeply_nested_body_is_invalid_json_not_a_500(post, path):
    bomb = _nested(50_000)
    _refused(post(path, data=bomb, content_type="application/json"))


@pytest.mark.parametrize("path", WRITES)
def test_nesting_past_the_bound_is_refused_within_an_object(post, path):
    body = dict(WRITES[path][1])
    name = next(iter(body))
    too_deep = '{"%s": %s}' % (name, _nested(MAX_DEPTH, '"x"'))  # noqa: UP031
    message = _refused(post(path, data=too_deep, content_type="application/json"))
    assert "nested too deeply" in message
    # At the bound itself the body is read (and then refused for its field's type).
    at_bound = '{"%s": %s}' % (name, _nested(MAX_DEPTH - 1, '"x"'))  # noqa: UP031
    _refused(post(path, data=at_bound, content_type="application/json"), "invalid_input")


@pytest.mark.parametrize("path", WRITES)
def test_a_body_over_the_size_limit_is_refused(post, path):
    body = dict(WRITES[path][1])
    name = next(iter(body))
    body[name] = "x" * (MAX_BYTES + 1)
    message = _refused(post(path, json=body))
    assert "too large" in message


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("raw", [b"", b"{broken", b"[1, 2]", b'"text"', b"NaN", b'{"a": 1e400}',
                                 b'{"a": "\\ud800"}', b"\xff\xfe{}", b'{"a": 1} x'])
def test_not_a_json_object(post, path, raw):
    _refused(post(path, data=raw, content_type="application/json"))


@pytest.mark.parametrize("path", WRITES)
def test_not_json_at_all(post, path):
    _refused(post(path, data="a=1", content_type="application/x-www-form-urlencoded"))


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in NUMBERS.items()
                                            for n in names])
@pytest.mark.parametrize("number", [HUGE, -HUGE, 2**63, 2**64, 1e300, -(2**63) - 1])
def test_numbers_past_64_bits_are_refused(post, path, name, number):
    body = {**WRITES[path][1], name: number}
    response = post(path, json=body)
    assert response.status_code in (400, 422), (body, response.json)
    assert response.json["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("path", WRITES)
def test_a_huge_number_nested_in_a_list_is_refused(post, path):
    body = {**WRITES[path][1], "copies": [HUGE], "metadata": {"title": "T", "year": HUGE}}
    response = post(path, json=body)
    assert response.status_code < 500


def test_intake_metadata_year_past_64_bits(post):
    response = post("/api/v1/intake", json={"scan": "9791162243091",
                                            "metadata": {"title": "T", "year": HUGE}})
    _refused(response, "invalid_input")


@pytest.mark.parametrize("query", [
    f"page={HUGE}", f"per_page={HUGE}", "page=-1", f"page={2**63}", "page=1e3",
    "page=%EF%BC%91",  # a full-width digit one
])
def test_query_numbers_past_their_bounds_are_400(client, query):
    _refused(client.get(f"/api/v1/books?{query}"), "invalid_input")


@pytest.mark.parametrize("path", ["/api/v1/books/new", "/api/v1/books/popular"])
def test_list_limit_past_its_bound_is_400(client, path):
    _refused(client.get(f"{path}?limit={HUGE}"), "invalid_input")


def test_the_label_queue_json_endpoint_uses_the_same_reader(client, login_as, csrf_token):
    """/labels/add (the catalogue's "add to labels" button) reads JSON through it too."""
    login_as(Role.VOLUNTEER, locale="en")
    headers = {"X-CSRFToken": csrf_token("/labels")}
    response = client.post("/labels/add", data=_nested(50_000), content_type="application/json",
                           headers=headers)
    _refused(response)
    response = client.post("/labels/add", json={"copy_ids": [HUGE], "barcodes": []},
                           headers=headers)
    assert response.status_code == 200  # a number that is no copy id is left out


def test_depth_counts_arrays_and_objects():
    assert depth(1) == 0 and depth([]) == 1 and depth({"a": [1, {"b": []}]}) == 4
    assert depth(eval(_nested(MAX_DEPTH + 50))) == MAX_DEPTH + 1  # noqa: S307 (stops early)


def test_refusals_are_in_the_callers_language(client):
    korean = {"Accept-Language": "ko"}
    response = client.post("/api/v1/tokens", json={"password": "x"}, headers=korean)
    assert response.json["error"]["message"] == "'email' 항목은 필수입니다."
    response = client.post("/api/v1/tokens", data=_nested(MAX_DEPTH + 1),
                           content_type="application/json", headers=korean)
    assert response.json["error"]["message"] == "요청 본문의 중첩이 너무 깊습니다(최대 32단계)."
    response = client.get("/api/v1/books?page=0", headers=korean)
    assert response.json["error"]["message"] == "'page' 값은 1부터 10000까지의 정수여야 합니다."
    response = client.get("/api/v1/books?page=0", headers={"Accept-Language": "en"})
    assert response.json["error"]["message"] == (
        "The parameter 'page' must be a whole number from 1 to 10000.")


# Text fields that may be stored or looked up; PostgreSQL refuses U+0000 in text.
TEXTS = {
    "/api/v1/tokens": ["email", "password"],
    "/api/v1/intake": ["scan", "donor_card"],
    "/api/v1/checkouts": ["member_card", "copy_barcode"],
    "/api/v1/checkins": ["copy_barcode"],
    "/api/v1/campaigns": ["name", "description"],
    "/api/v1/labels": ["template", "copies"],
}


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in TEXTS.items() for n in names])
def test_a_nul_character_in_text_is_never_a_500(post, path, name):
    body = {**WRITES[path][1], name: ["2010000000014\x00"] if name == "copies" else "a\x00b"}
    response = post(path, json=body)
    assert response.status_code in (400, 401, 404, 422), (body, response.json)


def test_a_nul_character_in_stored_text_is_refused(post):
    response = post("/api/v1/campaigns", json={"name": "Spring\x00", "starts_on": "2027-03-01"})
    assert "not allowed" in _refused(response, "invalid_input")
    response = post("/api/v1/intake", json={"metadata": {"title": "T\x00"}})
    assert "not allowed" in _refused(response, "invalid_input")
