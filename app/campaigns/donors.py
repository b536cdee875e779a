"""Donors' own view: a member's donations, their books and how often each was borrowed."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.campaigns.acknowledgement import Acknowledgement
from app.campaigns.gifts import GiftLine, donation_lines
from app.core.timebuckets import LOCAL_TZ
from app.errors import UnknownDonation
from app.extensions import db
from app.models import Book, Copy, Donation, Loan, Member


@dataclass
class MyDonation:
    """One of a member's donations, with its books and how often each was borrowed."""

    donation: Donation
    books: list[tuple[str, int, int]]  # (title, copies, times borrowed)
    # Every item given, kept or not, and what became of it (app.campaigns.gifts).
    lines: list[GiftLine] = field(default_factory=list)

    @property
    def kept(self) -> int:
        """Return how many of the items given became copies."""
        return sum(copies for _t, copies, _n in self.books)

    @property
    def book_count(self) -> int:
        """Return the number of items given (kept or not)."""
        return len(self.lines) if self.lines else self.kept


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
    lines = donation_lines(d.id for d in donations)
    return [MyDonation(d, books.get(d.id, []), lines[d.id]) for d in donations]


def donation_of(member: Member, donation_id: int) -> MyDonation:
    """Return one of the member's own donations; anyone else's is 'not found'."""
    for mine in member_donations(member):
        if mine.donation.id == donation_id:
            return mine
    raise UnknownDonation()


def acknowledgement(mine: MyDonation, *, donor_name: str, cafe_name: str) -> Acknowledgement:
    """Return what the printable thank-you for one of a member's donations says."""
    donation = mine.donation
    return Acknowledgement(
        donation_id=donation.id,
        donor_name=donor_name,
        campaign_name=donation.campaign.name if donation.campaign else None,
        donated_on=donation.received_at.astimezone(LOCAL_TZ).date(),
        books=mine.books,
        lines=tuple(mine.lines),
        cafe_name=cafe_name,
    )
