"""Forms of the lending desk and of members' own circulation actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

DESK_MODES = ("auto", "checkin")
# The database's integer range: a larger id is refused, not sent to the database.
MAX_ID = 2**31 - 1


class ScanForm(FlaskForm):
    """The desk's one scan field: a card, a copy, an ISBN, or a name or phone number."""

    code = StringField(_l("Scan or type"), validators=[DataRequired(), Length(max=100)])


class ModeForm(FlaskForm):
    mode = SelectField(choices=[SelectChoice(m, m) for m in DESK_MODES],
                       validators=[InputRequired()])


class BorrowerForm(FlaskForm):
    member_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""


class CopyStateForm(FlaskForm):
    state = SelectField(
        _l("New state"),
        choices=[
            SelectChoice("lost", _l("Lost")),
            SelectChoice("damaged", _l("Damaged")),
            SelectChoice("withdrawn", _l("Withdrawn")),
            SelectChoice("available", _l("Back in service")),
        ],
        validators=[InputRequired()],
    )


class HoldForm(FlaskForm):
    book_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    next = HiddenField()


class SelfCheckoutForm(FlaskForm):
    barcode = StringField(_l("Copy barcode"), validators=[DataRequired(), Length(max=32)])
