"""Sheet templates: the stock ones print; saving checks and audits; one default per kind."""

import pytest

from app.core.defaults import SPINE_ONLY_TEMPLATES
from app.errors import (
    InvalidTemplate,
    TemplateNameTaken,
    UnknownTemplate,
)
from app.extensions import db
from app.labels.sheet import label_positions
from app.labels.sheet_templates import (
    TEMPLATE_FIELDS,
    default_template,
    get_template,
    list_templates,
    save_template,
    set_printer_offset,
    sheet_spec,
)
from app.models import LabelKind, Role
from tests.labels.conftest import NOW, events, sheet_values, template_named

pytestmark = pytest.mark.usefixtures("english_request")


def test_stock_templates_are_all_printable(app):
    templates = list_templates()
    assert {t.name for t in templates} >= {"A4 3x8 (70 x 37 mm)", "US Letter 3x10 (Avery 5160)",
                                          "62 mm roll (62 x 29 mm)"}
    for template in templates:
        barcode = template.name not in SPINE_ONLY_TEMPLATES
        assert sheet_spec(template, barcode=barcode).per_page == template.rows * template.columns
    assert set(SPINE_ONLY_TEMPLATES) <= {t.name for t in templates}
    assert default_template(LabelKind.COPY).name == "A4 3x8 (70 x 37 mm)"
    assert default_template(LabelKind.CARD).kind == LabelKind.CARD


def test_save_template_creates_and_audits(make_member):
    by = make_member(Role.COORDINATOR)
    template = save_template(None, sheet_values(), by=by, now=NOW)
    db.session.commit()
    assert template.id and get_template("Test 2x2", LabelKind.COPY) is template
    assert get_template(template.id, LabelKind.COPY) is template
    with pytest.raises(UnknownTemplate):
        get_template(template.id, LabelKind.CARD)
    (event,) = events("label_template.create")
    assert event.entity_id == template.id and event.details["changes"]["rows"] == 2


def test_save_template_lists_every_problem(make_member):
    by = make_member(Role.COORDINATOR)
    values = sheet_values(columns=3, rows=5)  # 3 x 90 mm across, 5 x 60 mm down: too big
    with pytest.raises(InvalidTemplate) as caught:
        save_template(None, values, by=by, now=NOW)
    problems = caught.value.problems
    assert len(problems) == 2
    assert "wide" in problems[0] and "tall" in problems[1]
    with pytest.raises(InvalidTemplate, match="too small for a readable barcode"):
        save_template(None, sheet_values(label_width_mm=20, label_height_mm=10),
                               by=by, now=NOW)
    with pytest.raises(InvalidTemplate, match="at most 20 mm"):
        save_template(None, sheet_values(offset_x_mm=25), by=by, now=NOW)
    with pytest.raises(InvalidTemplate, match="needs a name"):
        save_template(None, sheet_values(name="  "), by=by, now=NOW)


def test_template_names_are_unique_regardless_of_case(make_member):
    by = make_member(Role.COORDINATOR)
    with pytest.raises(TemplateNameTaken):
        save_template(None, sheet_values(name="a4 3X8 (70 x 37 mm)"), by=by, now=NOW)


def test_one_default_template_per_kind(make_member):
    by = make_member(Role.COORDINATOR)
    new = save_template(None, sheet_values(is_default=True), by=by, now=NOW)
    db.session.commit()
    defaults = [t for t in list_templates(LabelKind.COPY) if t.is_default]
    assert defaults == [new]
    assert [t for t in list_templates(LabelKind.CARD) if t.is_default]


def test_editing_a_template_keeps_the_printer_offset(make_member):
    by = make_member(Role.COORDINATOR)
    template = template_named("A4 3x8")
    values = {f: getattr(template, f) for f in TEMPLATE_FIELDS}
    values.update(offset_x_mm=1.5, offset_y_mm=-0.5)
    save_template(template, values, by=by, now=NOW)
    db.session.commit()
    db.session.expire_all()
    template = template_named("A4 3x8")
    assert (template.offset_x_mm, template.offset_y_mm) == (1.5, -0.5)
    first = label_positions(sheet_spec(template), 1)[0]
    assert first == pytest.approx((0, 1.5, 0.0))
    (event,) = events("label_template.update")
    assert set(event.details["changes"]) == {"offset_x_mm", "offset_y_mm"}


def test_set_printer_offset(make_member):
    by = make_member(Role.VOLUNTEER)
    template = template_named("Avery")
    set_printer_offset(template, -1.0, 2.0, by=by, now=NOW)
    db.session.commit()
    assert (template.offset_x_mm, template.offset_y_mm) == (-1.0, 2.0)
    assert len(events("label_template.offset")) == 1
    with pytest.raises(InvalidTemplate):
        set_printer_offset(template, 30, 0, by=by, now=NOW)
