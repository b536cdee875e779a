"""API tokens, /api/v1/me and the JSON error shape."""

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, Role, utcnow
from tests.conftest import PASSWORD


def _token(client, email):
    response = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return response.json["token"]


def test_token_then_me(client, make_member):
    member = make_member(Role.VOLUNTEER, email="v@example.com")
    response = client.post("/api/v1/tokens", json={"email": "v@example.com",
                                                    "password": PASSWORD})
    assert response.status_code == 201
    assert set(response.json) == {"token", "expires_at"}
    assert "+00:00" in response.json["expires_at"]
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.token_hash != response.json["token"]  # only the hash is kept
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.status_code == 200
    assert me.json == {"id": member.id, "name": member.name, "email": "v@example.com",
                       "role": "volunteer", "card": member.card_barcode, "locale": "ko"}


def test_bearer_token_wins_over_a_session_cookie(client, make_member, login_as):
    make_member(email="other@example.com")
    login_as(Role.COORDINATOR)
    token = _token(client, "other@example.com")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == "other@example.com"


def test_expired_or_revoked_token_is_refused(client, make_member):
    make_member(email="m@example.com")
    token = _token(client, "m@example.com")
    stored = db.session.scalar(sa.select(ApiToken))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_token"
    stored.expires_at = utcnow() + timedelta(days=1)
    stored.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401


def test_no_credentials_is_401_with_the_error_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "authentication_required"
    assert response.json["error"]["message"]


def test_token_bad_input(client, make_member):
    make_member(email="m@example.com")
    cases = [
        (dict(data="not json", content_type="text/plain"), 400, "invalid_json"),
        (dict(data="{broken", content_type="application/json"), 400, "invalid_json"),
        (dict(json=["a", "list"]), 400, "invalid_json"),
        (dict(json={}), 400, "invalid_input"),
        (dict(json={"email": 5, "password": "x"}), 400, "invalid_input"),
        (dict(json={"email": "m@example.com", "password": "x" * 201}), 400, "invalid_input"),
        (dict(json={"email": "m@example.com", "password": "wrong"}), 401,
         "invalid_credentials"),
    ]
    for kwargs, status, code in cases:
        response = client.post("/api/v1/tokens", **kwargs)
        assert response.status_code == status, (kwargs, response.json)
        assert response.json["error"]["code"] == code


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_cookie_session_writes_need_csrf(client, login_as, make_member):
    make_member(email="x@example.com")
    login_as(Role.MEMBER)
    # POST /api/v1/tokens is exempt (it is a login); other writes need the token.
    response = client.post("/api/v1/tokens", json={"email": "x@example.com",
                                                   "password": PASSWORD})
    assert response.status_code == 201


def test_health_and_server_timing(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Server-Timing"].startswith("app;dur=")


def test_delete_current_token_revokes_it(client, make_member):
    make_member(email="m@example.com")
    token = _token(client, "m@example.com")
    other = _token(client, "m@example.com")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    response = client.delete("/api/v1/tokens/current", headers=bearer)
    assert response.status_code == 204
    refused = client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "invalid_token"
    assert client.delete("/api/v1/tokens/current", headers=bearer).status_code == 401
    # The member's other token still works.
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}
                      ).status_code == 200


def test_delete_token_by_id_only_for_its_owner(client, make_member):
    owner = make_member(email="owner@example.com")
    make_member(email="probe@example.com")
    token = _token(client, "owner@example.com")
    probe = _token(client, "probe@example.com")
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.member_id == owner.id))
    refused = client.delete(f"/api/v1/tokens/{stored.id}",
                            headers={"Authorization": f"Bearer {probe}"})
    assert refused.status_code == 404
    assert refused.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 200
    assert client.delete(f"/api/v1/tokens/{stored.id}",
                         headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    db.session.refresh(stored)
    assert stored.revoked_at is not None


def test_delete_current_token_needs_a_token(client, login_as, csrf_token):
    login_as(Role.MEMBER)
    response = client.delete("/api/v1/tokens/current", headers={"X-CSRFToken": csrf_token()})
    assert response.status_code == 400
    assert client.delete("/api/v1/tokens/current").status_code == 400  # no CSRF token


def test_token_use_is_tracked_to_the_minute(client, make_member):
    make_member(email="m@example.com")
    token = _token(client, "m@example.com")
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.last_used_at is None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    db.session.refresh(stored)
    assert stored.last_used_at is not None
