"""What a campaign's page and its CSV show: breakdowns, weeks, most borrowed, donors.

Totals and the counting rules are app.campaigns.services'; the copy counts here come
from the running totals per book (campaign_book, kept by triggers) where they can.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from app.admin.accesslog import log_access
from app.campaigns.services import Totals, copy_figures, donation_counts, unknown_last
from app.core import audit
from app.core.timebuckets import local_minute, week_of, weeks_between
from app.extensions import db
from app.models import Book, Campaign, CampaignBook, Copy, Donation, Member


@dataclass(frozen=True)
class Breakdown:
    """The donated copies by KDC main class and by add-on reader group; unknown last."""

    subjects: list[tuple[str | None, int]]
    reader_groups: list[tuple[str | None, int]]


def campaign_figures(campaign: Campaign) -> tuple[Totals, Breakdown]:
    """Return a campaign's totals and its breakdown, from its running totals per book.

    One row per (class, reader group) holds its copies, those not withdrawn and its
    titles; as each book is in exactly one such row, their sums are the totals' books
    donated, in collection and titles (the same as `campaign_totals`).
    """
    query = (
        sa.select(CampaignBook.kdc_class, CampaignBook.reader_group, *copy_figures())
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
    counted = db.session.execute(donation_counts(Donation.campaign_id == campaign.id)).first()
    donations, donors, anonymous = counted[1:] if counted else (0, 0, 0)
    totals = Totals(books=books_donated, in_collection=in_collection, titles=titles,
                    donors=donors, donations=donations, anonymous_donations=anonymous,
                    goal=campaign.goal_books)
    return totals, Breakdown(_by_code(subjects), _by_code(groups))


def _by_code(counts: dict[str | None, int]) -> list[tuple[str | None, int]]:
    # The codes are single digits: Python's order is the databases' order.
    return unknown_last(sorted(counts.items(), key=lambda item: item[0] or ""))


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




def export_donations(campaign: Campaign, *, by: Member,
                     now: datetime) -> tuple[list[str], list[tuple]]:
    """Return the campaign's donated copies as a table (header, rows) for the CSV download;
    the donors' names in it are personal data: the access log records who took them."""
    rows = donation_rows(campaign)
    audit.record("campaign.export", actor=by, entity="campaign", entity_id=campaign.id,
                 now=now, rows=len(rows))
    log_access("campaign_donors", actor=by, now=now, campaign=campaign.id, rows=len(rows))
    header = [_("Donation"), _("Received"), _("Donor"), _("Donor card"), _("Anonymous"),
              _("Agreed to be named"), _("Barcode"), _("ISBN"), _("Title"), _("Authors"),
              _("KDC class"), _("Status"), _("Received by"), _("Note")]
    body = [
        (d_id, local_minute(received), donor, card,
         anonymous, named if not anonymous else None, barcode, isbn, title, authors, kdc,
         str(status), receiver, note)
        for (d_id, received, donor, card, anonymous, named, barcode, isbn, title, authors, kdc,
             status, receiver, note) in rows
    ]
    return header, body
