"""Label use cases: finding copies, the queue, templates, remembered settings, cards."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.barcodes import internal_code
from app.errors import (
    CannotPrintLabels,
    InvalidTemplate,
    NotFound,
    NothingToPrint,
    TemplateNameTaken,
    UnknownBarcodes,
    UnknownTemplate,
)
from app.extensions import db
from app.labels import services
from app.labels.sheet import label_positions
from app.models import AuditEvent, LabelKind, LabelQueueItem, LabelTemplate, Role, Setting
from tests.labels.conftest import KOREAN_TITLES, decoded_codes, pdf_text

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
CAFE = "서산시민센터 북카페"
BAD_CHECK_DIGIT = "2010000000019"  # 201000000001 has check digit 4


@pytest.fixture(autouse=True)
def _english_request(app, stock_templates):
    """Messages are read in English, as in a request from an English browser."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _events(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _template(name_part: str) -> LabelTemplate:
    return next(t for t in services.list_templates() if name_part in t.name)


def _sheet_values(**changes) -> dict:
    values = dict(
        name="Test 2x2", kind=LabelKind.COPY, page_width_mm=210, page_height_mm=297, rows=2,
        columns=2, label_width_mm=90, label_height_mm=60, margin_top_mm=10, margin_left_mm=10,
        gap_x_mm=5, gap_y_mm=5, offset_x_mm=0, offset_y_mm=0, is_default=False,
    )
    values.update(changes)
    return values


# -- finding copies -----------------------------------------------------------------------


def test_find_copies_keeps_order_and_reports_invalid_and_unknown(make_copy):
    a, b = make_copy(), make_copy()
    unknown = internal_code("201", 999_999)
    lookup = services.find_copies([b.barcode, " " + a.barcode, b.barcode, BAD_CHECK_DIGIT,
                                   unknown, "", "x" * 40])
    assert [c.id for c in lookup.copies] == [b.id, a.id]
    assert lookup.invalid == [BAD_CHECK_DIGIT, "x" * 40]
    assert lookup.unknown == [unknown]


def test_imported_code128_barcodes_are_found(make_copy):
    copy = make_copy(barcode="LIB-00042")
    assert services.find_copies(["LIB-00042"]).copies == [copy]


def test_require_copies_refuses_the_whole_request(make_copy):
    good = make_copy()
    with pytest.raises(UnknownBarcodes) as caught:
        services.require_copies([good.barcode, BAD_CHECK_DIGIT, internal_code("201", 99999)])
    error = caught.value
    assert error.invalid == [BAD_CHECK_DIGIT] and error.status == 422
    assert error.unknown == [internal_code("201", 99999)]
    assert error.as_json()["error"]["code"] == "unknown_barcodes"
    assert BAD_CHECK_DIGIT in str(error)


def test_parse_codes_splits_lines_spaces_and_commas():
    assert services.parse_codes("a\r\nb  c,d;\n\n") == ["a", "b", "c", "d"]
    assert services.parse_codes(None) == []


def test_copies_in_range(make_copy):
    copies = [make_copy() for _ in range(4)]
    found = services.copies_in_range(copies[1].barcode, copies[2].barcode)
    assert found == copies[1:3]
    assert services.copies_in_range(copies[0].barcode, copies[0].barcode) == copies[:1]
    with pytest.raises(UnknownBarcodes):
        services.copies_in_range(BAD_CHECK_DIGIT, copies[0].barcode)
    with pytest.raises(Exception, match="must not come after"):
        services.copies_in_range(copies[2].barcode, copies[1].barcode)
    with pytest.raises(Exception, match="same length"):
        services.copies_in_range("LIB-1", copies[1].barcode)


def test_donation_copies(make_donation):
    donation = make_donation(3)
    assert [c.id for c in services.donation_copies(donation.id)] == sorted(
        c.id for c in donation.copies)
    with pytest.raises(NotFound):
        services.donation_copies(donation.id + 1)


# -- the queue ----------------------------------------------------------------------------


def test_add_to_queue_skips_copies_already_queued(make_copy, make_member):
    volunteer = make_member(Role.VOLUNTEER)
    a, b = make_copy(), make_copy()
    assert services.add_to_queue([a], by=volunteer, now=NOW) == 1
    assert services.add_to_queue([a, b, b], by=volunteer, now=NOW, source="scans") == 1
    db.session.commit()
    rows = services.queue_rows()
    assert [r.copy.id for r in rows] == [a.id, b.id]
    assert rows[0].added_by == volunteer.name and rows[0].item.added_at == NOW
    assert [e.details["count"] for e in _events("labels.queue_add")] == [1, 1]


def test_remove_from_queue(make_queued, make_member):
    copies = make_queued(3)
    items = {r.copy.id: r.item.id for r in services.queue_rows()}
    by = make_member(Role.VOLUNTEER)
    assert services.remove_from_queue([items[copies[1].id]], by=by, now=NOW) == 1
    assert services.remove_from_queue([], by=by, now=NOW) == 0
    assert [c.id for c in services.queued_copies()] == [copies[0].id, copies[2].id]
    assert copies[1].label_printed_at is None


