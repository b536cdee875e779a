"""Campaign use cases (create, edit, close, default for intake, move a donation) and totals.

Counting rules (one definition, used by the campaign page, the home page and the API):

- A campaign's donations are those whose `campaign_id` points to it *now*: moving a
  donation to another campaign moves all its copies' counts with it.
- "Books donated" counts every copy received in the campaign's donations, including
  copies withdrawn later: a withdrawal (worn out, lost) does not undo the gift, and
  progress to the goal does not go backwards. `in_collection` counts the copies not
  withdrawn, for coordinators who want that too.
- Donors are distinct members among donations not marked anonymous; anonymous
  donations are those marked anonymous or with no donor member.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core import audit
from app.errors import (
    CampaignClosed,
    Conflict,
    DonationAlreadyInCampaign,
    InvalidInput,
)
from app.extensions import db
from app.models import Campaign, CampaignBook, Donation, Member

NAME_MAX = 200
DESCRIPTION_MAX = 5000
GOAL_MAX = 1_000_000


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------


def _validated(
    name: str | None,
    goal_books: int | None,
    starts_on: date | None,
    ends_on: date | None,
    description: str | None,
) -> dict:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("A campaign needs a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(_("The name is too long (at most %(max)d characters).", max=NAME_MAX))
    if goal_books is not None and (
        isinstance(goal_books, bool) or not isinstance(goal_books, int)
        or not 1 <= goal_books <= GOAL_MAX
    ):
        raise InvalidInput(_("The goal must be a whole number of books from 1 to %(max)d.",
                             max=GOAL_MAX))
    if not isinstance(starts_on, date):
        raise InvalidInput(_("A campaign needs a start date."))
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput(_("The campaign cannot end before it starts."))
    description = (description or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("The description is too long (at most %(max)d characters).",
                             max=DESCRIPTION_MAX))
    return dict(name=name, goal_books=goal_books, starts_on=starts_on, ends_on=ends_on,
                description=description)


def create_campaign(
    *,
    name: str,
    starts_on: date,
    goal_books: int | None = None,
    ends_on: date | None = None,
    description: str | None = None,
    is_active: bool = True,
    is_default: bool = False,
    site_id: int | None = None,
    by: Member,
    now: datetime,
) -> Campaign:
    """Create a campaign (optionally the default for intake) and record it."""
    values = _validated(name, goal_books, starts_on, ends_on, description)
    campaign = Campaign(**values, is_active=is_active, is_default=False, site_id=site_id,
                        created_at=now, created_by_id=by.id)
    db.session.add(campaign)
    db.session.flush()
    audit.record("campaign.create", actor=by, entity="campaign", entity_id=campaign.id,
                 now=now, name=campaign.name)
    if is_default:
        set_default_campaign(campaign, by=by, now=now)
    return campaign


def update_campaign(
    campaign: Campaign,
    *,
    name: str,
    starts_on: date,
    goal_books: int | None = None,
    ends_on: date | None = None,
    description: str | None = None,
    is_active: bool = True,
    is_default: bool = False,
    by: Member,
    now: datetime,
) -> None:
    """Change a campaign's details and whether it is the default (never when inactive)."""
    values = _validated(name, goal_books, starts_on, ends_on, description)
    values["is_active"] = is_active
    changes = {}
    for key, new in values.items():
        old = getattr(campaign, key)
        if old != new:
            changes[key] = [_jsonable(old), _jsonable(new)]
            setattr(campaign, key, new)
    if campaign.is_default and not (is_active and is_default):
        campaign.is_default = False  # unticked, or no longer active
        changes["is_default"] = [True, False]
    if changes:
        audit.record("campaign.update", actor=by, entity="campaign", entity_id=campaign.id,
                     now=now, changes=changes)
    db.session.flush()
    if is_default and not campaign.is_default:
        set_default_campaign(campaign, by=by, now=now)


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def set_default_campaign(campaign: Campaign, *, by: Member, now: datetime) -> None:
    """Make the campaign the one intake preselects (at most one is)."""
    if campaign.closed_at is not None:
        raise CampaignClosed()
    if not campaign.is_active:
        raise Conflict(_("Only an active campaign can be the default for intake."))
    if campaign.is_default:
        return
    # Clear the old default first: the partial unique index allows one at a time.
    db.session.execute(
        sa.update(Campaign).where(Campaign.is_default.is_(True), Campaign.id != campaign.id)
        .values(is_default=False)
    )
    campaign.is_default = True
    db.session.flush()
    audit.record("campaign.set_default", actor=by, entity="campaign", entity_id=campaign.id,
                 now=now)


def close_campaign(campaign: Campaign, *, by: Member, now: datetime) -> None:
    """Close a campaign: no longer active nor the default; its totals stay."""
    if campaign.closed_at is not None:
        raise CampaignClosed(_("This campaign is already closed."))
    campaign.closed_at = now
    campaign.is_active = False
    campaign.is_default = False
    db.session.flush()
    audit.record("campaign.close", actor=by, entity="campaign", entity_id=campaign.id, now=now)


