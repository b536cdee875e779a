"""Forms for the label print queue, sheet templates and member cards."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FloatField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import BaseForm, IntegerField, db_int
from app.models import LabelKind


class PrintForm(BaseForm):
    """Template and start position for a print (the selected rows come as `item`)."""

    class Meta:
        csrf = False  # also read from GET (preview); POSTs are checked by the app's hook

    template = SelectField(_l("Label sheet"), coerce=db_int, validate_choice=True)
    start_at = IntegerField(
        _l("Start at label"), validators=[InputRequired(), NumberRange(min=1, max=1000)],
        default=1,
    )
    content = SelectField(_l("Print"), default="labels", validators=[Optional()], choices=[
        SelectChoice("labels", _l("Barcode labels")),
        SelectChoice("spine", _l("Spine labels (call number)")),
        SelectChoice("combined", _l("Barcode label and spine label together")),
    ])


class DonationForm(BaseForm):
    donation = IntegerField(
        _l("Donation number"), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class RangeForm(BaseForm):
    first = StringField(_l("From barcode"), validators=[DataRequired(), Length(max=32)])
    last = StringField(_l("To barcode"), validators=[DataRequired(), Length(max=32)])


class ScansForm(BaseForm):
    codes = TextAreaField(
        _l("Scanned barcodes"), validators=[DataRequired(), Length(max=60_000)]
    )


class OffsetForm(BaseForm):
    template = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    offset_x_mm = FloatField(
        _l("Printer offset right (mm)"), validators=[InputRequired(), NumberRange(-20, 20)]
    )
    offset_y_mm = FloatField(
        _l("Printer offset down (mm)"), validators=[InputRequired(), NumberRange(-20, 20)]
    )


KIND_CHOICES = [
    SelectChoice(LabelKind.COPY.value, _l("Copy labels")),
    SelectChoice(LabelKind.CARD.value, _l("Member cards")),
]


def _mm(label, minimum=0.0, maximum=1000.0, required=True):
    return FloatField(
        label,
        validators=[InputRequired() if required else Optional(), NumberRange(minimum, maximum)],
        default=0,
    )


class TemplateForm(BaseForm):
    """A sheet template; SheetSpec.problems() checks that the numbers make a printable sheet."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Prints"), choices=KIND_CHOICES, default=LabelKind.COPY.value)
    page_width_mm = _mm(_l("Page width (mm)"), 10)
    page_height_mm = _mm(_l("Page height (mm)"), 10)
    rows = IntegerField(_l("Rows"), validators=[InputRequired(), NumberRange(1, 50)])
    columns = IntegerField(_l("Columns"), validators=[InputRequired(), NumberRange(1, 20)])
    label_width_mm = _mm(_l("Label width (mm)"), 5)
    label_height_mm = _mm(_l("Label height (mm)"), 5)
    margin_top_mm = _mm(_l("Top margin (mm)"))
    margin_left_mm = _mm(_l("Left margin (mm)"))
    gap_x_mm = _mm(_l("Gap between columns (mm)"))
    gap_y_mm = _mm(_l("Gap between rows (mm)"))
    offset_x_mm = _mm(_l("Printer offset right (mm)"), -20, 20)
    offset_y_mm = _mm(_l("Printer offset down (mm)"), -20, 20)
    is_default = BooleanField(_l("Preselect this sheet for its kind"))

    def values(self) -> dict:
        """Return the template's values as the service takes them."""
        out = {}
        for name in ("page_width_mm", "page_height_mm", "label_width_mm", "label_height_mm",
                     "margin_top_mm", "margin_left_mm", "gap_x_mm", "gap_y_mm",
                     "offset_x_mm", "offset_y_mm"):
            out[name] = float(getattr(self, name).data)
        out.update(name=self.name.data, kind=LabelKind(self.kind.data), rows=self.rows.data,
                   columns=self.columns.data, is_default=bool(self.is_default.data))
        return out


class CardPrintForm(BaseForm):
    class Meta:
        csrf = False  # read from GET too; POSTs are checked by the app's hook

    template = SelectField(_l("Card sheet"), coerce=db_int, validate_choice=True)
    start_at = IntegerField(
        _l("Start at card"), validators=[InputRequired(), NumberRange(min=1, max=1000)],
        default=1,
    )
