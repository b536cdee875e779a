"""The base of every form: CSRF (Flask-WTF), and input no route has to distrust.

- Text fields hold text: NFC, without control characters or lone surrogates (PostgreSQL
  refuses NUL; an .xlsx export refuses control characters).
- A file reaches only a file field: a text field sent as a file part (or a JSON body's
  number) fails validation with the form's usual error, instead of reaching WTForms'
  Length, which calls len() on it (a 500).
- Whole numbers stay within the database's integer range: `IntegerField` here, and
  `coerce=db_int` for a SelectField of ids. BaseForm refuses WTForms' unbounded ones.
"""

from typing import TypeVar

import wtforms
from flask import has_request_context, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import FileField, PasswordField, SelectFieldBase, StringField, TextAreaField

from app.core.params import DB_INT_MAX, DB_INT_MIN, bounded_int
from app.core.text import nfc_filter, strip_controls
from app.errors import FormExpired


class IntegerField(wtforms.IntegerField):
    """A whole number within the database's integer range; a larger one is the form's error."""
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not DB_INT_MIN <= self.data <= DB_INT_MAX:
            self.data = None
            raise ValueError(_("This number is out of range."))


#: The render_kw of a choice whose label is data (a campaign's or a member's name), not a label
#: to translate: `(value, label, DATA)` (the layout walk checks only labels for English).
DATA = {"data-data": True}


def db_int(value) -> int:
    """Coerce a SelectField's value to an id the database can hold (ValueError otherwise)."""
    if isinstance(value, str) and len(value.strip()) > 12:
        raise ValueError(value)
    return bounded_int(int(value))


def _unbounded_integers(field) -> bool:
    if isinstance(field, wtforms.IntegerField):
        return not isinstance(field, IntegerField)
    return isinstance(field, SelectFieldBase) and getattr(field, "coerce", None) is int


def _form_values(form, formdata) -> tuple:
    """Return the form data without values its fields cannot take, and the fields sent one."""
    file_fields = {field.name for field in form if isinstance(field, FileField)}
    def fits(key, value) -> bool:
        if key in file_fields:
            return isinstance(value, str | FileStorage)
        return isinstance(value, str)
    items = list(formdata.items(multi=True))
    refused = {key for key, value in items if not fits(key, value)}
    if not refused:
        return formdata, frozenset()
    fields = {field.name for field in form}
    return (MultiDict([(key, value) for key, value in items if fits(key, value)]),
            frozenset(refused & fields))


class BaseForm(FlaskForm):
    """A FlaskForm whose fields get text, files and whole numbers they can handle."""

    # The fields that were sent a file or another value that is not text.
    not_text: frozenset = frozenset()

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if _unbounded_integers(field):
                raise TypeError(
                    f"{type(form).__name__}.{field.name}: use app.core.forms.IntegerField or "
                    "SelectField(coerce=app.core.forms.db_int), which stay within the database's "
                    "integer range"
                )
            # Passwords stay as typed: their hashes were made from the raw text.
            if isinstance(field, StringField | TextAreaField) and not isinstance(
                field, PasswordField
            ):
                field.filters = (*field.filters, nfc_filter, strip_controls)
            return field

        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and has_request_context() and request.is_json \
                    and not isinstance(request.get_json(silent=True), dict):
                # The pages post forms; Flask-WTF would turn a JSON list or string into a 500.
                formdata = None
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None:
                return None
            formdata, form.not_text = _form_values(form, formdata)
            return formdata

    def validate(self, extra_validators=None) -> bool:
        """Validate as WTForms does; a field that was sent a file is an error too."""
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in self.not_text:
                field.errors.append(_("This field takes text, not a file."))
                valid = False
        return valid


F = TypeVar("F", bound=FlaskForm)


def submitted(form: F) -> F:
    """Return a form of buttons as sent; refuse it (FormExpired) when it does not validate."""
    if not form.validate_on_submit():
        raise FormExpired()
    return form