@functools.cache
def _default_campaign_query() -> sa.Select:
    # Built once: every intake through the API asks it.
    return sa.select(Campaign).where(Campaign.is_default.is_(True), Campaign.is_active.is_(True),
                                     Campaign.closed_at.is_(None))


def default_campaign() -> Campaign | None:
    """Return the campaign intake preselects, if there is an open, active one."""
    return db.session.scalar(_default_campaign_query())


def move_donation(donation: Donation, campaign: Campaign, *, by: Member, now: datetime) -> None:
    """Move a donation (and so all its copies) to another campaign, in the audit trail."""
    if donation.campaign_id == campaign.id:
        raise DonationAlreadyInCampaign()
    old = donation.campaign_id
    donation.campaign_id = campaign.id
    db.session.flush()
    audit.record("donation.move", actor=by, entity="donation", entity_id=donation.id, now=now,
                 from_campaign=old, to_campaign=campaign.id)


# --------------------------------------------------------------------------
# Totals (aggregated in the database)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """A campaign's totals."""

    books: int = 0
    in_collection: int = 0
    titles: int = 0
    donors: int = 0
    donations: int = 0
    anonymous_donations: int = 0
    goal: int | None = None

    @property
    def percent(self) -> int | None:
        """Return progress to the goal in whole percent (may pass 100), or None."""
        if not self.goal:
            return None
        return self.books * 100 // self.goal


def donation_counts(in_scope) -> sa.Select:
    """Return (campaign id, donations, named donors, anonymous donations) per campaign."""
    anonymous = sa.or_(Donation.anonymous.is_(True), Donation.donor_id.is_(None))
    return (
        sa.select(
            Donation.campaign_id,
            sa.func.count(Donation.id),
            sa.func.count(sa.distinct(
                sa.case((Donation.anonymous.is_(False), Donation.donor_id))
            )),
            sa.func.count(sa.case((anonymous, Donation.id))),
        )
        .where(in_scope)
        .group_by(Donation.campaign_id)
    )


def totals_by_campaign(campaign_ids: list[int] | None = None) -> dict[int, Totals]:
    """Return the totals of the given campaigns (all when None), keyed by campaign id."""
    in_scope = (Donation.campaign_id.is_not(None) if campaign_ids is None
                else Donation.campaign_id.in_(campaign_ids))
    # The copy counts come from the running totals per book (campaign_book, kept by
    # triggers): not a pass over every copy of every campaign.
    by_copy = (
        sa.select(CampaignBook.campaign_id, *copy_figures())
        .where(CampaignBook.campaign_id.in_(campaign_ids) if campaign_ids is not None
               else sa.true())
        .group_by(CampaignBook.campaign_id)
    )
    goals = dict(db.session.execute(
        sa.select(Campaign.id, Campaign.goal_books).where(
            Campaign.id.in_(campaign_ids) if campaign_ids is not None else sa.true()
        )
    ).all())
    counts: dict[int, dict] = {cid: {} for cid in goals}
    for cid, donations, donors, anon in db.session.execute(donation_counts(in_scope)):
        counts.setdefault(cid, {}).update(donations=donations, donors=donors,
                                          anonymous_donations=anon)
    for cid, books, kept, titles in db.session.execute(by_copy):
        counts.setdefault(cid, {}).update(books=books, in_collection=kept, titles=titles)
    return {cid: Totals(**values, goal=goals.get(cid)) for cid, values in counts.items()}


def campaign_totals(campaign: Campaign) -> Totals:
    """Return one campaign's totals."""
    return totals_by_campaign([campaign.id])[campaign.id]


def books_donated(campaign: Campaign) -> int:
    """Return the campaign's "books donated" alone (withdrawn copies count)."""
    return db.session.scalar(
        sa.select(sa.func.sum(CampaignBook.copies))
        .where(CampaignBook.campaign_id == campaign.id)
    ) or 0


def copy_figures() -> tuple:
    """Copies donated, copies kept and titles, summed over campaign_book rows."""
    return (
        sa.cast(sa.func.coalesce(sa.func.sum(CampaignBook.copies), 0), sa.Integer),
        sa.cast(sa.func.coalesce(sa.func.sum(CampaignBook.kept), 0), sa.Integer),
        sa.func.count(sa.case((CampaignBook.copies > 0, 1))),
    )


def list_campaigns() -> list[Campaign]:
    """Return every campaign: open ones first, newest first."""
    return list(db.session.scalars(
        sa.select(Campaign).order_by(Campaign.closed_at.is_not(None), Campaign.starts_on.desc(),
                                     Campaign.id.desc())
    ))


def unknown_last(rows) -> list[tuple[str | None, int]]:
    """Return (code, count) rows with the unknown code (NULL or '') as one last row."""
    # NULL sorts first on SQLite and last on PostgreSQL: put it last on both.
    known = [(code, n) for code, n in rows if code]
    unknown = sum(n for code, n in rows if not code)
    return known + ([(None, unknown)] if unknown else [])




def home_campaign() -> Campaign | None:
    """Return the campaign the home page shows: the default one, else the newest active."""
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.is_active.is_(True))
        .order_by(Campaign.is_default.desc(), Campaign.starts_on.desc()).limit(1)
    )
