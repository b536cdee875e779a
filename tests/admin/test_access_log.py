"""The access log of member data: who viewed or exported whose data, kept a year."""

from datetime import timedelta

import sqlalchemy as sa

from app.admin.accesslog import PREFIX, RETENTION, log_access, purge_access_log
from app.extensions import db
from app.models import AuditEvent, Role, utcnow


def _entries(what: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action.startswith(PREFIX))
    if what:
        query = query.where(AuditEvent.action == PREFIX + what)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_viewing_a_member_page_is_logged_with_who_whose_what_when_request_id(
        client, login_as, make_member):
    subject = make_member(name="김민지")
    coordinator = login_as(Role.COORDINATOR)
    before = utcnow()
    response = client.get(f"/admin/members/{subject.id}", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    [entry] = _entries("member_view")
    assert entry.actor_id == coordinator.id
    assert (entry.entity, entry.entity_id) == ("member", subject.id)
    assert entry.at >= before
    assert entry.details["request_id"] == "req-1"


def test_staff_download_of_a_members_data_is_logged(client, login_as, make_member):
    subject = make_member(name="Emma Wilson", email="emma@example.com")
    login_as(Role.COORDINATOR)
    response = client.get(f"/admin/members/{subject.id}/data.json")
    assert response.status_code == 200
    assert response.json["member"]["email"] == "emma@example.com"
    assert response.headers["Cache-Control"] == "no-store"
    [entry] = _entries("member_data")
    assert entry.entity_id == subject.id
    assert entry.details["request_id"] == response.headers["X-Request-ID"]


def test_member_list_exports_and_overdue_pages_are_logged(client, login_as, make_member):
    make_member()
    login_as(Role.COORDINATOR)
    assert client.get("/admin").status_code == 200
    assert client.get("/admin/deletions").status_code == 200
    assert client.get("/admin/export/members.csv").status_code == 200
    assert client.get("/admin/export/loans.csv").status_code == 200
    assert client.get("/admin/export/catalog.csv").status_code == 200
    assert client.get("/desk/overdue").status_code == 200
    assert client.get("/desk/overdue/letters").status_code == 200
    kinds = [e.action.removeprefix(PREFIX) for e in _entries()]
    assert kinds == ["member_list", "member_list", "export_members", "export_loans",
                     "overdue_list", "overdue_letters"]
    # The catalogue holds no personal data: an ordinary audit event, not the access log.
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.catalog"))


def test_a_members_own_pages_are_not_in_the_access_log(client, login_as):
    login_as(Role.MEMBER)
    assert client.get("/me").status_code == 200
    assert client.get("/me/data.json").status_code == 200
    assert _entries() == []


def test_coordinators_read_the_log_others_may_not(client, login_as, make_member):
    subject = make_member(name="최수아")
    other = make_member(name="Someone Else")
    coordinator = login_as(Role.COORDINATOR, name="박지은", locale="en")
    client.get(f"/admin/members/{subject.id}", headers={"X-Request-ID": "req-subject"})
    client.get(f"/admin/members/{other.id}", headers={"X-Request-ID": "req-other"})
    page = client.get("/admin/access-log")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "req-subject" in text and "req-other" in text and "박지은" in text
    assert "Viewed a member&#39;s page" in text or "Viewed a member's page" in text
    only = client.get(f"/admin/access-log?member={subject.id}").get_data(as_text=True)
    assert "req-subject" in only and "req-other" not in only
    assert coordinator.id

    for role in (Role.VOLUNTEER, Role.MEMBER):
        with client.session_transaction() as session:
            session.clear()
        login_as(role)
        assert client.get("/admin/access-log").status_code == 403


def test_entries_older_than_a_year_are_purged_at_write_time(app, make_member):
    coordinator = make_member(Role.COORDINATOR)
    subject = make_member()
    now = utcnow()
    old = log_access("member_view", actor=coordinator, member=subject,
                     now=now - RETENTION - timedelta(minutes=1))
    kept = log_access("member_view", actor=coordinator, member=subject,
                      now=now - RETENTION + timedelta(minutes=1))
    other = AuditEvent(action="member.role", actor_id=coordinator.id,
                       at=now - timedelta(days=800))
    db.session.add(other)
    db.session.commit()
    old_id, kept_id, other_id = old.id, kept.id, other.id
    log_access("member_list", actor=coordinator, now=now)
    db.session.commit()
    ids = {e.id for e in _entries()}
    assert old_id not in ids and kept_id in ids
    assert db.session.get(AuditEvent, other_id) is not None  # the audit trail stays
    # A year and two minutes later, the second one goes too (fixed clock).
    assert purge_access_log(now=now + timedelta(minutes=2)) == 1
    db.session.commit()
    assert kept_id not in {e.id for e in _entries()}


def test_purge_access_log_command(app, runner, make_member):
    coordinator = make_member(Role.COORDINATOR)
    log_access("export_members", actor=coordinator, now=utcnow() - timedelta(days=2))
    # Written directly: log_access would purge it at once.
    db.session.add(AuditEvent(action=PREFIX + "export_members", actor_id=coordinator.id,
                              at=utcnow() - timedelta(days=400)))
    db.session.commit()
    result = runner.invoke(args=["library", "purge-access-log"])
    assert result.exit_code == 0, result.output
    assert "1 access-log entry older than a year deleted." in result.output
    assert len(_entries()) == 1
