"""Campaign pages: who sees what, managing campaigns, moving donations, CSV, /me, PDF."""

import csv
import io
from datetime import date

import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent, Campaign, Donation, Role
from tests.campaigns.factories import add_donation, seoul


def test_members_see_campaigns_and_totals(client, login_as, seeded):
    login_as(Role.MEMBER, locale="en")
    page = client.get("/campaigns")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "북카페 활성화 캠페인" in text
    assert 'data-testid="new-campaign"' not in text

    page = client.get(f"/campaigns/{seeded.campaign.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<strong data-testid="total-books">6</strong>' in text
    assert '<strong data-testid="total-titles">3</strong>' in text
    assert '<strong data-testid="total-donors">2</strong>' in text
    assert '<strong data-testid="total-anonymous">1</strong>' in text
    assert "6 of 10 books donated (60%)" in text
    assert '<progress class="progress" max="10" value="6"' in text
    assert 'data-testid="week-chart"' in text and "<svg" in text
    assert "Literature" in text and "Youth" in text
    assert "Alice Kim" in text  # named donor
    assert "Bob Park" not in text  # not named: neither in top donors nor in recent
    assert "A member" in text
    assert "Move" not in text and "donations.csv" not in text


def test_anonymous_visitors_are_sent_to_log_in(client, seeded):
    response = client.get(f"/campaigns/{seeded.campaign.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_member_cannot_manage(client, login_as, seeded, csrf_token):
    login_as(Role.MEMBER)
    token = csrf_token()
    assert client.get("/campaigns/new").status_code == 403
    assert client.post(f"/campaigns/{seeded.campaign.id}/close",
                       data={"csrf_token": token}).status_code == 403
    assert client.get(f"/campaigns/{seeded.campaign.id}/donations.csv").status_code == 403


def test_unknown_campaign_is_404(client, login_as):
    login_as(Role.MEMBER)
    assert client.get("/campaigns/999").status_code == 404


def test_coordinator_creates_a_campaign(client, login_as, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    token = csrf_token("/campaigns/new")
    response = client.post("/campaigns/new", data={
        "csrf_token": token, "name": "겨울 기증", "description": "Books for winter",
        "goal_books": "200", "starts_on": "2026-12-01", "ends_on": "2027-02-28",
        "is_active": "y", "is_default": "y",
    })
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == "겨울 기증"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    assert (campaign.goal_books, campaign.is_default) == (200, True)
    assert campaign.ends_on == date(2027, 2, 28)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The campaign is created." in page
    assert "0 of 200 books donated (0%)" in page


def test_create_refuses_bad_input(client, login_as, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    token = csrf_token("/campaigns/new")
    response = client.post("/campaigns/new", data={
        "csrf_token": token, "name": "Backwards", "starts_on": "2026-12-01",
        "ends_on": "2026-11-01",
    })
    assert response.status_code == 400
    assert "The campaign cannot end before it starts." in response.get_data(as_text=True)
    response = client.post("/campaigns/new", data={
        "csrf_token": token, "name": "", "starts_on": "not a date", "goal_books": "-1"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0


def test_coordinator_edits_closes_and_sets_default(client, login_as, csrf_token, seeded):
    login_as(Role.COORDINATOR, locale="en")
    cid = seeded.campaign.id
    token = csrf_token(f"/campaigns/{cid}/edit")
    response = client.post(f"/campaigns/{cid}/edit", data={
        "csrf_token": token, "name": "Renamed", "goal_books": "12",
        "starts_on": "2026-03-02", "ends_on": "", "is_active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, cid)
    assert (campaign.name, campaign.goal_books, campaign.ends_on) == ("Renamed", 12, None)

    assert client.post(f"/campaigns/{cid}/default", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, cid).is_default

    assert client.post(f"/campaigns/{cid}/close", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, cid)
    assert campaign.closed_at is not None and not campaign.is_default
    page = client.get(f"/campaigns/{cid}").get_data(as_text=True)
    assert "The campaign is closed." in page
    # A closed campaign cannot become the default: the reason is shown.
    client.post(f"/campaigns/{cid}/default", data={"csrf_token": token})
    assert "This campaign is closed." in client.get(f"/campaigns/{cid}").get_data(as_text=True)


def test_coordinator_moves_a_donation(client, login_as, csrf_token, seeded):
    coordinator = login_as(Role.COORDINATOR, locale="en")
    donation = seeded.moved_in
    page = client.get(f"/campaigns/{seeded.campaign.id}").get_data(as_text=True)
    assert f'data-testid="donation-{donation.id}"' in page and "Bob Park" in page
    token = csrf_token()
    response = client.post(f"/campaigns/donations/{donation.id}/move", data={
        "csrf_token": token, f"d{donation.id}-campaign_id": str(seeded.other.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/{seeded.campaign.id}"
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).campaign_id == seeded.other.id
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "donation.move", AuditEvent.actor_id == coordinator.id))
    assert event.details == {"from_campaign": seeded.campaign.id,
                             "to_campaign": seeded.other.id}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<strong data-testid="total-books">5</strong>' in page
    # Not a campaign choice: refused, nothing changes.
    response = client.post(f"/campaigns/donations/{donation.id}/move", data={
        "csrf_token": token, f"d{donation.id}-campaign_id": "999"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).campaign_id == seeded.other.id


def test_csv_export_has_bom_korean_and_escaped_formulas(client, login_as, seeded, make_book):
    add_donation(seeded.campaign, [make_book(title="=HYPERLINK(\"http://evil\")")],
                 donor=seeded.alice, received_at=seoul(2026, 3, 14, 9, 0), note="@risky")
    login_as(Role.COORDINATOR, locale="en")
    response = client.get(f"/campaigns/{seeded.campaign.id}/donations.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Donation", "Received", "Donor"]
    assert len(rows) == 1 + 7
    titles = [r[8] for r in rows[1:]]
    assert "소년이 온다" in titles
    assert "'=HYPERLINK(\"http://evil\")" in titles
    assert "'@risky" in [r[13] for r in rows[1:]]
    anonymous = [r for r in rows[1:] if r[4] == "true"]
    assert len(anonymous) == 1 and anonymous[0][2] == "" and anonymous[0][3] == ""
    assert rows[1][1] == "2026-03-02 10:00"  # local (Seoul) time
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "campaign.export")) == 1


def test_me_lists_my_donations_with_loans(client, seeded):
    with client.session_transaction() as session:
        session["_user_id"] = seeded.alice.get_id()
    seeded.alice.locale = "en"
    db.session.commit()
    page = client.get("/me").get_data(as_text=True)
    assert 'data-testid="my-donations"' in page
    assert f'data-testid="my-donation-{seeded.moved_in.id}"' in page
    assert "북카페 활성화 캠페인" in page
    assert "Books: 3" in page
    # Every item a line: what became of it, and its loans.
    assert "소년이 온다 · <span class=\"muted\">Kept: On loan now · Loans: 1</span>" in page
    assert "소년이 온다 · <span class=\"muted\">Kept: On the shelf · Loans: 1</span>" in page
    assert "History for youth · <span class=\"muted\">Kept: On the shelf · Loans: 1</span>" in page
    assert "You agreed to be named as a donor." in page


def test_me_without_donations(client, login_as):
    login_as(Role.MEMBER, locale="en")
    page = client.get("/me").get_data(as_text=True)
    assert "You have not donated books yet." in page


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_donor_gets_a_thank_you_pdf(client, seeded):
    with client.session_transaction() as session:
        session["_user_id"] = seeded.alice.get_id()
    donation = seeded.moved_in
    response = client.get(f"/me/donations/{donation.id}/acknowledgement.pdf?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.get_data())
    assert "Thank you for your donation" in text
    assert "Alice Kim" in text and "북카페 활성화 캠페인" in text
    assert "History for youth" in text
    ko = client.get(f"/me/donations/{donation.id}/acknowledgement.pdf?lang=ko")
    assert ko.status_code == 200 and ko.get_data().startswith(b"%PDF")
    assert "북카페 활성화 캠페인" in _pdf_text(ko.get_data())
    # The Hangul font is embedded, not referenced.
    reader = PdfReader(io.BytesIO(ko.get_data()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [f.get_object()["/BaseFont"] for f in fonts.values()
                if "/FontFile2" in f.get_object().get("/FontDescriptor", {})]
    assert any("NanumGothic" in name for name in embedded)


def test_nobody_else_gets_a_donors_pdf(client, login_as, seeded):
    url = f"/me/donations/{seeded.moved_in.id}/acknowledgement.pdf"
    assert client.get(url).status_code == 302  # not logged in
    login_as(Role.COORDINATOR)
    assert client.get(url).status_code == 404
    assert client.get("/me/donations/999/acknowledgement.pdf").status_code == 404


def test_all_donations_pages_for_coordinators(client, login_as, seeded, make_book):
    book = make_book()
    for day in range(1, 25):
        add_donation(seeded.campaign, [book], donor=seeded.alice,
                     received_at=seoul(2026, 4, day, 9, 0))
    login_as(Role.MEMBER)
    assert client.get(f"/campaigns/{seeded.campaign.id}/donations").status_code == 403
    login_as(Role.COORDINATOR, locale="en")
    page = client.get(f"/campaigns/{seeded.campaign.id}").get_data(as_text=True)
    assert page.count('data-testid="donation-') == 20
    assert "All 28 donations" in page
    page = client.get(f"/campaigns/{seeded.campaign.id}/donations").get_data(as_text=True)
    assert page.count('data-testid="donation-') == 28
    assert f'data-testid="donation-{seeded.moved_in.id}"' in page
    assert client.get(f"/campaigns/{seeded.campaign.id}/donations?page=9").status_code == 200
