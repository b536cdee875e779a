"""Donations at intake: who gives, for which campaign, and the donation so far.

A DonationContext is who is giving and for which campaign; its Donation row appears
with the first copy (ensure_donation). Services flush, never commit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import isbn as isbnmod
from app.core import audit
from app.core.defaults import default_site
from app.core.text import escape_like, nfc
from app.errors import CampaignClosed, DonorInactive, UnknownCampaign, UnknownMember
from app.extensions import db
from app.models import MAX_ID, Book, Campaign, Copy, Donation, DonationItem, Member

# An API intake continues the volunteer's donation (same donor and campaign) when its
# last copy is this recent; otherwise it starts a new donation.
API_DONATION_IDLE = timedelta(minutes=30)


@dataclass
class DonationContext:
    """Who is giving, for which campaign; the Donation row appears with the first copy."""

    donor: Member | None
    campaign: Campaign | None
    donation: Donation | None = None

    @property
    def anonymous(self) -> bool:
        """Tell whether the donor is unknown."""
        return self.donor is None


def open_campaigns() -> list[Campaign]:
    """Return the campaigns a donation can be counted towards."""
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.is_active.is_(True), Campaign.closed_at.is_(None))
        .order_by(Campaign.is_default.desc(), Campaign.starts_on.desc(), Campaign.id)
    ))


def campaign_for(campaign_id: int | None) -> Campaign | None:
    """Return an open campaign by id (None for none); raise when unknown or closed."""
    if campaign_id is None:
        return None
    campaign = db.session.get(Campaign, campaign_id) if 1 <= campaign_id <= MAX_ID else None
    if campaign is None:
        raise UnknownCampaign()
    if not campaign.is_open:
        raise CampaignClosed()
    return campaign


def donor_by_card(card: str) -> Member:
    """Return the member with this card (scanned or typed); raise UnknownMember."""
    text = card.strip() if isinstance(card, str) else ""
    member = None
    if text:
        # As scanned (full-width digits, spaces and dashes tidied) or exactly as typed.
        code = isbnmod.parse_scan(text).code
        member = db.session.scalar(
            sa.select(Member).where(Member.card_barcode.in_({text, code}))
        )
    if member is None or member.anonymised_at is not None:
        raise UnknownMember()
    return member


def find_donors(q: str, *, limit: int = 20) -> list[Member]:
    """Return members whose name, phone (digits only) or card matches q."""
    q = (nfc(q) or "")[:100]
    if not q:
        return []
    like = "%" + escape_like(q) + "%"
    conditions = [Member.name.ilike(like, escape="\\"), Member.card_barcode == q]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 4:
        phone = sa.func.replace(sa.func.replace(Member.phone, "-", ""), " ", "")
        conditions.append(phone.like("%" + digits + "%"))
    return list(db.session.scalars(
        sa.select(Member).where(Member.anonymised_at.is_(None), sa.or_(*conditions))
        .order_by(Member.name, Member.id).limit(limit)
    ))


def start_donation(*, donor: Member | None, campaign: Campaign | None, by: Member,
                   now: datetime) -> DonationContext:
    """Begin receiving books from a donor (None: anonymous) for a campaign."""
    if donor is not None and not donor.is_active:
        raise DonorInactive()
    if campaign is not None and not campaign.is_open:
        raise CampaignClosed()
    return DonationContext(donor=donor, campaign=campaign)


def change_campaign(context: DonationContext, campaign: Campaign | None, *, by: Member,
                    now: datetime) -> None:
    """Count the donation being received towards another campaign (or none)."""
    if campaign is not None and not campaign.is_open:
        raise CampaignClosed()
    context.campaign = campaign
    donation = context.donation
    new_id = campaign.id if campaign is not None else None
    if donation is not None and donation.campaign_id != new_id:
        audit.record("donation.change_campaign", actor=by, entity="donation",
                     entity_id=donation.id, now=now, changes={
                         "campaign_id": [donation.campaign_id, new_id]})
        donation.campaign_id = new_id
        db.session.flush()


def resume_donation(*, donor: Member | None, campaign: Campaign | None, by: Member,
                    now: datetime) -> DonationContext:
    """Continue the volunteer's recent donation with this donor and campaign, or begin one."""
    context = start_donation(donor=donor, campaign=campaign, by=by, now=now)
    params = {"by_id": by.id, "since": now - API_DONATION_IDLE}
    if donor is not None:
        params["donor_id"] = donor.id
    if campaign is not None:
        params["campaign_id"] = campaign.id
    context.donation = db.session.scalar(
        _resume_query(donor is not None, campaign is not None), params)
    return context


