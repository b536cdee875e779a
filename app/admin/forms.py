"""Forms for the coordinators' administration pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from app.admin.services import RULE_FIELDS
from app.catalog.callnumbers import (
    COPY_CHOICES,
    PREFIX_MAX,
    TITLE_MARK_CHOICES,
    VOLUME_CHOICES,
)
from app.core.classification import ADDON_FORMS, READER_GROUPS
from app.core.forms import BaseForm, IntegerField
from app.core.vocabulary import ROLE_LABELS
from app.models import Role

ROLE_CHOICES = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class MemberSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Name, email, phone or card"), validators=[Optional(), Length(max=100)])


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class ActiveForm(BaseForm):
    active = BooleanField()


class ConfirmForm(BaseForm):
    """A button that only needs CSRF protection."""


class NewMemberForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("Email (optional)"),
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
        render_kw={"autocomplete": "off"},  # someone else's address, not the staff's own
    )
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.MEMBER.value)

    def member(self) -> dict:
        """Return the new member's details (no email: the card is what they use)."""
        role = Role(self.role.data) if "role" in self else Role.MEMBER
        return {"name": self.name.data, "email": self.email.data or None,
                "phone": self.phone.data, "role": role}


class LoanRulesForm(BaseForm):
    loan_days = IntegerField(_l("Loan days"), validators=[DataRequired(), NumberRange(1, 365)])
    max_renewals = IntegerField(
        _l("Renewals allowed"), validators=[Optional(), NumberRange(0, 20)], default=0
    )
    renewal_days = IntegerField(
        _l("Days added by a renewal"), validators=[DataRequired(), NumberRange(1, 365)]
    )
    max_loans = IntegerField(
        _l("Most loans per member"), validators=[DataRequired(), NumberRange(1, 200)]
    )
    max_holds = IntegerField(
        _l("Most holds per member"), validators=[Optional(), NumberRange(0, 200)], default=0
    )
    hold_shelf_days = IntegerField(
        _l("Days a hold waits on the shelf"), validators=[DataRequired(), NumberRange(1, 60)]
    )
    renew_overdue_days = IntegerField(
        _l("Renewal allowed up to this many days overdue"),
        validators=[Optional(), NumberRange(0, 365)],
        default=0,
    )
    overdue_blocks = BooleanField(_l("An overdue loan blocks new loans"))
    self_checkout = BooleanField(_l("Members may check out books themselves on their page"))

    def values(self) -> dict:
        """Return the rules as set (an empty count is none)."""
        values = {name: getattr(self, name).data for name in RULE_FIELDS}
        for name in ("max_renewals", "max_holds", "renew_overdue_days"):
            values[name] = values[name] or 0
        return values


def _prefix_field(label) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=PREFIX_MAX)])


class CallNumberSettingsForm(BaseForm):
    """The library's call-number rules; a shelf prefix (별치기호) per reader group and form."""

    title_mark = SelectField(_l("Title mark"),
                             choices=[SelectChoice(v, label) for v, label in TITLE_MARK_CHOICES])
    volume_style = SelectField(_l("Volume mark"),
                               choices=[SelectChoice(v, label) for v, label in VOLUME_CHOICES])
    copy_style = SelectField(_l("Copy mark"),
                             choices=[SelectChoice(v, label) for v, label in COPY_CHOICES])
    large_print_prefix = _prefix_field(_l("Large-print books (큰글자 in the title)"))

    READER_GROUP_FIELDS = tuple((f"reader_group_{d}", d) for d in READER_GROUPS)
    FORM_FIELDS = tuple((f"form_{d}", d) for d in ADDON_FORMS)

    @classmethod
    def from_settings(cls, values: dict) -> "CallNumberSettingsForm":
        data = {name: values[name] for name in
                ("title_mark", "volume_style", "copy_style", "large_print_prefix")}
        for name, digit in cls.READER_GROUP_FIELDS:
            data[name] = values["reader_group_prefixes"].get(digit, "")
        for name, digit in cls.FORM_FIELDS:
            data[name] = values["form_prefixes"].get(digit, "")
        return cls(data=data)

    def values(self) -> dict:
        """Return the settings as entered."""
        def read(fields):
            return {digit: getattr(self, name).data.strip() for name, digit in fields
                    if (getattr(self, name).data or "").strip()}
        return {"title_mark": self.title_mark.data, "volume_style": self.volume_style.data,
                "copy_style": self.copy_style.data,
                "large_print_prefix": self.large_print_prefix.data or "",
                "reader_group_prefixes": read(self.READER_GROUP_FIELDS),
                "form_prefixes": read(self.FORM_FIELDS)}


for _digit, _name in READER_GROUPS.items():
    setattr(CallNumberSettingsForm, f"reader_group_{_digit}", _prefix_field(_name))
for _digit, _name in ADDON_FORMS.items():
    setattr(CallNumberSettingsForm, f"form_{_digit}", _prefix_field(_name))
