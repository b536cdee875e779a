"""The coordinator's triage settings: the cap and rules, and the list of institutions."""

import sqlalchemy as sa

from app.extensions import db
from app.intake import triage
from app.models import Partner, Role


def test_a_coordinator_sets_the_rules_and_keeps_the_institutions(client, login_as,
                                                                 csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    token = csrf_token("/intake/settings")
    page = client.get("/intake/settings").get_data(as_text=True)
    assert 'name="copy_cap"' in page and 'value="2"' in page
    response = client.post("/intake/settings", data={
        "csrf_token": token, "copy_cap": "3", "study_aid_max_age": "0",
        "decline_damaged": "y", "save": "y"})
    assert response.status_code == 302
    assert triage.triage_rules() == triage.TriageRules(
        copy_cap=3, study_aid_max_age=0, decline_damaged=True, decline_sets=False)
    assert client.post("/intake/settings", data={
        "csrf_token": token, "copy_cap": "-1"}).status_code == 400
    client.post("/intake/partners", data={"csrf_token": token, "name": "  해밀 지역아동센터 "})
    partner = db.session.scalar(sa.select(Partner))
    assert partner.name == "해밀 지역아동센터" and partner.is_active
    assert "해밀 지역아동센터" in client.get("/intake/settings").get_data(as_text=True)
    client.post("/intake/partners/active", data={"csrf_token": token,
                                                 "partner_id": str(partner.id), "retire": "y"})
    db.session.refresh(partner)
    assert not partner.is_active and triage.active_partners() == []


def test_volunteers_do_not_change_the_rules(client, login_as):
    login_as(Role.VOLUNTEER)
    assert client.get("/intake/settings").status_code == 403