@functools.cache
def _resume_query(with_donor: bool, with_campaign: bool) -> sa.Select:
    last_copy = (
        sa.select(sa.func.max(Copy.created_at)).where(Copy.donation_id == Donation.id)
        .scalar_subquery()
    )
    # Or its newest item held back at intake (passed on, declined: no copy).
    last_item = (
        sa.select(sa.func.max(DonationItem.recorded_at))
        .where(DonationItem.donation_id == Donation.id).scalar_subquery()
    )
    return sa.select(Donation).where(
        Donation.received_by_id == sa.bindparam("by_id"),
        (Donation.donor_id == sa.bindparam("donor_id")) if with_donor
        else Donation.donor_id.is_(None),
        Donation.anonymous.is_(not with_donor),
        (Donation.campaign_id == sa.bindparam("campaign_id")) if with_campaign
        else Donation.campaign_id.is_(None),
        sa.or_(last_copy > sa.bindparam("since", type_=Copy.created_at.type),
               last_item > sa.bindparam("since", type_=Copy.created_at.type)),
    ).order_by(Donation.id.desc()).limit(1)


def ensure_donation(context: DonationContext, *, by: Member, now: datetime) -> Donation:
    """Return the context's donation, creating its row with the first copy."""
    if context.donation is None:
        donation = Donation(
            donor_id=context.donor.id if context.donor else None,
            anonymous=context.donor is None,
            campaign_id=context.campaign.id if context.campaign else None,
            site_id=default_site().id,
            received_at=now,
            received_by_id=by.id,
        )
        db.session.add(donation)
        db.session.flush()
        audit.record("donation.create", actor=by, entity="donation", entity_id=donation.id,
                     now=now, donor_id=donation.donor_id, campaign_id=donation.campaign_id)
        context.donation = donation
    return context.donation


def donation_tally(donation: Donation | None) -> dict:
    """Return how many copies and distinct titles a donation has so far."""
    if donation is None:
        return {"copies": 0, "titles": 0}
    copies, titles = db.session.execute(
        sa.select(sa.func.count(Copy.id), sa.func.count(sa.distinct(Copy.book_id)))
        .where(Copy.donation_id == donation.id)
    ).one()
    return {"copies": copies, "titles": titles}


@dataclass
class DonationSoFar:
    """A donation before the next scan: its newest copy, its tally, and whether it
    already has a copy of the scanned book."""

    newest: Copy | None
    copies: int = 0
    titles: int = 0
    has_book: bool = False

    def tally_after(self, added: bool) -> dict:
        """Return the tally once this scan's copy is added (or not, on a double scan)."""
        if not added:
            return {"copies": self.copies, "titles": self.titles}
        return {"copies": self.copies + 1,
                "titles": self.titles + (0 if self.has_book else 1)}


@functools.cache
def _so_far_query() -> sa.Select:
    of_donation = Copy.donation_id == sa.bindparam("donation_id")
    copies = sa.select(sa.func.count(Copy.id)).where(of_donation).scalar_subquery()
    titles = (sa.select(sa.func.count(sa.distinct(Copy.book_id))).where(of_donation)
              .scalar_subquery())
    of_book = (sa.select(sa.func.count(Copy.id))
               .where(of_donation, Copy.book_id == sa.bindparam("book_id")).scalar_subquery())
    return (sa.select(Copy, copies, titles, of_book).where(of_donation)
            .order_by(Copy.id.desc()).limit(1))


def donation_so_far(donation: Donation | None, book: Book) -> DonationSoFar:
    """Read the donation's newest copy and its tally in one query, before anything is
    written: the writes that follow hold the database's lock until the commit, so the
    fewer reads among them (only the barcode check is left), the shorter other scans wait."""
    if donation is None or donation.id is None:
        return DonationSoFar(None)
    row = db.session.execute(_so_far_query(),
                             {"donation_id": donation.id, "book_id": book.id}).first()
    if row is None:
        return DonationSoFar(None)
    return DonationSoFar(row[0], row[1], row[2], row[3] > 0)


def last_copy(donation: Donation | None) -> Copy | None:
    """Return the newest copy of a donation."""
    if donation is None:
        return None
    return db.session.scalar(
        sa.select(Copy).where(Copy.donation_id == donation.id).order_by(Copy.id.desc()).limit(1)
    )
