"""API endpoint for a donation: every item given, kept or not, and what became of it."""

from typing import Literal

from pydantic import BaseModel, Field

from app.api import bp
from app.api.spec import DateTime, operation
from app.campaigns.gifts import GiftLine, donation_lines
from app.core.access import access
from app.errors import UnknownDonation
from app.extensions import db
from app.models import Donation, Role


class GiftItem(BaseModel):
    """One donated item: its outcome at intake and, if kept, its copy's fate since."""

    title: str
    outcome: Literal["kept", "passed_on", "declined"]
    fate: str = Field(description="on_shelf, on_loan, waiting, gone, withdrawn, disposed, "
                                  "passed_on_later (withdrawn, then passed on), passed_on, "
                                  "declined.")
    loans: int
    barcode: str | None = Field(description="The copy's barcode, when kept.")
    held_for: str | None = Field(description="Why intake held it back (copy_cap, "
                                             "old_reference, damaged, set, volunteer).")
    reason: str | None
    passed_to: str | None

    @classmethod
    def of(cls, line: GiftLine) -> "GiftItem":
        """Return the API's view of one line."""
        return cls(title=line.title, outcome=line.outcome.value, fate=line.fate,
                   loans=line.loans, barcode=line.barcode, held_for=line.held_for,
                   reason=line.reason, passed_to=line.passed_to)


class DonationItems(BaseModel):
    """A donation and every item in it."""

    id: int
    anonymous: bool
    donor_id: int | None
    campaign_id: int | None
    received_at: DateTime
    received: int = Field(description="Items received (kept + passed on + declined).")
    kept: int
    passed_on: int
    declined: int
    items: list[GiftItem]


@bp.route("/donations/<int(max=2147483647):donation_id>", methods=["GET"])
@access(Role.VOLUNTEER)
@operation("getDonation", tag="intake", responses={
    200: (DonationItems, "The donation and its items with their outcomes."),
    404: "No such donation (unknown_donation)."})
def get_donation(donation_id: int):
    """One donation with every item given and what became of it."""
    donation = db.session.get(Donation, donation_id)
    if donation is None:
        raise UnknownDonation()
    lines = donation_lines([donation.id])[donation.id]
    count = {o: sum(1 for line in lines if line.outcome.value == o)
             for o in ("kept", "passed_on", "declined")}
    return DonationItems(
        id=donation.id, anonymous=donation.anonymous, donor_id=donation.donor_id,
        campaign_id=donation.campaign_id, received_at=donation.received_at,
        received=len(lines), **count, items=[GiftItem.of(line) for line in lines])
