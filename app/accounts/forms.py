"""Forms for registration, login and the member's settings."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from app.core.forms import BaseForm

SETTINGS = ("name", "phone", "locale", "keep_history", "donor_named")
LANGUAGE_CHOICES = [SelectChoice("ko", "한국어"), SelectChoice("en", "English")]
PHONE_PATTERN = r"^[0-9+\-() ]{7,20}$"


# autocomplete hints let a browser's password manager fill and save the right fields.
USERNAME = {"autocomplete": "username"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}
NEW_PASSWORD = {"autocomplete": "new-password"}


def _phone_field() -> StringField:
    return StringField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=20),
            Regexp(PHONE_PATTERN, message=_l("Use digits, spaces, + and - only.")),
        ],
    )


def _new_password_fields(label, again_label) -> tuple[PasswordField, PasswordField]:
    """Return a new password's field and the field to type it again."""
    password = PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=8, max=200, message=_l("Use between 8 and 200 characters.")),
        ],
        render_kw=NEW_PASSWORD,
    )
    confirm = PasswordField(
        again_label,
        validators=[DataRequired(), Length(max=200),
                    EqualTo("password", message=_l("The passwords differ."))],
        render_kw=NEW_PASSWORD,
    )
    return password, confirm


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw=USERNAME)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw=CURRENT_PASSWORD)
    remember = BooleanField(_l("Stay logged in on this device"))


class RegisterForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
        render_kw=USERNAME,
    )
    phone = _phone_field()
    password, confirm = _new_password_fields(_l("Password"), _l("Password again"))
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="ko")
    keep_history = BooleanField(_l("Keep a list of the books I have borrowed"))
    donor_named = BooleanField(_l("I agree to be named as a donor of books I give"))
    privacy = BooleanField(
        _l("I have read and agree to how my information is used"),
        validators=[InputRequired(message=_l("Please agree to continue."))],
    )

    def member(self) -> dict:
        """Return the new member's details as typed."""
        return {name: getattr(self, name).data
                for name in ("name", "email", "password", "phone", "locale", "keep_history",
                             "donor_named")}


class LanguageForm(BaseForm):
    lang = SelectField(choices=LANGUAGE_CHOICES)


class SettingsForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    phone = _phone_field()
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    keep_history = BooleanField(_l("Keep a list of the books I have borrowed"))
    donor_named = BooleanField(_l("I agree to be named as a donor of books I give"))

    def values(self) -> dict:
        """Return the settings as chosen."""
        return {name: getattr(self, name).data for name in SETTINGS}


class PasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                            render_kw=CURRENT_PASSWORD)
    password, confirm = _new_password_fields(_l("New password"), _l("New password again"))


class ConfirmDeletionForm(BaseForm):
    confirm = BooleanField(
        _l("I understand that my account and personal data will be deleted"),
        validators=[InputRequired()],
    )
