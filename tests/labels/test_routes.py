"""The label pages: queue, adding selections, print, mark printed, templates, member cards."""

import pytest
import sqlalchemy as sa

from app.barcodes import internal_code
from app.extensions import db
from app.labels.preferences import print_preferences
from app.labels.sheet_templates import default_template
from app.models import AuditEvent, LabelKind, LabelQueueItem, LabelTemplate, Member, Role, Setting
from tests.labels.conftest import KOREAN_TITLES, decoded_codes, pdf_text

BAD_CHECK_DIGIT = "2010000000019"

pytestmark = pytest.mark.usefixtures("stock_templates")


def _queue_ids():
    return list(db.session.scalars(sa.select(LabelQueueItem.copy_id).order_by(LabelQueueItem.id)))


def _items():
    return [str(i) for i in db.session.scalars(sa.select(LabelQueueItem.id)
                                               .order_by(LabelQueueItem.id))]


def _template(name_part):
    return db.session.scalar(sa.select(LabelTemplate).where(LabelTemplate.name.contains(name_part)))


def _flashes(client):
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


# -- the queue page -----------------------------------------------------------------------


def test_queue_page_lists_the_queued_copies(client, login_as, make_queued):
    login_as(Role.VOLUNTEER, locale="en")
    copies = make_queued(3)
    response = client.get("/labels")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Label print queue" in html
    for copy, title in zip(copies, KOREAN_TITLES, strict=False):
        assert copy.barcode in html and title in html
    assert html.count('data-testid="queue-row"') == 3
    assert "자원봉사자" in html  # who added them
    assert html.count('data-state="used"') == 3  # the sheet preview
    assert "js/labels.js" in html and "<script>" not in html


def test_queue_is_for_volunteers(client, login_as):
    login_as(Role.MEMBER)
    assert client.get("/labels").status_code == 403


def test_the_nav_links_the_queue(client, login_as):
    login_as(Role.VOLUNTEER, locale="en")
    assert 'href="/labels"' in client.get("/").get_data(as_text=True)


def test_empty_queue(client, login_as):
    login_as(Role.VOLUNTEER, locale="en")
    html = client.get("/labels").get_data(as_text=True)
    assert 'data-testid="queue-empty"' in html


def test_preview_fragment_follows_the_chosen_sheet(client, login_as, make_queued):
    login_as(Role.VOLUNTEER, locale="en")
    make_queued(2)
    avery = _template("Avery")
    response = client.get(f"/labels/preview?template={avery.id}&start_at=30")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('data-testid="preview-sheet"') == 2
    assert html.count('data-state="skipped"') == 29 and html.count('data-state="used"') == 2
    first = _items()[0]
    one = client.get(f"/labels/preview?template={avery.id}&start_at=1&selected=1&item={first}")
    assert one.get_data(as_text=True).count('data-state="used"') == 1


def test_png_preview(client, login_as, make_queued):
    login_as(Role.VOLUNTEER, locale="en")
    make_queued(2)
    template = _template("A4 3x8")
    response = client.get(f"/labels/preview.png?template={template.id}&start_at=3")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")


# -- adding selections --------------------------------------------------------------------


