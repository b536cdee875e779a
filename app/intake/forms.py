"""Forms of the scan station: start a donation, scan, type a book in, edit a book."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from app.core.forms import DATA, BaseForm, IntegerField, db_int
from app.intake.books import EDITABLE, BookFields, provisional_title
from app.intake.donations import open_campaigns
from app.models import Book, ItemOutcome


class CampaignForm(BaseForm):
    """The campaign a donation counts towards: one of the open ones, or none."""

    campaign_id = SelectField(_l("Campaign"), coerce=str, validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_id.choices = [("", _("No campaign"))] + [
            (str(c.id), c.name, DATA) for c in open_campaigns()]

    def campaign_number(self) -> int | None:
        """Return the chosen campaign's id (None: no campaign)."""
        return int(self.campaign_id.data) if self.campaign_id.data else None


class StartForm(CampaignForm):
    """Who is giving: a card scan, a name or phone to search, or anonymous."""

    donor = StringField(_l("Donor's card, name or phone"),
                        validators=[Optional(), Length(max=100)])
    donor_id = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1)])
    find = SubmitField(_l("Start with this donor"))
    anonymous = SubmitField(_l("Anonymous donor"))


class ScanForm(BaseForm):
    scan = StringField(_l("Scan a book"), validators=[DataRequired(), Length(max=64)])


class ActionForm(BaseForm):
    """A button that only needs CSRF protection (undo, another copy, finish)."""


class _BookDetailsForm(BaseForm):
    """The fields of a book's record that the manual and the edit forms share."""

    authors = StringField(_l("Authors (separate with ;)"), validators=[Optional(),
                                                                       Length(max=1000)])
    publisher = StringField(_l("Publisher"), validators=[Optional(), Length(max=300)])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=0, max=2200)])
    language = StringField(
        _l("Language (ko, en...)"),
        validators=[Optional(), Length(max=8),
                    Regexp(r"^[A-Za-z-]+$", message=_l("Use a language code such as ko."))],
    )


class ManualBookForm(_BookDetailsForm):
    """The short form for a book no source knows (or one without an ISBN)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=500)])
    save = SubmitField(_l("Save"))
    later = SubmitField(_l("Save with ISBN only, complete later"))
    cancel = SubmitField(_l("Cancel"))

    def fields(self) -> BookFields:
        """Return the book as typed."""
        return BookFields(title=self.title.data, authors=split_authors(self.authors.data),
                          publisher=self.publisher.data, year=self.year.data,
                          language=self.language.data)


class EditBookForm(_BookDetailsForm):
    """Every field of a book's record a volunteer may correct."""

    isbn13 = StringField(_l("ISBN"), validators=[Optional(), Length(max=64)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    subtitle = StringField(_l("Subtitle"), validators=[Optional(), Length(max=500)])
    kdc = StringField(_l("KDC number"), validators=[
        Optional(), Length(max=20),
        Regexp(r"^[0-9]{1,3}(\.[0-9]+)?$", message=_l("A KDC number looks like 813.7.")),
    ])
    addon_code = StringField(_l("Add-on code (5 digits)"), validators=[
        Optional(), Length(max=5),
        Regexp(r"^[0-9]{5}$", message=_l("The add-on code has 5 digits.")),
    ])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def show(self, book: Book) -> None:
        """Fill in what the record's columns do not say as typed (a stand-in title shows empty)."""
        self.authors.data = "; ".join(book.author_list)
        if book.needs_metadata and book.isbn13 and book.title == provisional_title(book.isbn13):
            self.title.data = ""

    def values(self) -> dict:
        """Return the record's fields as corrected."""
        values = {name: getattr(self, name).data for name in EDITABLE}
        values["authors"] = split_authors(self.authors.data)
        return values


def split_authors(text: str | None) -> list[str]:
    """Split what was typed in the authors field into names."""
    if not text:
        return []
    parts = text.replace("；", ";").split(";")
    if len(parts) == 1 and "," in text:
        parts = text.split(",")
    return [p.strip() for p in parts if p.strip()]


class TriageForm(BaseForm):
    """What becomes of the item held back: kept anyway, passed on (where), declined (why)."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    partner_id = SelectField(_l("Pass on to"), coerce=db_int, validate_choice=False,
                             validators=[Optional()])
    kept = SubmitField(_l("Keep anyway"))
    passed_on = SubmitField(_l("Pass on"))
    declined = SubmitField(_l("Decline"))

    def outcome(self) -> ItemOutcome | None:
        """Return the outcome whose button was pressed."""
        for outcome in ItemOutcome:
            if getattr(self, outcome.value).data:
                return outcome
        return None


class TriageRulesForm(BaseForm):
    """The copy cap and the decline rules (a coordinator's setting)."""

    copy_cap = IntegerField(_l("Copies per title at most (0: no cap)"),
                            validators=[DataRequired(message=_l("Type a number.")),
                                        NumberRange(min=0, max=99)], default=2)
    study_aid_max_age = IntegerField(
        _l("Decline study aids (add-on reader groups 5 and 6) older than this many years "
           "(0: keep them all)"),
        validators=[Optional(), NumberRange(min=0, max=99)], default=5)
    decline_damaged = BooleanField(_l("Hold back items marked damaged"))
    decline_sets = BooleanField(_l("Hold back items marked as part of a set"))
    save = SubmitField(_l("Save"))


class PartnerForm(BaseForm):
    """A new institution to pass gifts on to."""

    name = StringField(_l("Institution"), validators=[DataRequired(), Length(max=200)])


class PartnerActiveForm(BaseForm):
    """Take an institution off the list, or put it back."""

    partner_id = IntegerField(widget=HiddenInput(), validators=[DataRequired(),
                                                                NumberRange(min=1)])
    active = SubmitField(_l("Use again"))
    retire = SubmitField(_l("Take off the list"))
