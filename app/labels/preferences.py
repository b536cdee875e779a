"""Remembered print settings: the sheet and start position last used for each kind of
print (one café PC, several volunteers), and where the next print starts."""

from __future__ import annotations

from datetime import datetime

from app.core.settings import store, stored_dict
from app.extensions import db
from app.labels.sheet_templates import default_template
from app.models import LabelKind, LabelTemplate


def _setting_key(kind: LabelKind) -> str:
    return f"labels.{kind.value}"


def print_preferences(kind: LabelKind) -> tuple[LabelTemplate, int]:
    """Return the template and start position last used for this kind of sheet."""
    value = stored_dict(_setting_key(kind))
    template = None
    template_id = value.get("template_id")
    if isinstance(template_id, int):
        template = db.session.get(LabelTemplate, template_id)
    if template is None or template.kind != kind:
        template = default_template(kind)
    start_at = value.get("start_at")
    if not isinstance(start_at, int) or not 1 <= start_at <= template.rows * template.columns:
        start_at = 1
    return template, start_at


def remember_preferences(kind: LabelKind, template: LabelTemplate, start_at: int, *,
                         now: datetime) -> None:
    """Remember the template and the next free position on the partly used sheet."""
    value = {"template_id": template.id, "start_at": start_at}
    store(_setting_key(kind), value, now=now)


def next_start(start_at: int, count: int, per_page: int) -> int:
    """Return the first free position on the last sheet after printing `count` labels."""
    return (start_at - 1 + count) % per_page + 1



def remember_printed(kind: LabelKind, template: LabelTemplate, start_at: int, count: int, *,
                     now: datetime) -> int:
    """Remember where the next print starts after `count` labels printed from `start_at`;
    return that position."""
    following = next_start(start_at, count, template.rows * template.columns)
    remember_preferences(kind, template, following, now=now)
    return following
