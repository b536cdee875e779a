"""Coordinators manage members: search, roles, deactivation, passwords, loan rules."""

import sqlalchemy as sa

from app.core.defaults import loan_rules
from app.extensions import db
from app.models import AuditEvent, Member, Role


def test_member_search(client, login_as, make_member):
    login_as(Role.COORDINATOR, name="관리자")
    make_member(name="김민지", email="minji@example.com", phone="010-2222-3333")
    make_member(name="Emma Wilson", email="emma@example.com")
    page = client.get("/admin?q=민지").get_data(as_text=True)
    assert "김민지" in page and "Emma Wilson" not in page
    page = client.get("/admin?q=3333").get_data(as_text=True)
    assert "김민지" in page
    page = client.get("/admin?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "김민지" not in page


def test_change_role_and_audit(client, login_as, make_member, csrf_token):
    coordinator = login_as(Role.COORDINATOR)
    member = make_member()
    token = csrf_token("/admin")
    response = client.post(f"/admin/members/{member.id}/role",
                           data={"csrf_token": token, "role": "volunteer"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.role == Role.VOLUNTEER
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.role"))
    assert event.actor_id == coordinator.id and event.details == {
        "old": "member", "new": "volunteer"}


def test_last_coordinator_cannot_demote_themselves(client, login_as, csrf_token):
    coordinator = login_as(Role.COORDINATOR, locale="en")
    token = csrf_token("/admin")
    response = client.post(f"/admin/members/{coordinator.id}/role",
                           data={"csrf_token": token, "role": "member"}, follow_redirects=True)
    assert "The last active coordinator cannot be removed or demoted." in response.get_data(
        as_text=True)
    db.session.refresh(coordinator)
    assert coordinator.role == Role.COORDINATOR


def test_deactivate_and_reset_password(client, login_as, make_member, csrf_token):
    login_as(Role.COORDINATOR)
    member = make_member()
    token = csrf_token("/admin")
    client.post(f"/admin/members/{member.id}/active", data={"csrf_token": token})
    db.session.refresh(member)
    assert member.active is False
    client.post(f"/admin/members/{member.id}/active", data={"csrf_token": token, "active": "y"})
    db.session.refresh(member)
    assert member.active is True
    response = client.post(f"/admin/members/{member.id}/password", data={"csrf_token": token})
    assert response.status_code == 200
    import re

    password = re.search(r'data-testid="new-password">([^<]+)<', response.get_data(as_text=True))
    db.session.refresh(member)
    assert member.check_password(password.group(1))


def test_a_password_reset_revokes_the_members_api_tokens(client, login_as, make_member,
                                                         csrf_token):
    from app.accounts.services import issue_token
    from app.models import utcnow

    login_as(Role.COORDINATOR)
    member = make_member()
    raw, token = issue_token(member, days=30, now=utcnow())
    db.session.commit()
    response = client.post(f"/admin/members/{member.id}/password",
                           data={"csrf_token": csrf_token("/admin")})
    assert response.status_code == 200
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}
                      ).status_code == 401


def test_new_member_at_the_desk_without_email(client, login_as, csrf_token):
    login_as(Role.COORDINATOR)
    response = client.post("/admin/members/new", data={
        "csrf_token": csrf_token("/admin"), "name": "박할머니", "email": "", "phone": "",
        "role": "member"})
    assert response.status_code == 302
    member = db.session.scalar(sa.select(Member).where(Member.name == "박할머니"))
    assert member.email is None and member.card_barcode.startswith("202")


def test_loan_rules_form(client, login_as, csrf_token):
    login_as(Role.COORDINATOR)
    token = csrf_token("/admin/rules")
    response = client.post("/admin/rules", data={
        "csrf_token": token, "loan_days": "21", "max_renewals": "2", "renewal_days": "7",
        "max_loans": "5", "max_holds": "3", "hold_shelf_days": "5", "renew_overdue_days": "0",
        "overdue_blocks": "y"})
    assert response.status_code == 302
    rules = loan_rules()
    assert (rules.loan_days, rules.max_renewals, rules.max_loans, rules.self_checkout) == (
        21, 2, 5, False)
    response = client.post("/admin/rules", data={
        "csrf_token": token, "loan_days": "0", "renewal_days": "x", "max_loans": "5",
        "hold_shelf_days": "5"})
    assert response.status_code == 400
    assert loan_rules().loan_days == 21
