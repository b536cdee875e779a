"""Forms of volunteer hours: start/end my shift, log a shift, approve one."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from app.core.forms import BaseForm, IntegerField
from app.volunteers.shifts import ACTIVITY_LABELS


def _activities():
    return [(a.value, label) for a, label in ACTIVITY_LABELS.items()]


class StartShiftForm(BaseForm):
    """Start my shift now, doing this."""

    activity = SelectField(_l("What I do"), choices=_activities, validate_choice=True)
    start = SubmitField(_l("Start my shift"))


class EndShiftForm(BaseForm):
    """End my shift now."""

    end = SubmitField(_l("End my shift"))


class LogShiftForm(BaseForm):
    """A shift logged afterwards."""

    day = DateField(_l("Date"), validators=[DataRequired()])
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])
    activity = SelectField(_l("What I did"), choices=_activities, validate_choice=True)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    save = SubmitField(_l("Log this shift"))


class ApproveForm(BaseForm):
    """Approve one shift."""

    shift_id = IntegerField(widget=HiddenInput(), validators=[DataRequired(),
                                                              NumberRange(min=1)])
