"""The base of every form: CSRF (Flask-WTF) and text fields normalised to NFC."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from app.core.text import nfc_filter


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
