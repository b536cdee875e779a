"""Test data for donations and loans, shared by the campaign, report and browser tests.

Donations are made here directly (not through intake, which is being built in
parallel); switch to `accept_donation` once it is merged.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.core.defaults import default_site
from app.core.numbering import next_copy_barcode
from app.extensions import db
from app.models import Book, Campaign, Copy, CopyStatus, Donation, Loan, Member

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args) -> datetime:
    """Return a UTC datetime for a wall-clock time in Seoul."""
    return datetime(*args, tzinfo=SEOUL).astimezone(UTC)


def add_donation(
    campaign: Campaign | None,
    books: list[Book],
    *,
    donor: Member | None = None,
    anonymous: bool = False,
    received_at: datetime | None = None,
    by: Member | None = None,
    note: str | None = None,
) -> Donation:
    """Add a donation of one copy per book given (repeat a book for more copies)."""
    site = default_site()
    received_at = received_at or datetime.now(UTC)
    donation = Donation(
        donor_id=donor.id if donor else None, anonymous=anonymous or donor is None,
        campaign_id=campaign.id if campaign else None, site_id=site.id,
        received_at=received_at, received_by_id=by.id if by else None, note=note,
    )
    db.session.add(donation)
    db.session.flush()
    for book in books:
        db.session.add(Copy(
            barcode=next_copy_barcode(), book_id=book.id, site_id=site.id,
            donation_id=donation.id, created_at=received_at,
            created_by_id=by.id if by else None,
        ))
    db.session.commit()
    return donation


def add_loan(
    copy: Copy,
    *,
    member: Member | None = None,
    at: datetime,
    returned_at: datetime | None = None,
    due_on: date | None = None,
    borrower_key: str | None = None,
) -> Loan:
    """Add a loan; a returned one drops the member link, as circulation does."""
    loan = Loan(
        copy_id=copy.id, book_id=copy.book_id,
        member_id=None if returned_at else (member.id if member else None),
        site_id=copy.site_id, checked_out_at=at,
        due_on=due_on or (at + timedelta(days=14)).date(), returned_at=returned_at,
        borrower_key=borrower_key,
    )
    if returned_at is None:
        copy.status = CopyStatus.ON_LOAN
    db.session.add(loan)
    db.session.commit()
    return loan
