"""Forms of the lending desk and of members' own circulation actions."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.core.forms import BaseForm, IntegerField

DESK_MODES = ("auto", "checkin")
# The database's integer range: a larger id is refused, not sent to the database.
MAX_ID = 2**31 - 1


class ScanForm(BaseForm):
    """The desk's one scan field: a card, a copy, an ISBN, or a name or phone number."""

    code = StringField(_l("Scan or type"), validators=[DataRequired(), Length(max=100)])


class ModeForm(BaseForm):
    mode = SelectField(choices=[SelectChoice(m, m) for m in DESK_MODES],
                       validators=[InputRequired()])


class BorrowerForm(BaseForm):
    member_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


class ConfirmForm(BaseForm):
    """A button that only needs the CSRF token."""


class CopyStateForm(BaseForm):
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


class HoldForm(BaseForm):
    book_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    next = HiddenField(validators=[Length(max=500)])


class SelfCheckoutForm(BaseForm):
    barcode = StringField(_l("Copy barcode"), validators=[DataRequired(), Length(max=32)])
