"""A volunteer registers a walk-in member and prints the card; roles stay with coordinators."""

import sqlalchemy as sa

from app.extensions import db
from app.labels.sheet_templates import default_template
from app.models import LabelKind, Member, Role
from tests.labels.decode import decode_pdf


def test_a_volunteer_registers_a_member_and_prints_the_card(client, login_as, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    page = client.get("/admin/members/new").get_data(as_text=True)
    assert 'name="role"' not in page  # no role to give
    response = client.post("/admin/members/new", data={
        "csrf_token": csrf_token("/desk"), "name": "박할머니", "email": "", "phone": "",
        "role": "coordinator"})  # a forged role is ignored
    assert response.status_code == 302
    member = db.session.scalar(sa.select(Member).where(Member.name == "박할머니"))
    assert member.role is Role.MEMBER
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="print-member-card"' in page
    assert "Change role" not in page and "Deactivate" not in page
    template = default_template(LabelKind.CARD)
    pdf = client.post("/labels/cards/print", data={
        "csrf_token": csrf_token("/desk"), "template": template.id, "start_at": 1,
        "member": member.id})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert [d.text for d in decode_pdf(pdf.data)[0]] == [member.card_barcode]
    # Coordinators keep role changes, deletions and the member list.
    assert client.post(f"/admin/members/{member.id}/role", data={
        "csrf_token": csrf_token("/desk"), "role": "coordinator"}).status_code == 403
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/deletions").status_code == 403