def test_add_scanned_barcodes_reports_the_bad_ones(client, login_as, make_copy, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    a, b = make_copy(), make_copy()
    unknown = internal_code("201", 999_999)
    codes = f"{a.barcode}\n{b.barcode}\n{a.barcode}\n{BAD_CHECK_DIGIT}\n{unknown}\n"
    response = client.post("/labels/add/scans", data={"csrf_token": csrf_token("/labels"),
                                                      "codes": codes})
    assert response.status_code == 303 and response.headers["Location"] == "/labels"
    assert _queue_ids() == [a.id, b.id]
    messages = " ".join(_flashes(client))
    assert "Added to the print queue: 2." in messages
    assert f"Not valid barcodes, not added: {BAD_CHECK_DIGIT}" in messages
    assert f"No copy has these barcodes, not added: {unknown}" in messages


def test_add_a_range(client, login_as, make_copy, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    copies = [make_copy() for _ in range(4)]
    response = client.post("/labels/add/range", data={
        "csrf_token": csrf_token("/labels"), "first": copies[1].barcode,
        "last": copies[3].barcode})
    assert response.status_code == 303
    assert _queue_ids() == [c.id for c in copies[1:]]
    client.post("/labels/add/range", data={"csrf_token": csrf_token("/labels"),
                                           "first": BAD_CHECK_DIGIT, "last": copies[3].barcode})
    assert "2010000000019" in " ".join(_flashes(client))


def test_add_a_donation(client, login_as, make_donation, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    donation = make_donation(2)
    client.post("/labels/add/donation", data={"csrf_token": csrf_token("/labels"),
                                              "donation": donation.id})
    assert sorted(_queue_ids()) == sorted(c.id for c in donation.copies)
    client.post("/labels/add/donation", data={"csrf_token": csrf_token("/labels"),
                                              "donation": donation.id})
    assert "Already in the queue: 2." in " ".join(_flashes(client))
    client.post("/labels/add/donation", data={"csrf_token": csrf_token("/labels"),
                                              "donation": 99999})
    assert "There is no donation number 99999." in _flashes(client)


def test_catalogue_results_can_be_added_by_id_or_barcode(client, login_as, make_copy,
                                                         csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    a, b, c = make_copy(), make_copy(), make_copy()
    response = client.post("/labels/add", data={
        "csrf_token": csrf_token("/labels"), "copy_id": [str(a.id), str(b.id)],
        "barcode": [c.barcode], "next": "/catalog?q=x"})
    assert response.status_code == 303 and response.headers["Location"] == "/catalog?q=x"
    assert _queue_ids() == [a.id, b.id, c.id]
    evil = client.post("/labels/add", data={"csrf_token": csrf_token("/labels"),
                                            "copy_id": str(a.id), "next": "//evil.example"})
    assert evil.headers["Location"] == "/labels"


def test_catalogue_can_add_with_json(client, login_as, make_copy, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    a = make_copy()
    token = csrf_token("/labels")
    response = client.post("/labels/add", json={"copy_ids": [a.id], "barcodes": [
        BAD_CHECK_DIGIT, a.barcode]}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.json == {"added": 1, "queued": 1, "unknown": [],
                             "invalid": [BAD_CHECK_DIGIT]}
    bad = client.post("/labels/add", json={"copy_ids": "1"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400


def test_adding_needs_the_csrf_token(client, login_as, make_copy):
    login_as(Role.VOLUNTEER, locale="en")
    a = make_copy()
    assert client.post("/labels/add", data={"copy_id": str(a.id)}).status_code == 400
    assert _queue_ids() == []


def test_remove(client, login_as, make_queued, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    copies = make_queued(3)
    items = _items()
    client.post("/labels/remove", data={"csrf_token": csrf_token("/labels"),
                                        "item": items[:2]})
    assert _queue_ids() == [copies[2].id]
    assert "Removed from the queue: 2." in _flashes(client)


# -- print and mark printed ---------------------------------------------------------------


def test_print_downloads_the_pdf_and_remembers_the_settings(client, login_as, make_queued,
                                                            csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    copies = make_queued(3)
    template = _template("A4 4x10")
    response = client.post("/labels/print", data={
        "csrf_token": csrf_token("/labels"), "template": template.id, "start_at": 39,
        "item": _items()})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=labels-")
    assert decoded_codes(response.data) == [[c.barcode for c in copies[:2]], [copies[2].barcode]]
    assert "소년이 온다" in pdf_text(response.data)
    assert _queue_ids() == [c.id for c in copies]  # still queued until marked printed
    assert db.session.get(Setting, "labels.copy").value == {"template_id": template.id,
                                                           "start_at": 39}
    html = client.get("/labels").get_data(as_text=True)
    assert f'<option selected value="{template.id}">' in html
    assert 'value="39"' in html


def test_print_only_the_chosen_items(client, login_as, make_queued, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    copies = make_queued(3)
    response = client.post("/labels/print", data={
        "csrf_token": csrf_token("/labels"), "template": _template("A4 3x8").id,
        "start_at": 1, "item": _items()[1]})
    assert decoded_codes(response.data) == [[copies[1].barcode]]


def test_print_refusals_are_explained(client, login_as, make_queued, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    make_queued(1)
    template = _template("A4 3x8")
    response = client.post("/labels/print", data={
        "csrf_token": csrf_token("/labels"), "template": template.id, "start_at": 25,
        "item": _items()})
    assert response.status_code == 303
    assert any("between 1 and 24" in m for m in _flashes(client))
    client.post("/labels/print", data={"csrf_token": csrf_token("/labels"),
                                       "template": template.id, "start_at": 1})
    assert "There is nothing to print." in _flashes(client)
    client.post("/labels/print", data={"csrf_token": csrf_token("/labels"), "template": 9999,
                                       "start_at": 1, "item": _items()})
    assert any("Not a valid choice" in m for m in _flashes(client))


def test_mark_printed(client, login_as, make_queued, csrf_token):
    volunteer = login_as(Role.VOLUNTEER, locale="en")
    copies = make_queued(3)
    template = _template("A4 3x8")
    response = client.post("/labels/mark-printed", data={
        "csrf_token": csrf_token("/labels"), "template": template.id, "start_at": 23,
        "item": _items()[:2]})
    assert response.status_code == 303
    db.session.expire_all()
    assert [c.label_printed_at is not None for c in copies] == [True, True, False]
    assert _queue_ids() == [copies[2].id]
    messages = _flashes(client)
    assert "Labels marked as printed: 2." in messages
    assert "The next print starts at label 1." in messages
    assert print_preferences(LabelKind.COPY) == (template, 1)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "labels.printed"))
    assert event.actor_id == volunteer.id and len(event.details["barcodes"]) == 2


def test_volunteer_saves_the_printer_offset(client, login_as, csrf_token):
    login_as(Role.VOLUNTEER, locale="en")
    template = _template("A4 3x8")
    client.post("/labels/offset", data={"csrf_token": csrf_token("/labels"),
                                        "template": template.id, "offset_x_mm": "1.5",
                                        "offset_y_mm": "-2"})
    db.session.expire_all()
    assert (template.offset_x_mm, template.offset_y_mm) == (1.5, -2.0)
    client.post("/labels/offset", data={"csrf_token": csrf_token("/labels"),
                                        "template": template.id, "offset_x_mm": "50",
                                        "offset_y_mm": "0"})
    db.session.expire_all()
    assert template.offset_x_mm == 1.5


@pytest.mark.parametrize("value", ["99999999999999999999", str(2**31)])
def test_a_template_number_past_the_database_range_is_refused(client, login_as, csrf_token,
                                                               value):
    """Issue 17: the id went to the database driver (OverflowError, a 500)."""
    login_as(Role.VOLUNTEER, locale="en")
    response = client.post("/labels/offset", data={
        "csrf_token": csrf_token("/labels"), "template": value, "offset_x_mm": "1",
        "offset_y_mm": "0"})
    assert response.status_code == 303 and response.headers["Location"] == "/labels"
    assert _flashes(client) == ["A printer offset is at most 20 mm either way."]


# -- templates ----------------------------------------------------------------------------


def test_templates_are_for_coordinators(client, login_as):
    login_as(Role.VOLUNTEER)
    assert client.get("/labels/templates").status_code == 403
    assert client.get("/labels/templates/new").status_code == 403


def test_template_list_and_create(client, login_as, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    html = client.get("/labels/templates").get_data(as_text=True)
    assert "Avery 5160" in html and "62 mm roll" in html
    form = {"csrf_token": csrf_token("/labels/templates/new"), "name": "Formtec 3x7",
            "kind": "copy", "page_width_mm": "210", "page_height_mm": "297", "rows": "7",
            "columns": "3", "label_width_mm": "63.5", "label_height_mm": "38.1",
            "margin_top_mm": "15.1", "margin_left_mm": "7.2", "gap_x_mm": "2.5",
            "gap_y_mm": "0", "offset_x_mm": "0.5", "offset_y_mm": "0"}
    response = client.post("/labels/templates/new", data=form)
    assert response.status_code == 303 and response.headers["Location"] == "/labels/templates"
    created = _template("Formtec")
    assert (created.rows, created.columns, created.offset_x_mm) == (7, 3, 0.5)
    again = client.post("/labels/templates/new", data=form)
    assert again.status_code == 400
    assert "A label template with this name already exists." in again.get_data(as_text=True)


def test_impossible_template_is_explained(client, login_as, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    template = _template("A4 3x8")
    response = client.post(f"/labels/templates/{template.id}", data={
        "csrf_token": csrf_token("/labels/templates"), "name": template.name, "kind": "copy",
        "page_width_mm": "210", "page_height_mm": "297", "rows": "8", "columns": "4",
        "label_width_mm": "70", "label_height_mm": "37", "margin_top_mm": "4.5",
        "margin_left_mm": "0", "gap_x_mm": "0", "gap_y_mm": "0", "offset_x_mm": "0",
        "offset_y_mm": "0"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The labels are 280 mm wide with the left margin" in html
    assert "The labels are 300.5 mm tall with the top margin" in html
    db.session.expire_all()
    assert template.columns == 3


def test_edit_template_shows_its_values(client, login_as):
    login_as(Role.COORDINATOR, locale="en")
    template = _template("Avery")
    html = client.get(f"/labels/templates/{template.id}").get_data(as_text=True)
    assert 'value="66.675"' in html and '<option selected value="copy">' in html


# -- member cards -------------------------------------------------------------------------


def test_cards_page_lists_new_members(client, login_as, make_member):
    login_as(Role.COORDINATOR, locale="en")
    fresh = make_member(name="김하늘")
    html = client.get("/labels/cards").get_data(as_text=True)
    assert "김하늘" in html and fresh.card_barcode in html
    assert 'href="/labels/cards" aria-current="page"' in html  # a tab of Admin


def test_print_all_new_cards_then_mark_printed(client, login_as, make_member, csrf_token):
    coordinator = login_as(Role.COORDINATOR, locale="en")
    fresh = make_member(name="김하늘")
    card_sheet = default_template(LabelKind.CARD)
    data = {"csrf_token": csrf_token("/labels/cards"), "template": card_sheet.id,
            "start_at": 2, "all_new": "1"}
    response = client.post("/labels/cards/print", data=data)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert decoded_codes(response.data) == [[coordinator.card_barcode, fresh.card_barcode]]
    response = client.post("/labels/cards/mark-printed", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert fresh.card_printed_at is not None and coordinator.card_printed_at is not None
    assert print_preferences(LabelKind.CARD) == (card_sheet, 4)
    assert "Cards marked as printed: 2." in _flashes(client)


def test_one_members_card_from_the_admin_page(client, login_as, make_member, csrf_token):
    login_as(Role.COORDINATOR, locale="en")
    member = make_member(name="박서준")
    page = client.get(f"/admin/members/{member.id}").get_data(as_text=True)
    assert 'data-testid="member-card-print"' in page and "Not printed yet." in page
    card_sheet = default_template(LabelKind.CARD)
    data = {"csrf_token": csrf_token(), "member": member.id, "template": card_sheet.id,
            "start_at": 10, "next": f"/admin/members/{member.id}"}
    response = client.post("/labels/cards/print", data=data)
    assert decoded_codes(response.data) == [[member.card_barcode]]
    assert "박서준" in pdf_text(response.data)
    response = client.post("/labels/cards/mark-printed", data=data)
    assert response.headers["Location"] == f"/admin/members/{member.id}"
    db.session.expire_all()
    assert db.session.get(Member, member.id).card_printed_at is not None
    assert "Printed on" in client.get(f"/admin/members/{member.id}").get_data(as_text=True)


def test_cards_are_for_coordinators(client, login_as):
    login_as(Role.VOLUNTEER)
    assert client.get("/labels/cards").status_code == 403
