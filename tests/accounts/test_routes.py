"""Register, log in, log out, language: the pages and what they store."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, LoginAttempt, Member, Role
from tests.conftest import PASSWORD


def _register(client, token, **overrides):
    data = {
        "csrf_token": token, "name": "홍길동", "email": "Gildong@Example.com",
        "phone": "010-1234-5678", "password": "long enough pw", "confirm": "long enough pw",
        "locale": "ko", "privacy": "y",
    }
    data.update(overrides)
    return client.post("/register", data=data)


def test_register_creates_a_member_with_a_card_and_logs_in(client, csrf_token):
    response = _register(client, csrf_token("/register"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    member = db.session.scalar(sa.select(Member))
    assert member.email == "gildong@example.com"
    assert member.role == Role.MEMBER
    assert member.card_barcode.startswith("202") and len(member.card_barcode) == 13
    assert member.password_hash and "long enough pw" not in member.password_hash
    assert member.privacy_accepted_at is not None
    page = client.get("/me").get_data(as_text=True)
    assert member.card_barcode in page


def test_register_refuses_bad_input_with_messages(client, csrf_token):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token("/register")
    cases = [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"password": "short", "confirm": "short"}, "Use between 8 and 200 characters."),
        ({"confirm": "different pw"}, "The passwords differ."),
        ({"privacy": ""}, "Please agree to continue."),
        ({"phone": "call me maybe"}, "Use digits, spaces, + and - only."),
    ]
    for overrides, message in cases:
        response = _register(client, token, **overrides)
        assert response.status_code == 400, overrides
        assert message in response.get_data(as_text=True), overrides
    assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0


def test_register_english_messages(client, csrf_token):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    token = csrf_token("/register")
    response = _register(client, token, name="")
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_register_duplicate_email(client, csrf_token, make_member):
    make_member(email="gildong@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = _register(client, csrf_token("/register"))
    assert response.status_code == 400
    assert "An account with this email address already exists." in response.get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 1


def test_forms_need_csrf(client, make_member):
    make_member(email="a@example.com")
    response = client.post("/login", data={"email": "a@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/me").status_code == 302


def test_login_and_safe_next(client, csrf_token, make_member):
    make_member(Role.COORDINATOR, email="c@example.com")
    token = csrf_token("/login")
    response = client.post("/login?next=/admin", data={
        "csrf_token": token, "email": "C@example.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"
    assert client.get("/admin").status_code == 200


def test_login_ignores_offsite_next(client, csrf_token, make_member):
    make_member(email="m@example.com")
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"):
        token = csrf_token("/login")
        response = client.post(f"/login?next={target}", data={
            "csrf_token": token, "email": "m@example.com", "password": PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": csrf_token("/")})


def test_login_wrong_password_and_unknown_email(client, csrf_token, make_member):
    make_member(email="m@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token("/login")
    for email, password in (("m@example.com", "wrong password"), ("nobody@x.test", PASSWORD),
                            ("", ""), ("m@example.com", "x" * 201)):
        response = client.post("/login", data={
            "csrf_token": token, "email": email, "password": password})
        assert response.status_code in (400, 401), email
        body = response.get_data(as_text=True)
        assert ("The email address or password is not correct." in body
                or "This field is required." in body
                or "Field cannot be longer" in body), body


def test_login_is_throttled_per_account(client, csrf_token, make_member):
    make_member(email="m@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token("/login")
    for _ in range(5):
        client.post("/login", data={"csrf_token": token, "email": "m@example.com",
                                    "password": "wrong password"})
    response = client.post("/login", data={"csrf_token": token, "email": "m@example.com",
                                           "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 10


def test_deactivated_member_cannot_log_in(client, csrf_token, make_member):
    member = make_member(email="m@example.com")
    member.active = False
    db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={
        "csrf_token": csrf_token("/login"), "email": "m@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(client, login_as, csrf_token):
    login_as(Role.MEMBER)
    assert client.get("/logout").status_code == 200  # a confirmation page, not a logout
    assert client.get("/me").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token("/")})
    assert response.status_code == 302
    assert client.get("/me").status_code == 302


def test_language_switch_is_remembered_on_the_account(client, login_as, csrf_token):
    member = login_as(Role.MEMBER, locale="ko")
    assert "내 페이지" in client.get("/me").get_data(as_text=True)
    response = client.post("/lang", data={"csrf_token": csrf_token("/"), "lang": "en",
                                          "next": "/me"})
    assert response.headers["Location"] == "/me"
    assert "My page" in client.get("/me").get_data(as_text=True)
    db.session.refresh(member)
    assert member.locale == "en"


def test_korean_by_default_and_english_for_english_browsers(client):
    assert "로그인" in client.get("/login").get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.8"
    assert ">Log in<" in client.get("/login").get_data(as_text=True)


def test_settings_change_and_password_change(client, login_as, csrf_token):
    member = login_as(Role.MEMBER)
    token = csrf_token("/me/settings")
    response = client.post("/me/settings", data={
        "csrf_token": token, "name": "  새 이름 ", "phone": "", "locale": "en",
        "keep_history": "y"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.name, member.locale, member.keep_history) == ("새 이름", "en", True)
    response = client.post("/me/password", data={
        "csrf_token": token, "pw-current": PASSWORD, "pw-password": "a brand new pw",
        "pw-confirm": "a brand new pw"})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200  # this session survives the rotation
    db.session.refresh(member)
    assert member.check_password("a brand new pw")


def test_a_password_change_revokes_the_api_tokens(app, client, login_as, csrf_token):
    """Issue 17: other sessions ended, but a token made with the old password stayed valid."""
    from app.accounts.services import issue_token
    from app.models import ApiToken, utcnow

    member = login_as(Role.MEMBER)
    raws = [issue_token(member, days=30, now=utcnow())[0] for _ in range(2)]
    db.session.commit()
    other_session = app.test_client()
    with other_session.session_transaction() as session:
        session["_user_id"] = member.get_id()
    for raw in raws:
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}
                          ).status_code == 200
    response = client.post("/me/password", data={
        "csrf_token": csrf_token("/me/settings"), "pw-current": PASSWORD,
        "pw-password": "a brand new pw", "pw-confirm": "a brand new pw"})
    assert response.status_code == 302
    for raw in raws:
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401, raw
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))
                             .where(ApiToken.revoked_at.is_(None))) == 0
    assert client.get("/me").status_code == 200  # this session goes on
    assert other_session.get("/me").status_code == 302  # another one ended


def test_a_wrong_current_password_revokes_nothing(client, login_as, csrf_token):
    from app.accounts.services import issue_token
    from app.models import utcnow

    member = login_as(Role.MEMBER)
    raw, token = issue_token(member, days=30, now=utcnow())
    db.session.commit()
    response = client.post("/me/password", data={
        "csrf_token": csrf_token("/me/settings"), "pw-current": "not my password",
        "pw-password": "a brand new pw", "pw-confirm": "a brand new pw"})
    assert response.status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}
                      ).status_code == 200


def test_sessions_end_when_the_account_is_deactivated(client, login_as):
    member = login_as(Role.MEMBER)
    assert client.get("/me").status_code == 200
    member.active = False
    member.rotate_session()
    db.session.commit()
    assert client.get("/me").status_code == 302


def test_registration_is_audited(client, csrf_token):
    _register(client, csrf_token("/register"))
    event = db.session.scalar(sa.select(AuditEvent))
    assert event.action == "member.create"


def test_settings_list_api_tokens_and_revoke_one(client, login_as, csrf_token):
    from app.accounts.services import issue_token
    from app.models import ApiToken, utcnow

    member = login_as(Role.MEMBER)
    raw, token = issue_token(member, days=30, now=utcnow())
    _, kept = issue_token(member, days=30, now=utcnow())
    db.session.commit()
    page = client.get("/me/settings").get_data(as_text=True)
    assert 'data-testid="api-tokens"' in page
    assert f'/me/tokens/{token.id}/revoke' in page
    assert raw not in page and token.token_hash not in page  # never the token itself
    # Without the CSRF token the form is refused.
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 400
    response = client.post(f"/me/tokens/{token.id}/revoke",
                           data={"csrf_token": csrf_token("/me/settings")})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/settings")
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}
                      ).status_code == 401
    page = client.get("/me/settings").get_data(as_text=True)
    assert f'/me/tokens/{token.id}/revoke' not in page
    assert f'/me/tokens/{kept.id}/revoke' in page
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 2


def test_a_member_cannot_revoke_another_members_token(client, login_as, make_member,
                                                       csrf_token):
    from app.accounts.services import issue_token
    from app.models import utcnow

    other = make_member()
    _, token = issue_token(other, days=30, now=utcnow())
    db.session.commit()
    login_as(Role.COORDINATOR)
    response = client.post(f"/me/tokens/{token.id}/revoke",
                           data={"csrf_token": csrf_token("/me/settings")})
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None



def _autocomplete(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html).group(0)
    found = re.search(r'\bautocomplete="([^"]*)"', tag)
    return found.group(1) if found else None


def test_password_fields_tell_the_browser_what_they_hold(client, login_as):
    """A password manager fills the login and saves a new password, not the other way round."""
    login_page = client.get("/login").get_data(as_text=True)
    assert _autocomplete(login_page, "email") == "username"
    assert _autocomplete(login_page, "password") == "current-password"
    register = client.get("/register").get_data(as_text=True)
    assert _autocomplete(register, "password") == "new-password"
    assert _autocomplete(register, "confirm") == "new-password"
    login_as(Role.MEMBER)
    settings = client.get("/me/settings").get_data(as_text=True)
    assert _autocomplete(settings, "pw-current") == "current-password"
    assert _autocomplete(settings, "pw-password") == "new-password"
