"""Remembered print settings: the sheet and start position last used, and the next start."""

import pytest

from app.extensions import db
from app.labels.preferences import (
    next_start,
    print_preferences,
    remember_preferences,
    remember_printed,
)
from app.models import LabelKind, Setting
from tests.labels.conftest import NOW, template_named

pytestmark = pytest.mark.usefixtures("english_request")


def test_print_preferences_default_then_remembered(app):
    template, start = print_preferences(LabelKind.COPY)
    assert (template.is_default, start) == (True, 1)
    avery = template_named("Avery")
    remember_preferences(LabelKind.COPY, avery, 7, now=NOW)
    db.session.commit()
    assert print_preferences(LabelKind.COPY) == (avery, 7)
    remember_preferences(LabelKind.COPY, avery, 9, now=NOW)
    db.session.commit()
    assert db.session.get(Setting, "labels.copy").value == {"template_id": avery.id,
                                                           "start_at": 9}
    # the card sheet is remembered separately
    assert print_preferences(LabelKind.CARD)[0].kind == LabelKind.CARD


def test_a_remembered_start_beyond_a_smaller_sheet_falls_back_to_1(app):
    roll = template_named("roll")
    db.session.add(Setting(key="labels.copy", value={"template_id": roll.id, "start_at": 5}))
    db.session.commit()
    assert print_preferences(LabelKind.COPY) == (roll, 1)


@pytest.mark.parametrize(("start", "count", "per_page", "expected"),
                         [(1, 3, 24, 4), (23, 3, 24, 2), (1, 24, 24, 1), (5, 0, 24, 5),
                          (1, 5, 1, 1)])
def test_next_start(start, count, per_page, expected):
    assert next_start(start, count, per_page) == expected


def test_remember_printed_moves_the_start_past_what_was_printed(app):
    avery = template_named("Avery")  # 30 labels a sheet
    assert remember_printed(LabelKind.COPY, avery, 28, 5, now=NOW) == 3
    db.session.commit()
    assert print_preferences(LabelKind.COPY) == (avery, 3)
