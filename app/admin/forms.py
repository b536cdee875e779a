"""Forms for the coordinators' administration pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from app.admin.services import RULE_FIELDS
from app.core.forms import BaseForm, IntegerField
from app.models import Role

ROLE_CHOICES = [
    SelectChoice(Role.MEMBER.value, _l("Member")),
    SelectChoice(Role.VOLUNTEER.value, _l("Volunteer")),
    SelectChoice(Role.COORDINATOR.value, _l("Coordinator")),
]


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
