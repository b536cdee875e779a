"""API endpoints for intake: what an ISBN is, and receiving one donated copy."""

from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from app import isbn as isbnmod
from app.api import bp
from app.api.serializers import Addon, BookRecord
from app.api.spec import DateTime, operation
from app.core.access import access
from app.core.text import nfc
from app.core.validation import MAX_BIG_ID, Messages, Text
from app.errors import InvalidInput, MetadataRequired
from app.extensions import db
from app.intake import books, lookup, services, triage
from app.intake.donations import donation_tally
from app.models import CopyStatus, DonationItem, ItemOutcome, Role, utcnow


def _names(value: str | list[str] | None) -> list[str]:
    """Authors as a list: given as one, or as one text separated by ';'."""
    names = value.split(";") if isinstance(value, str) else value or []
    names = [n for n in (nfc(n) for n in names) if n]
    if len("; ".join(names)) > books.AUTHORS_MAX:
        raise InvalidInput(_l("The field '%(name)s' is too long (at most %(max)d characters)."),
                           name="authors", max=books.AUTHORS_MAX)
    return names


def _year_text(value):
    """A year sent as digits in a string ("1999") counts as the number."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return value


class BookFields(BaseModel):
    """What a person typed about a book (used when no source knows its ISBN)."""

    title: Text(books.TITLE_MAX)
    subtitle: Text(books.TITLE_MAX, required=False) | None = None
    authors: Annotated[
        str | list[str] | None, AfterValidator(_names),
        Messages(_l("The field '%(name)s' must be a list of names.")),
    ] = Field(None, description="A list of names, or one text with names separated by ';'.")
    publisher: Text(books.PUBLISHER_MAX, required=False) | None = None
    year: Annotated[
        Annotated[int, Field(ge=0, le=2200)] | None, BeforeValidator(_year_text),
        Messages(_l("The field '%(name)s' must be a year.")),
    ] = None
    language: Text(8, required=False) | None = Field(None, description="ISO 639 code: ko, en.")

    def as_fields(self) -> books.BookFields:
        """Return them as the intake services take them."""
        return books.BookFields(title=self.title, subtitle=self.subtitle, authors=self.authors,
                                   publisher=self.publisher or None, year=self.year,
                                   language=self.language or None)


class IntakeRequest(BaseModel):
    """One donated copy: its scan (or typed metadata alone), the donor and the campaign."""

    scan: Text(64, required=False) | None = Field(
        None, description="The raw scan: ISBN-10/13, hyphens, an 18-digit scan with its add-on "
                          "code. Needed unless metadata is sent.")
    donor_card: Text(64, required=False) | None = Field(
        None, description="The donor's card; none for an anonymous donation.")
    anonymous: bool | None = None
    campaign_id: int | None = Field(
        None, ge=1, le=MAX_BIG_ID,
        description="The campaign; absent: the default campaign, null: none.")
    force: bool | None = Field(None, description="Add a copy even on a double scan.")
    complete_later: bool | None = Field(
        None, description="Save an unknown ISBN with the ISBN only, to complete later.")
    metadata: BookFields | None = None
    mark: Literal["damaged", "set"] | None = Field(
        None, description="What the volunteer saw: the item is damaged, or part of a set "
                          "(the decline rules hold such items back).")
    outcome: Literal["kept", "passed_on", "declined"] | None = Field(
        None, description="What becomes of an item held back (triage_required): kept anyway "
                          "(a copy is added), passed on (to passed_to) or declined.")
    reason: Text(triage.REASON_MAX, required=False) | None = Field(
        None, description="Why it is kept anyway or declined.")
    passed_to: int | None = Field(
        None, ge=1, le=MAX_BIG_ID,
        description="The institution it is passed on to (its id in the coordinator's list).")

    @model_validator(mode="after")
    def _scan_or_metadata(self) -> "IntakeRequest":
        if not self.scan and self.metadata is None:
            raise InvalidInput(_l("The field '%(name)s' is required."), name="scan")
        if self.donor_card and self.anonymous:
            raise InvalidInput(_l("Give a donor card or anonymous, not both."))
        return self


class Metadata(BaseModel):
    """Cleaned metadata of an ISBN, from one provider."""

    isbn13: str
    title: str
    subtitle: str | None
    authors: list[str]
    publisher: str | None
    year: int | None
    language: str | None
    kdc: str | None
    addon_code: str | None
    page_count: int | None
    series: str | None
    provider: str

    @classmethod
    def of(cls, metadata: isbnmod.Metadata | None) -> "Metadata | None":
        """Return provider metadata, or None."""
        if metadata is None:
            return None
        return cls(isbn13=metadata.isbn13, title=metadata.title, subtitle=metadata.subtitle,
                   authors=list(metadata.authors), publisher=metadata.publisher,
                   year=metadata.year, language=metadata.language, kdc=metadata.kdc,
                   addon_code=metadata.addon_code, page_count=metadata.page_count,
                   series=metadata.series, provider=metadata.source)


class IsbnInfo(BaseModel):
    """What an ISBN is, and what we (or the metadata sources) know about it."""

    isbn13: str
    isbn10: str | None
    hyphenated: str | None
    addon: Addon | None
    group: str | None
    book: BookRecord | None = Field(description="Our record, when we have the book.")
    metadata: Metadata | None
    source: str | None


class Copy(BaseModel):
    """A copy received."""

    id: int
    barcode: str
    book_id: int
    status: CopyStatus
    donation_id: int | None
    created_at: DateTime
    created_by_id: int | None


class Donor(BaseModel):
    """A donor."""

    id: int
    name: str
    card: str


class Donation(BaseModel):
    """A donation with its running tally."""

    id: int
    anonymous: bool
    donor: Donor | None
    campaign_id: int | None
    received_at: DateTime
    received_by_id: int | None
    copies: int
    titles: int


class Item(BaseModel):
    """A donated item held back at intake, and what became of it."""

    id: int
    outcome: Literal["kept", "passed_on", "declined"]
    held_for: str = Field(description="copy_cap, old_reference, damaged, set or volunteer.")
    reason: str | None
    passed_to: str | None = Field(description="The institution's name, when passed on.")
    isbn13: str | None
    title: str | None
    copy_id: int | None

    @classmethod
    def of(cls, item: DonationItem) -> "Item":
        """Return the API's view of an item."""
        return cls(id=item.id, outcome=item.outcome.value, held_for=item.held_for,
                   reason=item.reason, passed_to=item.passed_to, isbn13=item.isbn13,
                   title=item.title, copy_id=item.copy_id)


