"""Sheet templates: the label and card sheets the café prints on, their measurements
checked against what prints, and each one's printer offset."""

from __future__ import annotations

import types
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.defaults import ensure_defaults, stored_sheet_name
from app.core.text import nfc
from app.errors import InvalidTemplate, TemplateNameTaken, UnknownTemplate
from app.extensions import db, savepoint
from app.labels.sheet import LabelError, SheetSpec
from app.models import LabelKind, LabelTemplate, Member

MAX_ID = 2**31 - 1  # the databases' integer range
#: Printer offsets beyond this are a typo, not a printer.
MAX_OFFSET_MM = 20.0

#: The measurement fields of a template, in form order.
SHEET_FIELDS = (
    "page_width_mm", "page_height_mm", "rows", "columns", "label_width_mm",
    "label_height_mm", "margin_top_mm", "margin_left_mm", "gap_x_mm", "gap_y_mm",
    "offset_x_mm", "offset_y_mm",
)
TEMPLATE_FIELDS = ("name", "kind", *SHEET_FIELDS, "is_default")


def list_templates(kind: LabelKind | None = None) -> list[LabelTemplate]:
    """Return the sheet templates (of one kind, or all), defaults first."""
    query = sa.select(LabelTemplate).order_by(
        LabelTemplate.kind, LabelTemplate.is_default.desc(), LabelTemplate.name
    )
    if kind is not None:
        query = query.where(LabelTemplate.kind == kind)
    return list(db.session.scalars(query))


def default_template(kind: LabelKind) -> LabelTemplate:
    """Return the default template of a kind (the stock ones are created when missing)."""
    templates = list_templates(kind)
    if not templates:
        ensure_defaults()
        templates = list_templates(kind)
    if not templates:
        raise UnknownTemplate()
    return templates[0]


def get_template(ref: int | str, kind: LabelKind) -> LabelTemplate:
    """Return a template of `kind` by id or by name, or raise UnknownTemplate."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        # A larger number overflows the databases' integers (a 500 on PostgreSQL).
        template = db.session.get(LabelTemplate, ref) if 1 <= ref <= MAX_ID else None
    else:
        template = db.session.scalar(
            sa.select(LabelTemplate).where(LabelTemplate.name == nfc(str(ref)))
        )
    if template is None or template.kind != kind:
        raise UnknownTemplate()
    return template


def sheet_spec(template: LabelTemplate, *, barcode: bool = True) -> SheetSpec:
    """Return the template's sheet for the renderer, or raise InvalidTemplate (``barcode``
    false: its labels carry none, as spine labels, and may be any size)."""
    try:
        return SheetSpec(**{f: getattr(template, f) for f in SHEET_FIELDS}, barcode=barcode)
    except LabelError as error:
        raise InvalidTemplate([str(error)]) from error


def template_problems(values: dict, *, barcode: bool = True) -> list[str]:
    """Return everything wrong with these sheet measurements (empty when they print)."""
    # SheetSpec refuses to exist with a problem and names only the first; asking
    # problems() of the bare values lists them all.
    return SheetSpec.problems(types.SimpleNamespace(**{f: values[f] for f in SHEET_FIELDS},
                                                    barcode=barcode))


def save_template(template: LabelTemplate | None, values: dict, *, by: Member,
                  now: datetime) -> LabelTemplate:
    """Create a template (when `template` is None) or change one, after checking it prints."""
    values = dict(values)
    values["name"] = stored_sheet_name(nfc(values.get("name") or "") or "")
    if not values["name"]:
        raise InvalidTemplate([str(_l("A template needs a name."))])
    problems = template_problems(values)
    problems += _offset_problems(values["offset_x_mm"], values["offset_y_mm"])
    if problems:
        raise InvalidTemplate(problems)
    clash = db.session.scalar(sa.select(LabelTemplate).where(
        sa.func.lower(LabelTemplate.name) == values["name"].lower()
    ))
    if clash is not None and clash is not template:
        raise TemplateNameTaken()
    created = template is None
    if created:
        template = LabelTemplate()
        db.session.add(template)
    changes = {}
    for name in TEMPLATE_FIELDS:
        old, new = getattr(template, name), values[name]
        if created or old != new:
            changes[name] = str(new) if name == "kind" else new
            setattr(template, name, new)
    if template.is_default:
        # One default per kind: the one preselected until someone chooses another.
        for other in list_templates(template.kind):
            if other is not template:
                other.is_default = False
    template.updated_at = now
    try:
        with savepoint():
            db.session.flush()
    except IntegrityError as error:
        raise TemplateNameTaken() from error
    if changes:
        audit.record("label_template.create" if created else "label_template.update",
                     actor=by, entity="label_template", entity_id=template.id, now=now,
                     changes=changes)
    return template


def _offset_problems(x: float, y: float) -> list[str]:
    if abs(x) > MAX_OFFSET_MM or abs(y) > MAX_OFFSET_MM:
        return [str(_l("A printer offset is at most %(max)d mm either way.",
                       max=int(MAX_OFFSET_MM)))]
    return []


def set_printer_offset(template: LabelTemplate, x_mm: float, y_mm: float, *, by: Member,
                       now: datetime) -> None:
    """Save the printer's offset (mm, right/down positive) for one template."""
    values = {f: getattr(template, f) for f in SHEET_FIELDS}
    values.update(offset_x_mm=x_mm, offset_y_mm=y_mm)
    problems = _offset_problems(x_mm, y_mm) or template_problems(values)
    if problems:
        raise InvalidTemplate(problems)
    old = [template.offset_x_mm, template.offset_y_mm]
    if old == [x_mm, y_mm]:
        return
    template.offset_x_mm, template.offset_y_mm = x_mm, y_mm
    template.updated_at = now
    audit.record("label_template.offset", actor=by, entity="label_template",
                 entity_id=template.id, now=now, changes={"offset": [old, [x_mm, y_mm]]})
    db.session.flush()
