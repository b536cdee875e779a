"""A member downloads their data and asks for deletion; statistics survive the deletion."""

import json
from datetime import date, timedelta

import sqlalchemy as sa

from app.accounts.privacy import anonymise
from app.core.defaults import default_site
from app.extensions import db
from app.models import AuditEvent, Donation, Hold, HoldStatus, Loan, Member, Role, utcnow


def _history(member, make_copy, make_campaign):
    campaign = make_campaign(name="기증 캠페인")
    site = default_site()
    donation = Donation(donor_id=member.id, campaign_id=campaign.id, site_id=site.id)
    db.session.add(donation)
    db.session.flush()
    copy = make_copy(donation_id=donation.id)
    now = utcnow()
    db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=site.id,
                        checked_out_at=now - timedelta(days=20), due_on=date.today(),
                        returned_at=now - timedelta(days=3), borrower_key="k1"))
    db.session.add(Hold(book_id=copy.book_id, member_id=member.id, site_id=site.id))
    db.session.commit()
    return campaign, copy


def test_member_downloads_their_data(client, login_as, make_copy, make_campaign):
    member = login_as(Role.MEMBER, name="김민지", keep_history=True)
    _campaign, copy = _history(member, make_copy, make_campaign)
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["member"]["name"] == "김민지"
    assert data["loans"][0]["title"] == copy.book.title
    assert data["donations"][0]["campaign"] == "기증 캠페인"
    assert data["holds"][0]["status"] == "waiting"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.export"))


def test_deletion_request_then_coordinator_completes_it(
        client, login_as, make_member, make_copy, make_campaign, csrf_token):
    member = login_as(Role.MEMBER, name="삭제요청", email="bye@example.com", phone="010-1111-2222")
    _history(member, make_copy, make_campaign)
    response = client.post("/me/delete", data={"csrf_token": csrf_token("/me/settings"),
                                               "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.deletion_requested_at is not None

    loans_before = db.session.scalar(sa.select(sa.func.count(Loan.id)))
    donors_before = db.session.scalar(sa.select(sa.func.count(sa.distinct(Donation.donor_id))))

    coordinator = make_member(Role.COORDINATOR)
    with client.session_transaction() as session:
        session["_user_id"] = coordinator.get_id()
    page = client.get("/admin/deletions").get_data(as_text=True)
    assert "삭제요청" in page
    response = client.post(f"/admin/members/{member.id}/anonymise",
                           data={"csrf_token": csrf_token("/admin")})
    assert response.status_code == 302

    db.session.expire_all()
    shell = db.session.get(Member, member.id)
    assert shell.anonymised_at is not None
    for personal in (shell.email, shell.phone, shell.password_hash):
        assert personal is None
    assert shell.name == "-" and not shell.card_barcode.startswith("202")
    # Statistics are unchanged: same loans, same distinct donors, the hold is cancelled.
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == loans_before
    assert db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Donation.donor_id)))) == donors_before
    assert db.session.scalar(sa.select(Hold.status)) == HoldStatus.CANCELLED
    # Nothing left that names the person.
    dump = json.dumps([str(v) for row in db.session.execute(sa.select(Member)).all()
                       for v in row[0].__dict__.values()], ensure_ascii=False)
    assert "삭제요청" not in dump and "bye@example.com" not in dump and "1111" not in dump
    assert "삭제요청" not in client.get("/admin?q=삭제").get_data(as_text=True)


def test_deletion_needs_confirmation(client, login_as, csrf_token):
    member = login_as(Role.MEMBER)
    client.post("/me/delete", data={"csrf_token": csrf_token("/me/settings")})
    db.session.refresh(member)
    assert member.deletion_requested_at is None


def test_the_last_coordinator_cannot_be_anonymised(app, make_member):
    coordinator = make_member(Role.COORDINATOR)
    import pytest

    from app.errors import LastCoordinator

    with pytest.raises(LastCoordinator):
        anonymise(coordinator, by=coordinator)
