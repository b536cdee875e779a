"""Every text field of every form has a length limit and is normalised to NFC.

Also the JSON API's text inputs (`app.validation.Text`).
"""

import importlib
import pkgutil
import unicodedata

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import Length

import app as app_package
from app.forms import BaseForm
from app.text import nfc_filter

NFD = unicodedata.normalize("NFD", "한강 소년이 온다 Amélie")
NFC = unicodedata.normalize("NFC", NFD)


def _all_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("app."):
                found.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__name__))


FORMS = _all_forms()


def test_the_forms_are_found():
    names = {f.__name__ for f in FORMS}
    assert {"RegisterForm", "ManualBookForm", "CampaignForm", "ScanForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_text_field_has_a_length_limit_and_the_nfc_filter(app, form_class):
    assert issubclass(form_class, BaseForm), "derive forms from app.forms.BaseForm"
    with app.test_request_context("/", method="GET"):
        form = form_class(meta={"csrf": False})
        problems = []
        for field in form:
            if not isinstance(field, StringField | TextAreaField):
                continue
            if not any(isinstance(v, Length) and v.max is not None and v.max > 0
                       for v in field.validators):
                problems.append(f"{field.name}: no Length(max=...)")
            if isinstance(field, PasswordField):
                continue  # passwords stay as typed (their hashes were made from it)
            if nfc_filter not in field.filters:
                problems.append(f"{field.name}: no NFC filter")
        assert problems == []


def test_the_filter_turns_typed_nfd_into_nfc(app):
    from app.accounts.forms import RegisterForm

    with app.test_request_context("/", method="POST"):
        form = RegisterForm(MultiDict({"name": NFD, "password": NFD}), meta={"csrf": False})
        assert form.name.data == NFC
        assert form.password.data == NFD  # untouched


def test_a_length_limit_counts_the_composed_text(app):
    from app.intake.forms import ScanForm

    with app.test_request_context("/", method="POST"):
        # 64 Hangul syllables sent decomposed are 150+ code points, composed exactly 64.
        syllables = "가각간갇갈감갑값" * 8
        form = ScanForm(MultiDict({"scan": unicodedata.normalize("NFD", syllables)}),
                        meta={"csrf": False})
        assert form.validate()
        assert form.scan.data == syllables


def test_api_text_inputs_are_nfc_and_limited():
    from pydantic import BaseModel

    from app.errors import InvalidInput
    from app.validation import Text, parse_body

    class Body(BaseModel):
        title: Text(len(NFC))

    assert len(NFD) > len(NFC)  # the limit counts the composed text
    assert parse_body(Body, {"title": f"  {NFD} "}).title == NFC
    with pytest.raises(InvalidInput):
        parse_body(Body, {"title": "x" * (len(NFC) + 1)})
