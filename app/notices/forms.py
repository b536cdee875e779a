"""Forms of the notices: the coordinator's schedule, a member's choices, retry, send."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.core.forms import BaseForm, IntegerField
from app.notices.preferences import normalise_mobile
from app.notices.schedule import KINDS

DAYS_PATTERN = r"^[0-9, ]*$"


class ScheduleForm(BaseForm):
    """Which kinds are on, the days before/after the due date, send hour, quiet hours."""

    days_before = StringField(
        _l("Days before the due date"),
        validators=[Length(max=40), Regexp(DAYS_PATTERN, message=_l("Use numbers and commas."))])
    days_after = StringField(
        _l("Days after the due date"),
        validators=[Length(max=40), Regexp(DAYS_PATTERN, message=_l("Use numbers and commas."))])
    send_hour = IntegerField(_l("Send hour (Korea time)"),
                             validators=[InputRequired(), NumberRange(min=0, max=23)])
    quiet_from = IntegerField(_l("Quiet from (hour; nothing is sent until the send hour)"),
                              validators=[InputRequired(), NumberRange(min=0, max=23)])


for _kind, _label in KINDS.items():
    setattr(ScheduleForm, f"on_{_kind}", BooleanField(_label))


class PreferencesForm(BaseForm):
    """A member's channels, mobile number and the kinds they want."""

    by_email = BooleanField(_l("By email"))
    by_text = BooleanField(_l("By text message (KakaoTalk or SMS)"))
    mobile = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])

    def validate_mobile(self, field) -> None:
        if field.data and normalise_mobile(field.data) is None:
            raise ValidationError(_l("Enter a Korean mobile number, such as 010-1234-5678."))

    def validate_by_text(self, field) -> None:
        if field.data and not (self.mobile.data and normalise_mobile(self.mobile.data)):
            raise ValidationError(_l("Text messages need a mobile number."))


for _kind, _label in KINDS.items():
    setattr(PreferencesForm, f"want_{_kind}", BooleanField(_label))


class RetryForm(BaseForm):
    """Retry one notice."""

    notice_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])


class SendForm(BaseForm):
    """Send what is due now."""
