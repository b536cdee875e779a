"""The reports' date range."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import DataRequired

from app.core.forms import BaseForm

MAX_RANGE_DAYS = 3660  # ten years: more months would not fit a chart


class RangeForm(BaseForm):
    class Meta:
        csrf = False  # a GET form: reading reports changes nothing

    start = DateField(_l("From"), validators=[DataRequired()])
    end = DateField(_l("To"), validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.end.data < self.start.data:
            self.end.errors.append(_l("The end date is before the start date."))
            return False
        if (self.end.data - self.start.data).days > MAX_RANGE_DAYS:
            self.end.errors.append(_l("Choose a range of at most ten years."))
            return False
        return True
