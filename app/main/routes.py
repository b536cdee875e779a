"""The home page."""

from flask import render_template

from app.campaigns import services as campaigns
from app.catalog import services as catalog
from app.core.access import ANYONE, access
from app.main import bp
from app.models import utcnow


@bp.route("/")
@access(ANYONE)
def index():
    """Home: search, the active campaign's progress, new arrivals, most borrowed."""
    campaign = campaigns.home_campaign()
    return render_template(
        "main/index.html", campaign=campaign,
        # One definition of "books donated" (withdrawn copies still count): the campaigns'.
        donated=campaigns.books_donated(campaign) if campaign is not None else 0,
        new_books=[hit.book for hit in catalog.new_arrivals(limit=8)],
        popular=catalog.most_borrowed(now=utcnow(), limit=8),
    )
