"""API endpoints for donation campaigns: list, one campaign with totals, create."""

from datetime import date

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp
from app.api.util import field, iso, json_body
from app.campaigns import services
from app.campaigns.services import DESCRIPTION_MAX, NAME_MAX, Totals
from app.core.access import ANYONE, access
from app.errors import InvalidInput, UnknownCampaign
from app.extensions import db
from app.models import Campaign, Role, utcnow

CREATE_FIELDS = {"name", "goal_books", "starts_on", "ends_on", "description", "is_active",
                 "is_default"}


def campaign_json(campaign: Campaign, totals: Totals) -> dict:
    """Return the API's view of a campaign with its totals."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "goal_books": campaign.goal_books,
        "books_donated": totals.books,
        "books_in_collection": totals.in_collection,
        "titles": totals.titles,
        "donors": totals.donors,
        "donations": totals.donations,
        "anonymous_donations": totals.anonymous_donations,
        "progress_percent": totals.percent,
        "starts_on": iso(campaign.starts_on),
        "ends_on": iso(campaign.ends_on),
        "is_active": campaign.is_active,
        "is_default": campaign.is_default,
        "closed_at": iso(campaign.closed_at),
        "url": url_for("campaigns.show", campaign_id=campaign.id, _external=True),
    }


@bp.route("/campaigns", methods=["GET"])
@access(ANYONE)
def list_campaigns():
    """Every campaign with its totals."""
    campaigns = services.list_campaigns()
    totals = services.totals_by_campaign([c.id for c in campaigns])
    return jsonify({"items": [campaign_json(c, totals[c.id]) for c in campaigns],
                    "total": len(campaigns)})


@bp.route("/campaigns/<int(max=2147483647):campaign_id>", methods=["GET"])
@access(ANYONE)
def get_campaign(campaign_id: int):
    """One campaign with its totals."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise UnknownCampaign()
    return jsonify(campaign_json(campaign, services.campaign_totals(campaign)))


@bp.route("/campaigns", methods=["POST"])
@access(Role.COORDINATOR)
def create_campaign():
    """Create a campaign: name, goal_books, starts_on, ends_on?, description?."""
    data = json_body()
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        raise InvalidInput(_("The field '%(name)s' is not known.", name=unknown[0]))
    values = {
        "name": field(data, "name", str, max_length=NAME_MAX),
        "goal_books": field(data, "goal_books", int, required=False),
        "starts_on": field(data, "starts_on", date),
        "ends_on": field(data, "ends_on", date, required=False),
        "description": field(data, "description", str, required=False,
                             max_length=DESCRIPTION_MAX),
        "is_active": field(data, "is_active", bool, required=False),
        "is_default": field(data, "is_default", bool, required=False),
    }
    values["is_active"] = True if values["is_active"] is None else values["is_active"]
    values["is_default"] = bool(values["is_default"])
    campaign = services.create_campaign(**values, by=current_user, now=utcnow())
    db.session.commit()
    return jsonify(campaign_json(campaign, services.campaign_totals(campaign))), 201
