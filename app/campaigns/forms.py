"""Forms for campaigns and moving a donation."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.campaigns.services import DESCRIPTION_MAX, GOAL_MAX, NAME_MAX
from app.core.forms import DATA, BaseForm, IntegerField, db_int
from app.models import Campaign, Donation

CAMPAIGN_FIELDS = ("name", "description", "goal_books", "starts_on", "ends_on", "is_active",
                   "is_default")


class CampaignForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    goal_books = IntegerField(
        _l("Goal (books)"), validators=[Optional(), NumberRange(min=1, max=GOAL_MAX)]
    )
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    is_active = BooleanField(_l("Active"), default=True)
    is_default = BooleanField(_l("Default campaign for intake"))

    def values(self) -> dict:
        """Return the campaign's details as typed."""
        return {name: getattr(self, name).data for name in CAMPAIGN_FIELDS}


class ConfirmForm(BaseForm):
    """An empty form: only the CSRF token."""


class MoveDonationForm(BaseForm):
    """Move one donation to another campaign (each donation's form has its own prefix)."""

    campaign_id = SelectField(_l("Move to campaign"), coerce=db_int)

    @classmethod
    def of(cls, donation: Donation, campaigns: list[Campaign]) -> "MoveDonationForm":
        """Return the donation's form, offering these campaigns."""
        form = cls(prefix=f"d{donation.id}")
        form.campaign_id.choices = [(c.id, c.name, DATA) for c in campaigns]
        return form
