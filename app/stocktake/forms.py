"""Forms of the stocktake pages and of weeding."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    FloatField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from app.core.forms import BaseForm, IntegerField
from app.models import Disposition, WithdrawalReason

# The database's integer range: a larger id is refused, not sent to the database.
MAX_ID = 2**31 - 1
# The most copies one form may send.
MAX_IDS = 5000

KDC_CLASSES = [
    SelectChoice("0", _l("0 General works")), SelectChoice("1", _l("1 Philosophy")),
    SelectChoice("2", _l("2 Religion")), SelectChoice("3", _l("3 Social sciences")),
    SelectChoice("4", _l("4 Natural sciences")), SelectChoice("5", _l("5 Technology")),
    SelectChoice("6", _l("6 Arts")), SelectChoice("7", _l("7 Language")),
    SelectChoice("8", _l("8 Literature")), SelectChoice("9", _l("9 History")),
]
CLASS_CHOICES = [SelectChoice("", _l("All classes")), *KDC_CLASSES]
REASONS = [
    SelectChoice(WithdrawalReason.DAMAGED.value, _l("Damaged")),
    SelectChoice(WithdrawalReason.LOST.value, _l("Lost")),
    SelectChoice(WithdrawalReason.OUTDATED.value, _l("Outdated")),
    SelectChoice(WithdrawalReason.DUPLICATE.value, _l("Too many copies")),
    SelectChoice(WithdrawalReason.TRANSFERRED.value, _l("Transferred to a donation recipient")),
    SelectChoice(WithdrawalReason.OTHER.value, _l("Other")),
]
DISPOSITIONS = [
    SelectChoice(Disposition.PENDING.value, _l("Not decided yet")),
    SelectChoice(Disposition.DISPOSED.value, _l("Disposed of")),
    SelectChoice(Disposition.PASSED_ON.value, _l("Passed on to another library or institution")),
]


class IdsField(Field):
    """Several ids sent under one name (checked rows of a table)."""

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist[:MAX_IDS + 1]:
            try:
                number = int(value)
            except ValueError:
                number = 0
            if not 0 < number <= MAX_ID:
                self.data = []
                raise ValueError(_l("Not a valid choice."))
            self.data.append(number)
        if len(self.data) > MAX_IDS:
            self.data = []
            raise ValueError(_l("Too many copies at once."))

    def _value(self):
        return ""


class StartForm(BaseForm):
    """A new stocktake's scope."""

    site = SelectField(_l("Site"), choices=[], validate_choice=True, default="")
    shelf = StringField(_l("Shelf prefix (별치기호)"), validators=[Optional(), Length(max=64)])
    call_from = StringField(_l("Call numbers from"), validators=[Optional(), Length(max=64)])
    call_to = StringField(_l("to"), validators=[Optional(), Length(max=64)])
    in_order = BooleanField(_l("We scan the shelves in call-number order"), default=True)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ScanForm(BaseForm):
    """The stocktake's one scan field."""

    code = StringField(_l("Scan a copy label"), validators=[DataRequired(), Length(max=100)])
    # The page's own id, set by its script (see app.stocktake.scanning.scan).
    lane = HiddenField(validators=[Optional(), Length(max=32), Regexp(r"^[A-Za-z0-9]*$")])


class ConfirmForm(BaseForm):
    """A button that only needs the CSRF token."""


class ReinstateForm(BaseForm):
    copy_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    stocktake_id = HiddenField(validators=[Optional(), Length(max=12)])


class MissingForm(BaseForm):
    """The copies of a missing list to mark missing (or lost, if they already were)."""

    copy_ids = IdsField()
    every = BooleanField()  # the whole list, shown or not


class CandidatesForm(BaseForm):
    class Meta:
        csrf = False  # a GET form: looking changes nothing

    years = IntegerField(_l("Not borrowed for (years)"),
                         validators=[Optional(), NumberRange(min=1, max=50)])
    damaged = BooleanField(_l("Damaged"))
    copies_over = IntegerField(_l("More copies of a title than"),
                               validators=[Optional(), NumberRange(min=1, max=1000)])
    kdc_class = SelectField(_l("Class"), choices=CLASS_CHOICES, default="")


class WithdrawForm(BaseForm):
    copy_ids = IdsField()
    reason = SelectField(_l("Reason"), choices=REASONS, validators=[InputRequired()])
    disposition = SelectField(_l("What becomes of them"), choices=DISPOSITIONS,
                              default=Disposition.PENDING.value, validators=[InputRequired()])
    passed_to = StringField(_l("Passed on to"), validators=[Optional(), Length(max=200)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class DispositionForm(BaseForm):
    disposition = SelectField(_l("What became of it"), choices=DISPOSITIONS,
                              validators=[InputRequired()])
    passed_to = StringField(_l("Passed on to"), validators=[Optional(), Length(max=200)])


class CapForm(BaseForm):
    percent = FloatField(_l("Yearly cap (percent of the collection)"),
                         validators=[InputRequired(), NumberRange(min=0, max=100)])


class LeastBorrowedForm(BaseForm):
    class Meta:
        csrf = False

    years = IntegerField(_l("In the last (years)"), default=3,
                         validators=[Optional(), NumberRange(min=1, max=50)])
    kdc_class = SelectField(_l("Class"), choices=CLASS_CHOICES, default="")
