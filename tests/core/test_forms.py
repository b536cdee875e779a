"""Every text field of every form has a length limit and is normalised to NFC.

Also the JSON API's text inputs (`app.core.validation.Text`); and what every form does with
input no browser sends: numbers past the database's range, files in text fields.
"""

import importlib
import io
import pkgutil
import unicodedata

import pytest
import wtforms
from flask_wtf import FlaskForm
from pydantic import BaseModel
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectFieldBase, StringField, TextAreaField
from wtforms.validators import Length

import app as app_package
from app.core.forms import BaseForm, IntegerField, db_int
from app.core.text import nfc_filter, strip_controls
from app.core.validation import Text, parse_body
from app.errors import InvalidInput
from app.models import Role

ENGLISH = {"Accept-Language": "en"}
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
    assert issubclass(form_class, BaseForm), "derive forms from app.core.forms.BaseForm"
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
            if nfc_filter not in field.filters or strip_controls not in field.filters:
                problems.append(f"{field.name}: no NFC or control character filter")
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
    class Body(BaseModel):
        title: Text(len(NFC))

    assert len(NFD) > len(NFC)  # the limit counts the composed text
    assert parse_body(Body, {"title": f"  {NFD} "}).title == NFC
    with pytest.raises(InvalidInput):
        parse_body(Body, {"title": "x" * (len(NFC) + 1)})


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_integer_field_stays_within_the_database_range(app, form_class):
    with app.test_request_context("/", method="GET"):
        form = form_class(meta={"csrf": False})
        for field in form:
            if isinstance(field, wtforms.IntegerField):
                assert isinstance(field, IntegerField), field.name
            if isinstance(field, SelectFieldBase) and field.coerce not in (str, db_int):
                pytest.fail(f"{field.name}: coerce with app.core.forms.db_int")


def test_base_form_refuses_an_unbounded_integer_field(app):
    class Unbounded(BaseForm):
        number = wtforms.IntegerField()

    class UnboundedChoice(BaseForm):
        choice = wtforms.SelectField(coerce=int)

    with app.test_request_context("/", method="GET"):
        for form_class in (Unbounded, UnboundedChoice):
            with pytest.raises(TypeError, match="database's integer range"):
                form_class(meta={"csrf": False})


@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999",
                                   str(2**31), str(2**64)])
def test_a_number_past_the_database_range_is_the_forms_error(app, value):
    from app.admin.forms import LoanRulesForm
    from app.labels.forms import OffsetForm, PrintForm

    with app.test_request_context("/", method="POST", headers=ENGLISH):
        form = LoanRulesForm(MultiDict({"loan_days": value, "renewal_days": "7",
                                        "max_renewals": value, "max_loans": "5",
                                        "hold_shelf_days": "7"}), meta={"csrf": False})
        assert not form.validate()
        assert form.loan_days.data is None and form.max_renewals.data is None
        assert form.loan_days.errors == ["This field is required."]  # DataRequired's own
        assert "This number is out of range." in form.max_renewals.errors
        # A route may read an id before validating the form: it is None, not the number.
        offset = OffsetForm(MultiDict({"template": value}), meta={"csrf": False})
        assert offset.template.data is None
        printing = PrintForm(MultiDict({"template": value, "start_at": "1"}))
        printing.template.choices = [(1, "A4")]
        assert not printing.validate()
    with pytest.raises(ValueError):
        db_int(value)
    assert db_int("12") == 12 and db_int(7) == 7


def test_a_text_field_sent_as_a_file_is_the_forms_error(app):
    from app.campaigns.forms import CampaignForm

    with app.test_request_context("/", method="POST", headers=ENGLISH, data={
            "name": (io.BytesIO(b"Spring"), "name.txt"), "starts_on": "2026-03-01",
            "description": (io.BytesIO(b"x" * 100), "d.txt")}):
        form = CampaignForm(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["This field is required.", "This field takes text, not a file."]
        assert form.description.errors == ["This field takes text, not a file."]
        assert form.starts_on.errors == []


def test_a_file_field_still_gets_its_file(app):
    from app.imports.forms import UploadForm

    with app.test_request_context("/", method="POST", data={
            "file": (io.BytesIO(b"title\n"), "books.csv")}):
        form = UploadForm(meta={"csrf": False})
        assert form.validate() and form.file.data.filename == "books.csv"


def test_a_json_body_that_is_no_object_is_no_form_data(app):
    from app.circulation.forms import ScanForm

    for body in ([1, 2], "code", {"code": 5}):
        with app.test_request_context("/", method="POST", json=body):
            form = ScanForm(meta={"csrf": False})
            assert not form.validate()


@pytest.mark.parametrize(
    ("path", "field", "status"),
    [
        ("/desk/scan", "code", 303),
        ("/campaigns/new", "name", 400),
        ("/campaigns/{campaign}/edit", "name", 400),
        ("/admin/members/new", "name", 400),
        ("/intake/books/{book}/edit", "title", 400),
        ("/labels/add/range", "first", 303),
        ("/labels/add/scans", "codes", 303),
    ],
)
def test_text_fields_sent_as_files_are_never_a_server_error(
        client, login_as, csrf_token, make_book, make_campaign, path, field, status):
    """Issue 17: WTForms' Length called len() on the FileStorage (500)."""
    login_as(Role.COORDINATOR, locale="en")
    path = path.format(campaign=make_campaign().id, book=make_book().id)
    response = client.post(path, data={"csrf_token": csrf_token(),
                                       field: (io.BytesIO(b"9788936434267"), "scan.txt")})
    assert response.status_code == status
    if status == 400:
        assert "This field takes text, not a file." in response.get_data(as_text=True)
