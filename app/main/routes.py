"""The home page."""

import sqlalchemy as sa
from flask import render_template

from app.catalog import services as catalog
from app.core.access import ANYONE, access
from app.extensions import db
from app.main import bp
from app.models import Campaign, utcnow


@bp.route("/")
@access(ANYONE)
def index():
    """Home: search, the active campaign's progress, new arrivals, most borrowed."""
    campaign = db.session.scalar(
        sa.select(Campaign)
        .where(Campaign.is_active.is_(True))
        .order_by(Campaign.is_default.desc(), Campaign.starts_on.desc())
        .limit(1)
    )
    donated = 0
    if campaign is not None:
        # One definition of "books donated" (withdrawn copies still count): the campaigns'.
        from app.campaigns.services import books_donated

        donated = books_donated(campaign)
    new_books = [hit.book for hit in catalog.new_arrivals(limit=8)]
    popular = catalog.most_borrowed(now=utcnow(), limit=8)
    return render_template(
        "main/index.html", campaign=campaign, donated=donated, new_books=new_books,
        popular=popular,
    )
