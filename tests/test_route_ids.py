"""Ids in page and API paths past the database's integer range are 404, never a 500."""

import re

import pytest

from app.models import Role

ID_IN_PATH = re.compile(r"<int(?:\([^)]*\))?:([a-z_]+)>")


def _id_rules(app):
    for rule in app.url_map.iter_rules():
        if ID_IN_PATH.search(rule.rule):
            yield rule


@pytest.mark.parametrize("value", [2**31, 10**20])
def test_huge_ids_are_not_found(app, client, login_as, value):
    """SQLite cannot bind a 20-digit integer and PostgreSQL refuses one past int4."""
    login_as(Role.COORDINATOR)
    for rule in _id_rules(app):
        path = ID_IN_PATH.sub(str(value), rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)  # other parts (such as a file format)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            assert response.status_code < 500, (method, path, response.status_code)
            assert response.status_code in (302, 400, 403, 404, 405), (method, path)


@pytest.mark.parametrize(("value", "status", "code"), [
    (2**31, 404, None),  # past the databases' integers: not found
    (2**63 - 1, 404, None),
    (2**63, 400, "invalid_input"),  # past a 64-bit integer: refused by the declared bounds
    (10**20, 400, "invalid_input"),
])
def test_huge_ids_in_api_bodies_are_not_found(app, client, make_member, value, status, code):
    """Ids inside JSON bodies are checked against the range too."""
    from app.accounts.services import issue_token
    from app.extensions import db
    from app.models import utcnow

    token, _stored = issue_token(make_member(Role.VOLUNTEER), days=1, now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/intake", headers=headers,
                           json={"scan": "9788983920775", "campaign_id": value})
    assert (response.status_code, response.json["error"]["code"]) == (
        status, code or "unknown_campaign")
    response = client.post("/api/v1/labels", headers=headers,
                           json={"copies": ["2010000000014"], "template": value})
    assert (response.status_code, response.json["error"]["code"]) == (
        status, code or "unknown_template")
