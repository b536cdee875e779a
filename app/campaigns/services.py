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
from sqlalchemy.orm import aliased, selectinload

from app.core import audit
from app.core.timebuckets import week_of, weeks_between
from app.errors import (
    CampaignClosed,
    Conflict,
    DonationAlreadyInCampaign,
    InvalidInput,
    UnknownDonation,
)
from app.extensions import db
from app.models import Book, Campaign, CampaignBook, Copy, Donation, Loan, Member

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


def _donation_counts(in_scope) -> sa.Select:
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
        sa.select(CampaignBook.campaign_id, *_copy_figures())
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
    for cid, donations, donors, anon in db.session.execute(_donation_counts(in_scope)):
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


def _copy_figures() -> tuple:
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


@dataclass(frozen=True)
class Breakdown:
    """The donated copies by KDC main class and by add-on reader group; unknown last."""

    subjects: list[tuple[str | None, int]]
    reader_groups: list[tuple[str | None, int]]


def breakdown(campaign: Campaign) -> Breakdown:
    """Return the donated copies by subject and by reader group, in one pass over them."""
    return campaign_figures(campaign)[1]


def campaign_figures(campaign: Campaign) -> tuple[Totals, Breakdown]:
    """Return a campaign's totals and its breakdown, from its running totals per book.

    One row per (class, reader group) holds its copies, those not withdrawn and its
    titles; as each book is in exactly one such row, their sums are the totals' books
    donated, in collection and titles (the same as `campaign_totals`).
    """
    query = (
        sa.select(CampaignBook.kdc_class, CampaignBook.reader_group, *_copy_figures())
        .where(CampaignBook.campaign_id == campaign.id)
        .group_by(CampaignBook.kdc_class, CampaignBook.reader_group)
    )
    subjects: dict[str | None, int] = {}
    groups: dict[str | None, int] = {}
    books_donated = in_collection = titles = 0
    for subject, group, copies, kept_copies, book_count in db.session.execute(query):
        if not copies:
            continue
        subjects[subject] = subjects.get(subject, 0) + copies
        groups[group] = groups.get(group, 0) + copies
        books_donated += copies
        in_collection += kept_copies
        titles += book_count
    counted = db.session.execute(_donation_counts(Donation.campaign_id == campaign.id)).first()
    donations, donors, anonymous = counted[1:] if counted else (0, 0, 0)
    totals = Totals(books=books_donated, in_collection=in_collection, titles=titles,
                    donors=donors, donations=donations, anonymous_donations=anonymous,
                    goal=campaign.goal_books)
    return totals, Breakdown(_by_code(subjects), _by_code(groups))


def _by_code(counts: dict[str | None, int]) -> list[tuple[str | None, int]]:
    # The codes are single digits: Python's order is the databases' order.
    return unknown_last(sorted(counts.items(), key=lambda item: item[0] or ""))


def by_subject(campaign: Campaign) -> list[tuple[str | None, int]]:
    """Return (KDC main class digit, books) for the donated copies; unclassified (None) last."""
    return breakdown(campaign).subjects


def by_reader_group(campaign: Campaign) -> list[tuple[str | None, int]]:
    """Return (add-on reader group digit, books) for the donated copies; none (None) last."""
    return breakdown(campaign).reader_groups


def unknown_last(rows) -> list[tuple[str | None, int]]:
    """Return (code, count) rows with the unknown code (NULL or '') as one last row."""
    # NULL sorts first on SQLite and last on PostgreSQL: put it last on both.
    known = [(code, n) for code, n in rows if code]
    unknown = sum(n for code, n in rows if not code)
    return known + ([(None, unknown)] if unknown else [])


def _copies_of_donation() -> sa.ScalarSelect:
    """Return the number of copies of the outer query's donation (an index count)."""
    # count(*): PostgreSQL then counts in the index alone (it does not hold copy.id).
    return (
        sa.select(sa.func.count()).where(Copy.donation_id == Donation.id)
        .correlate(Donation).scalar_subquery()
    )


def by_week(campaign: Campaign, *, today: date) -> list[tuple[str, int]]:
    """Return (Monday of the local week, books received) from the campaign's start on."""
    # The copies are counted per donation in one pass over the index on copy.donation_id
    # (only the campaign's donations' ranges), then each donation's week is computed once:
    # not one index probe per donation, nor a week per copy.
    in_campaign = sa.select(Donation.id).where(Donation.campaign_id == campaign.id)
    per_donation = (
        sa.select(Copy.donation_id.label("donation_id"), sa.func.count().label("copies"))
        .where(Copy.donation_id.in_(in_campaign))
        .group_by(Copy.donation_id)
        .subquery()
    )
    week = week_of(Donation.received_at)
    books = sa.cast(sa.func.sum(per_donation.c.copies), sa.Integer)
    counts = dict(db.session.execute(
        sa.select(week, books)
        .join(per_donation, per_donation.c.donation_id == Donation.id)
        .where(Donation.campaign_id == campaign.id)
        .group_by(week).order_by(week)
    ).all())
    end = min(today, campaign.ends_on) if campaign.ends_on else today
    start = campaign.starts_on
    if counts:
        start = min(start, date.fromisoformat(min(counts)))
        end = max(end, date.fromisoformat(max(counts)))
    if end < start:
        end = start
    return [(w, counts.get(w, 0)) for w in weeks_between(start, end)]