def test_mark_labels_printed_empties_the_queue_and_is_audited(make_queued, make_member):
    copies = make_queued(3)
    by = make_member(Role.VOLUNTEER)
    assert services.mark_labels_printed(copies[:2], by=by, now=NOW) == 2
    db.session.commit()
    assert [c.label_printed_at for c in copies] == [NOW, NOW, None]
    assert services.queued_copies() == [copies[2]]
    (event,) = _events("labels.printed")
    assert event.actor_id == by.id and event.details["barcodes"] == [
        c.barcode for c in copies[:2]]
    with pytest.raises(NothingToPrint):
        services.mark_labels_printed([], by=by, now=NOW)


# -- printing -----------------------------------------------------------------------------


def test_print_labels_decodes_in_order_from_the_start_position(make_queued):
    copies = make_queued(3)
    template = _template("A4 3x8")
    pdf = services.print_labels(copies, template, start_at=23, cafe_name=CAFE)
    # positions 23 and 24 on the first sheet, then the first label of the next one
    assert decoded_codes(pdf) == [[c.barcode for c in copies[:2]], [copies[2].barcode]]
    text = pdf_text(pdf)
    for title in KOREAN_TITLES[:3]:
        assert title in text
    assert CAFE in text and "813.7-0" in text


def test_print_labels_refuses_what_cannot_print(make_queued):
    copies = make_queued(1)
    template = _template("A4 3x8")
    with pytest.raises(NothingToPrint):
        services.print_labels([], template, cafe_name=CAFE)
    with pytest.raises(CannotPrintLabels, match="between 1 and 24"):
        services.print_labels(copies, template, start_at=25, cafe_name=CAFE)


def test_a_barcode_too_long_for_the_label_is_refused(make_copy):
    copy = make_copy(barcode="LIB-" + "ABCDEFGHIJKLMN" * 2)
    template = _template("4x10")
    with pytest.raises(CannotPrintLabels, match="too long for these labels"):
        services.print_labels([copy], template, cafe_name=CAFE)


def test_sheet_preview_marks_skipped_used_and_free_positions(make_queued):
    copies = make_queued(3)
    template = _template("A4 3x8")
    preview = services.sheet_preview(template, copies, 4)
    states = [s.state for s in preview.pages[0].slots]
    assert states == ["skipped"] * 3 + ["used"] * 3 + ["free"] * 18
    assert [s.code for s in preview.pages[0].slots[3:6]] == [c.barcode for c in copies]
    assert (preview.total_pages, preview.next_start, preview.problems) == (1, 7, [])
    spill = services.sheet_preview(template, copies, 23)
    assert spill.total_pages == 2 and spill.next_start == 2
    assert [s.state for s in spill.pages[1].slots][:2] == ["used", "free"]
    bad = services.sheet_preview(template, copies, 30)
    assert bad.problems and bad.pages == []


def test_first_page_png(make_queued):
    copies = make_queued(2)
    pdf = services.print_labels(copies, _template("A4 3x8"), cafe_name=CAFE)
    assert services.first_page_png(pdf).startswith(b"\x89PNG")


# -- templates ----------------------------------------------------------------------------


def test_stock_templates_are_all_printable(app):
    templates = services.list_templates()
    assert {t.name for t in templates} >= {"A4 3x8 (70 x 37 mm)", "US Letter 3x10 (Avery 5160)",
                                          "62 mm roll (62 x 29 mm)"}
    for template in templates:
        assert services.sheet_spec(template).per_page == template.rows * template.columns
    assert services.default_template(LabelKind.COPY).name == "A4 3x8 (70 x 37 mm)"
    assert services.default_template(LabelKind.CARD).kind == LabelKind.CARD


def test_save_template_creates_and_audits(make_member):
    by = make_member(Role.COORDINATOR)
    template = services.save_template(None, _sheet_values(), by=by, now=NOW)
    db.session.commit()
    assert template.id and services.get_template("Test 2x2", LabelKind.COPY) is template
    assert services.get_template(template.id, LabelKind.COPY) is template
    with pytest.raises(UnknownTemplate):
        services.get_template(template.id, LabelKind.CARD)
    (event,) = _events("label_template.create")
    assert event.entity_id == template.id and event.details["changes"]["rows"] == 2


def test_save_template_lists_every_problem(make_member):
    by = make_member(Role.COORDINATOR)
    values = _sheet_values(columns=3, rows=5)  # 3 x 90 mm across, 5 x 60 mm down: too big
    with pytest.raises(InvalidTemplate) as caught:
        services.save_template(None, values, by=by, now=NOW)
    problems = caught.value.problems
    assert len(problems) == 2
    assert "wide" in problems[0] and "tall" in problems[1]
    with pytest.raises(InvalidTemplate, match="too small for a readable barcode"):
        services.save_template(None, _sheet_values(label_width_mm=20, label_height_mm=10),
                               by=by, now=NOW)
    with pytest.raises(InvalidTemplate, match="at most 20 mm"):
        services.save_template(None, _sheet_values(offset_x_mm=25), by=by, now=NOW)
    with pytest.raises(InvalidTemplate, match="needs a name"):
        services.save_template(None, _sheet_values(name="  "), by=by, now=NOW)


