"""API endpoints for donation campaigns: list, one campaign with totals, create."""

from datetime import date

from flask import url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from app import models
from app.api import bp
from app.api.spec import DateTime, operation
from app.campaigns import services
from app.campaigns.services import DESCRIPTION_MAX, GOAL_MAX, NAME_MAX, Totals
from app.core.access import ANYONE, access
from app.core.validation import IsoDate, Text
from app.errors import UnknownCampaign
from app.extensions import db
from app.models import Role, utcnow


class CampaignRequest(BaseModel):
    """A new campaign (no other fields are accepted)."""

    model_config = ConfigDict(extra="forbid")

    name: Text(NAME_MAX)
    goal_books: int | None = Field(None, ge=1, le=GOAL_MAX, description="Books hoped for.")
    starts_on: IsoDate
    ends_on: IsoDate | None = None
    description: Text(DESCRIPTION_MAX, required=False) | None = None
    is_active: bool = True
    is_default: bool = Field(False, description="Preselected at intake (one campaign is).")


class Campaign(BaseModel):
    """A donation campaign with its totals."""

    id: int
    name: str
    description: str | None
    goal_books: int | None
    books_donated: int
    books_in_collection: int
    titles: int
    donors: int
    donations: int
    anonymous_donations: int
    progress_percent: int | None = Field(description="Books donated per goal, in whole "
                                                     "percent (may pass 100).")
    starts_on: date
    ends_on: date | None
    is_active: bool
    is_default: bool
    closed_at: DateTime | None
    url: str = Field(description="The campaign's page.")

    @classmethod
    def of(cls, campaign: models.Campaign, totals: Totals) -> "Campaign":
        """Return the API's view of a campaign with its totals."""
        return cls(
            id=campaign.id, name=campaign.name, description=campaign.description,
            goal_books=campaign.goal_books, books_donated=totals.books,
            books_in_collection=totals.in_collection, titles=totals.titles,
            donors=totals.donors, donations=totals.donations,
            anonymous_donations=totals.anonymous_donations, progress_percent=totals.percent,
            starts_on=campaign.starts_on, ends_on=campaign.ends_on,
            is_active=campaign.is_active, is_default=campaign.is_default,
            closed_at=campaign.closed_at,
            url=url_for("campaigns.show", campaign_id=campaign.id, _external=True),
        )


class CampaignList(BaseModel):
    """Every campaign with its totals."""

    items: list[Campaign]
    total: int


@bp.route("/campaigns", methods=["GET"])
@access(ANYONE)
@operation("listCampaigns", tag="campaigns", responses={200: (CampaignList, "Campaigns.")})
def list_campaigns():
    """Every campaign with its totals."""
    campaigns = services.list_campaigns()
    totals = services.totals_by_campaign([c.id for c in campaigns])
    return CampaignList(items=[Campaign.of(c, totals[c.id]) for c in campaigns],
                        total=len(campaigns))


@bp.route("/campaigns/<int(max=2147483647):campaign_id>", methods=["GET"])
@access(ANYONE)
@operation("getCampaign", tag="campaigns", responses={
    200: (Campaign, "The campaign."), 404: "No such campaign (unknown_campaign)."})
def get_campaign(campaign_id: int):
    """One campaign with its totals."""
    campaign = db.session.get(models.Campaign, campaign_id)
    if campaign is None:
        raise UnknownCampaign()
    return Campaign.of(campaign, services.campaign_totals(campaign))


@bp.route("/campaigns", methods=["POST"])
@access(Role.COORDINATOR)
@operation("createCampaign", tag="campaigns", body=CampaignRequest, responses={
    201: (Campaign, "The campaign."),
    409: "It cannot be the default for intake (not active).",
})
def create_campaign(body: CampaignRequest):
    """Start a campaign."""
    campaign = services.create_campaign(**body.model_dump(), by=current_user, now=utcnow())
    db.session.commit()
    return Campaign.of(campaign, services.campaign_totals(campaign)), 201