def most_borrowed(campaign: Campaign, *, limit: int = 10) -> list[tuple[int, str, int]]:
    """Return (book id, title, loans) of the campaign's most-borrowed donated books."""
    # The loans per book are campaign_book's running totals. Only the books lent at least
    # as often as the limit-th one can make the list (the top of the index on
    # (campaign_id, loans)); ties at the cut are settled by title.
    in_campaign = CampaignBook.campaign_id == campaign.id
    cut = (
        sa.select(CampaignBook.loans).where(in_campaign)
        .order_by(CampaignBook.loans.desc())
        .limit(1).offset(limit - 1).scalar_subquery()
    )
    return [tuple(r) for r in db.session.execute(
        sa.select(CampaignBook.book_id, Book.title, CampaignBook.loans)
        .join(Book, Book.id == CampaignBook.book_id)
        .where(in_campaign, CampaignBook.loans > 0,
               CampaignBook.loans >= sa.func.coalesce(cut, 0))
        .order_by(CampaignBook.loans.desc(), Book.title, CampaignBook.book_id)
        .limit(limit)
    )]


def top_donors(campaign: Campaign, *, limit: int = 10) -> list[tuple[str, int]]:
    """Return (name, books) of the biggest donors who agreed to be named."""
    books = sa.func.count()
    return [tuple(r) for r in db.session.execute(
        sa.select(Member.name, books)
        .select_from(Donation)
        .join(Member, Donation.donor_id == Member.id)
        .join(Copy, Copy.donation_id == Donation.id)
        .where(Donation.campaign_id == campaign.id, Donation.anonymous.is_(False),
               Member.donor_named.is_(True), Member.anonymised_at.is_(None))
        .group_by(Member.id, Member.name)
        .order_by(books.desc(), Member.name)
        .limit(limit)
    )]


def recent_donations(
    campaign: Campaign, *, limit: int = 20, offset: int = 0
) -> list[tuple[Donation, int]]:
    """Return the campaign's donations, latest first, with their number of books."""
    # Pick the page's donations first, then count the copies of those alone (not of
    # every donation of the campaign before sorting them).
    order = (Donation.received_at.desc(), Donation.id.desc())
    page = (
        sa.select(Donation.id).where(Donation.campaign_id == campaign.id)
        .order_by(*order).limit(limit).offset(offset)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Donation, _copies_of_donation())
        .join(page, page.c.id == Donation.id)
        .order_by(*order)
        .options(selectinload(Donation.donor))
    ).all()
    return [(d, n) for d, n in rows]


def donor_label(donation: Donation, *, reveal: bool = False) -> str:
    """Return how a donation's donor is shown: a name only if they agreed (or `reveal`)."""
    donor = donation.donor
    if donation.anonymous or donor is None or donor.anonymised_at is not None:
        return _("Anonymous")
    if reveal or donor.donor_named:
        return donor.name
    return _("A member")


def donation_rows(campaign: Campaign) -> list[tuple]:
    """Return one row per donated copy of the campaign, for the CSV export."""
    donor = aliased(Member)
    receiver = aliased(Member)
    shown_donor = sa.case((Donation.anonymous.is_(True), sa.null()), else_=donor.name)
    return [tuple(r) for r in db.session.execute(
        sa.select(
            Donation.id, Donation.received_at, shown_donor,
            sa.case((Donation.anonymous.is_(True), sa.null()), else_=donor.card_barcode),
            sa.or_(Donation.anonymous.is_(True), Donation.donor_id.is_(None)),
            donor.donor_named, Copy.barcode, Book.isbn13, Book.title, Book.authors,
            Book.kdc_class, Copy.status, receiver.name, Donation.note,
        )
        .select_from(Donation)
        .join(Copy, Copy.donation_id == Donation.id)
        .join(Book, Copy.book_id == Book.id)
        .outerjoin(donor, Donation.donor_id == donor.id)
        .outerjoin(receiver, Donation.received_by_id == receiver.id)
        .where(Donation.campaign_id == campaign.id)
        .order_by(Donation.received_at, Donation.id, Copy.id)
    )]


# --------------------------------------------------------------------------
# Donors' own view
# --------------------------------------------------------------------------


@dataclass
class MyDonation:
    """One of a member's donations, with its books and how often each was borrowed."""

    donation: Donation
    books: list[tuple[str, int, int]]  # (title, copies, times borrowed)

    @property
    def book_count(self) -> int:
        """Return the number of copies given."""
        return sum(copies for _t, copies, _n in self.books)


def member_donations(member: Member) -> list[MyDonation]:
    """Return a member's donations, newest first, with books and loan counts."""
    donations = list(db.session.scalars(
        sa.select(Donation).where(Donation.donor_id == member.id)
        .order_by(Donation.received_at.desc(), Donation.id.desc())
        .options(selectinload(Donation.campaign))
    ))
    if not donations:
        return []
    rows = db.session.execute(
        sa.select(Copy.donation_id, Book.title, sa.func.count(sa.distinct(Copy.id)),
                  sa.func.count(Loan.id))
        .select_from(Copy)
        .join(Book, Copy.book_id == Book.id)
        .outerjoin(Loan, Loan.copy_id == Copy.id)
        .where(Copy.donation_id.in_([d.id for d in donations]))
        .group_by(Copy.donation_id, Book.id, Book.title)
        .order_by(Book.title)
    ).all()
    books: dict[int, list] = {}
    for donation_id, title, copies, loans in rows:
        books.setdefault(donation_id, []).append((title, copies, loans))
    return [MyDonation(d, books.get(d.id, [])) for d in donations]


def donation_of(member: Member, donation_id: int) -> MyDonation:
    """Return one of the member's own donations; anyone else's is 'not found'."""
    for mine in member_donations(member):
        if mine.donation.id == donation_id:
            return mine
    raise UnknownDonation()
