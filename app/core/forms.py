"""The base of every form: CSRF (Flask-WTF) and text fields normalised to NFC."""

from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from app.core.text import nfc_filter
from app.errors import FormExpired


class BaseForm(FlaskForm):
    """A FlaskForm whose text fields store NFC, whichever form the browser sent."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            # Passwords stay as typed: their hashes were made from the raw text.
            if isinstance(field, StringField | TextAreaField) and not isinstance(
                field, PasswordField
            ):
                field.filters = (*field.filters, nfc_filter)
            return field


F = TypeVar("F", bound=FlaskForm)


def submitted(form: F) -> F:
    """Return a form of buttons as sent; refuse it (FormExpired) when it does not validate."""
    if not form.validate_on_submit():
        raise FormExpired()
    return form