def test_template_names_are_unique_regardless_of_case(make_member):
    by = make_member(Role.COORDINATOR)
    with pytest.raises(TemplateNameTaken):
        services.save_template(None, _sheet_values(name="a4 3X8 (70 x 37 mm)"), by=by, now=NOW)


def test_one_default_template_per_kind(make_member):
    by = make_member(Role.COORDINATOR)
    new = services.save_template(None, _sheet_values(is_default=True), by=by, now=NOW)
    db.session.commit()
    defaults = [t for t in services.list_templates(LabelKind.COPY) if t.is_default]
    assert defaults == [new]
    assert [t for t in services.list_templates(LabelKind.CARD) if t.is_default]


def test_editing_a_template_keeps_the_printer_offset(make_member):
    by = make_member(Role.COORDINATOR)
    template = _template("A4 3x8")
    values = {f: getattr(template, f) for f in services.TEMPLATE_FIELDS}
    values.update(offset_x_mm=1.5, offset_y_mm=-0.5)
    services.save_template(template, values, by=by, now=NOW)
    db.session.commit()
    db.session.expire_all()
    template = _template("A4 3x8")
    assert (template.offset_x_mm, template.offset_y_mm) == (1.5, -0.5)
    first = label_positions(services.sheet_spec(template), 1)[0]
    assert first == pytest.approx((0, 1.5, 0.0))
    (event,) = _events("label_template.update")
    assert set(event.details["changes"]) == {"offset_x_mm", "offset_y_mm"}


def test_set_printer_offset(make_member):
    by = make_member(Role.VOLUNTEER)
    template = _template("Avery")
    services.set_printer_offset(template, -1.0, 2.0, by=by, now=NOW)
    db.session.commit()
    assert (template.offset_x_mm, template.offset_y_mm) == (-1.0, 2.0)
    assert len(_events("label_template.offset")) == 1
    with pytest.raises(InvalidTemplate):
        services.set_printer_offset(template, 30, 0, by=by, now=NOW)


# -- remembered settings ------------------------------------------------------------------


def test_print_preferences_default_then_remembered(app):
    template, start = services.print_preferences(LabelKind.COPY)
    assert (template.is_default, start) == (True, 1)
    avery = _template("Avery")
    services.remember_preferences(LabelKind.COPY, avery, 7, now=NOW)
    db.session.commit()
    assert services.print_preferences(LabelKind.COPY) == (avery, 7)
    services.remember_preferences(LabelKind.COPY, avery, 9, now=NOW)
    db.session.commit()
    assert db.session.get(Setting, "labels.copy").value == {"template_id": avery.id,
                                                           "start_at": 9}
    # the card sheet is remembered separately
    assert services.print_preferences(LabelKind.CARD)[0].kind == LabelKind.CARD


def test_a_remembered_start_beyond_a_smaller_sheet_falls_back_to_1(app):
    roll = _template("roll")
    db.session.add(Setting(key="labels.copy", value={"template_id": roll.id, "start_at": 5}))
    db.session.commit()
    assert services.print_preferences(LabelKind.COPY) == (roll, 1)


@pytest.mark.parametrize(("start", "count", "per_page", "expected"),
                         [(1, 3, 24, 4), (23, 3, 24, 2), (1, 24, 24, 1), (5, 0, 24, 5),
                          (1, 5, 1, 1)])
def test_next_start(start, count, per_page, expected):
    assert services.next_start(start, count, per_page) == expected


# -- member cards -------------------------------------------------------------------------


def test_new_members_and_cards(make_member):
    by = make_member(Role.COORDINATOR, name="관리자")
    fresh = make_member(name="김하늘")
    printed = make_member(name="이미 인쇄")
    printed.card_printed_at = NOW
    db.session.commit()
    new = services.new_members()
    assert fresh in new and by in new and printed not in new
    card_sheet = services.default_template(LabelKind.CARD)
    pdf = services.print_cards([fresh, by], card_sheet, start_at=10, cafe_name=CAFE)
    assert decoded_codes(pdf) == [[fresh.card_barcode], [by.card_barcode]]
    assert "김하늘" in pdf_text(pdf)
    assert services.mark_cards_printed([fresh], by=by, now=NOW) == 1
    db.session.commit()
    assert fresh.card_printed_at == NOW and fresh not in services.new_members()
    assert len(_events("member.card_printed")) == 1


def test_members_by_id_keeps_order(make_member):
    a, b = make_member(), make_member()
    assert services.members_by_id([b.id, a.id, b.id, 10**6]) == [b, a]


def test_queue_item_is_removed_with_its_copy_printed(make_queued, make_member):
    make_queued(2)
    assert db.session.scalar(sa.select(sa.func.count(LabelQueueItem.id))) == 2
