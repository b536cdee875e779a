"""Built-in label sheets show their names in the page's language; a sheet a coordinator
named shows the name as typed. The stored name of a built-in sheet never changes by saving
its form, so the API and the remembered print settings keep finding it."""

import re

import pytest
import sqlalchemy as sa

from app.core.defaults import LABEL_TEMPLATES, STOCK_SHEET_NAMES
from app.extensions import db
from app.models import LabelTemplate, Role

pytestmark = pytest.mark.usefixtures("stock_templates")

CARDS = "A4 member cards 2x5 (85.6 x 54 mm)"
CARDS_KO = "A4 회원증 용지 2x5 (85.6 x 54 mm)"


def _named(name: str) -> LabelTemplate:
    return db.session.scalar(sa.select(LabelTemplate).where(LabelTemplate.name == name))


def _form(csrf: str, template: LabelTemplate, **changes) -> dict:
    fields = ("page_width_mm", "page_height_mm", "rows", "columns", "label_width_mm",
              "label_height_mm", "margin_top_mm", "margin_left_mm", "gap_x_mm", "gap_y_mm",
              "offset_x_mm", "offset_y_mm")
    form = {"csrf_token": csrf, "name": template.name, "kind": template.kind.value,
            **{f: f"{getattr(template, f):g}" for f in fields}}
    return {**form, **changes}


def test_every_built_in_sheet_has_a_name_to_show():
    assert set(STOCK_SHEET_NAMES) == {values["name"] for values in LABEL_TEMPLATES}


def test_korean_pages_name_built_in_sheets_in_korean_and_typed_ones_as_typed(client,
                                                                             login_as):
    db.session.add(LabelTemplate(name="Formtec 3x7", page_width_mm=210, page_height_mm=297,
                                 rows=7, columns=3, label_width_mm=63.5, label_height_mm=38.1))
    db.session.commit()
    login_as(Role.COORDINATOR, locale="ko")
    sheets = client.get("/labels/templates").get_data(as_text=True)
    assert CARDS_KO in sheets and "62 mm 롤 (62 x 29 mm)" in sheets
    assert "Formtec 3x7" in sheets
    queue = client.get("/labels").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", queue)
    assert "A4 라벨지 3x8 (70 x 37 mm)" in options and "Formtec 3x7" in options
    assert not [o for o in options if "roll" in o or "spine" in o or "Letter" in o]
    cards = client.get("/labels/cards").get_data(as_text=True)
    assert CARDS_KO in cards and CARDS not in cards


def test_a_built_in_sheet_saved_unchanged_stays_built_in(client, login_as, csrf_token):
    template = _named(CARDS)
    login_as(Role.COORDINATOR, locale="ko")
    page = client.get(f"/labels/templates/{template.id}").get_data(as_text=True)
    assert f'value="{CARDS_KO}"' in page and f"<h1>{CARDS_KO}</h1>" in page
    response = client.post(f"/labels/templates/{template.id}", data=_form(
        csrf_token(f"/labels/templates/{template.id}"), template, name=CARDS_KO,
        offset_x_mm="1"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (template.name, template.offset_x_mm) == (CARDS, 1.0)


def test_in_english_the_built_in_names_read_as_stored(client, login_as):
    login_as(Role.COORDINATOR, locale="en")
    html = client.get("/labels/templates").get_data(as_text=True)
    assert CARDS in html and CARDS_KO not in html


def test_a_renamed_sheet_shows_the_typed_name_and_the_shown_name_is_taken(client, login_as,
                                                                         csrf_token):
    template = _named("62 mm roll (62 x 29 mm)")
    login_as(Role.COORDINATOR, locale="ko")
    token = csrf_token("/labels/templates")
    response = client.post(f"/labels/templates/{template.id}",
                           data=_form(token, template, name="우리 카페 롤"))
    assert response.status_code == 303
    db.session.expire_all()
    assert template.name == "우리 카페 롤"
    # Another sheet cannot take a built-in sheet's name, in either language.
    other = _named("A4 3x8 (70 x 37 mm)")
    for name in (CARDS_KO, CARDS):
        taken = client.post(f"/labels/templates/{other.id}", data=_form(token, other,
                                                                        name=name))
        assert taken.status_code == 400
    db.session.expire_all()
    assert other.name == "A4 3x8 (70 x 37 mm)"