class Intake(BaseModel):
    """The copy received, its book and the donation (and the item, when it was held back)."""

    model_config = ConfigDict(validate_by_name=True)

    copy_: Copy | None = Field(alias="copy", description="None when the item was not kept.")
    book: BookRecord | None
    donation: Donation
    item: Item | None = Field(None, description="The item's outcome, when it was held back.")
    duplicate: bool = Field(description="A double scan: the copy received moments ago.")
    created_book: bool
    source: str | None

    @classmethod
    def of(cls, result: services.IntakeResult | None,
           item: DonationItem | None = None) -> "Intake":
        """Return the API's answer to one received copy, or one item held back."""
        copy = result.copy if result is not None else None
        donation = result.donation if result is not None else item.donation
        donor = donation.donor
        tally = (result.tally if result is not None and result.tally is not None
                 else donation_tally(donation))
        book = result.book if result is not None else item.book
        return cls(
            copy_=Copy(id=copy.id, barcode=copy.barcode, book_id=copy.book_id,
                       status=copy.status, donation_id=copy.donation_id,
                       created_at=copy.created_at, created_by_id=copy.created_by_id)
            if copy is not None else None,
            book=BookRecord.of(book) if book is not None else None,
            donation=Donation(
                id=donation.id, anonymous=donation.anonymous,
                donor=(Donor(id=donor.id, name=donor.name, card=donor.card_barcode)
                       if donor is not None else None),
                campaign_id=donation.campaign_id, received_at=donation.received_at,
                received_by_id=donation.received_by_id, **tally),
            duplicate=result.duplicate if result is not None else False,
            created_book=result.created_book if result is not None else False,
            source=result.source if result is not None else None,
            item=Item.of(item) if item is not None else None,
        )


@bp.route("/isbn/<raw>", methods=["GET"])
@access(Role.VOLUNTEER)
@operation("lookupIsbn", tag="intake", params={"raw": "Raw scan: ISBN-10/13, hyphens, add-on."},
           responses={200: (IsbnInfo, "What the ISBN is and what we know."),
                      400: "Not a valid ISBN (invalid_isbn)."})
def isbn_lookup(raw: str):
    """Read a scan and say what we (or the metadata sources) know about the ISBN."""
    answer = lookup.find_isbn(raw, now=utcnow())
    db.session.commit()  # keep what the metadata cache learnt
    scan = answer.scan
    return IsbnInfo(
        isbn13=scan.isbn13, isbn10=scan.isbn10, hyphenated=scan.hyphenated,
        addon=Addon.of(scan.addon.code if scan.addon else None), group=scan.group,
        book=BookRecord.of(answer.book) if answer.book is not None else None,
        metadata=Metadata.of(answer.metadata), source=answer.source,
    )


@bp.route("/intake", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("intake", tag="intake", body=IntakeRequest, responses={
    201: (Intake, "The new copy, its book and the donation."),
    200: (Intake, "A repeated scan (duplicate: true): the copy received moments ago, not a "
                  "second one."),
    400: "The body or the scan is not valid (invalid_json, invalid_input, invalid_isbn).",
    404: "unknown_campaign, unknown_member (no member has the donor card) or "
         "unknown_partner (passed_to).",
    409: "campaign_closed, donor_inactive (the donor's account is deactivated), or "
         "triage_required: the copy cap or a decline rule holds the item back and nothing is "
         "added; the error says the rule (reason: copy_cap, old_reference, damaged, set) and "
         "the title's copies; send the same body with an outcome.",
    422: "No source knows the ISBN and no metadata was sent (metadata_required).",
})
def intake(body: IntakeRequest):
    """Receive one donated item: a scanned ISBN (or typed metadata) becomes a new copy,
    unless the copy cap or a decline rule holds it back (then its outcome is recorded)."""
    given = body.model_fields_set
    try:
        settled = triage.receive(
            body.scan, fields=body.metadata.as_fields() if body.metadata else None,
            donor_card=body.donor_card,
            campaign_id=body.campaign_id if "campaign_id" in given else services.DEFAULT_CAMPAIGN,
            force=bool(body.force), complete_later=bool(body.complete_later),
            mark=body.mark, outcome=ItemOutcome(body.outcome) if body.outcome else None,
            reason=body.reason, partner_id=body.passed_to, by=current_user, now=utcnow())
    except MetadataRequired:
        db.session.commit()  # only the metadata cache was written
        raise
    # Answered from the objects in hand: after the commit they would be read again.
    answer = Intake.of(settled.result, settled.item)
    db.session.commit()
    duplicate = settled.result is not None and settled.result.duplicate
    return answer, 200 if duplicate else 201
