"""Fixtures for the campaign tests: a seeded campaign with known totals."""

from dataclasses import dataclass
from datetime import date

import pytest

from app.extensions import db
from app.models import Book, Campaign, CopyStatus, Donation, Member, Role
from tests.campaigns.factories import add_donation, add_loan, seoul


@dataclass
class Seeded:
    campaign: Campaign
    other: Campaign
    volunteer: Member
    alice: Member  # agreed to be named
    bob: Member  # did not
    novel: Book  # KDC 8, general readers (0)
    history: Book  # KDC 9, youth (4)
    zine: Book  # no KDC, no add-on
    moved_in: Donation
    moved_out: Donation


@pytest.fixture
def make_donation(app):
    """Return add_donation(campaign, books, donor=..., anonymous=..., received_at=...)."""
    return add_donation


@pytest.fixture
def seeded(app, make_member, make_book, make_campaign) -> Seeded:
    """A campaign with named, unnamed and anonymous donations, a withdrawn copy, a loan,
    one donation moved in from another campaign and one moved out to it.

    Expected for `campaign` (weeks start on Monday, Seoul time):
      books 6 (5 still in the collection), titles 3, donors 2, donations 4,
      anonymous 1; by subject: Literature 3, History 2, Not classified 1;
      week 2026-03-02: 3 books, week 2026-03-09: 3 books.
    """
    from app.campaigns import services

    campaign = make_campaign(name="북카페 활성화 캠페인", goal_books=10,
                             starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 15))
    other = make_campaign(name="Spring", goal_books=5, starts_on=date(2026, 3, 1))
    volunteer = make_member(Role.VOLUNTEER, name="Volunteer Lee")
    alice = make_member(name="Alice Kim", donor_named=True)
    bob = make_member(name="Bob Park", donor_named=False)
    novel = make_book(title="소년이 온다", kdc_class="8", addon_reader_group="0")
    history = make_book(title="History for youth", kdc_class="9", addon_reader_group="4")
    zine = make_book(title="A zine")

    first = add_donation(campaign, [novel, novel, history], donor=alice, by=volunteer,
                         received_at=seoul(2026, 3, 2, 10, 0))
    # Monday 08:00 in Seoul is still Sunday in UTC: it belongs to the week of 9 March.
    add_donation(campaign, [novel], donor=bob, by=volunteer,
                 received_at=seoul(2026, 3, 9, 8, 0))
    anon = add_donation(campaign, [zine], anonymous=True, by=volunteer,
                        received_at=seoul(2026, 3, 10, 12, 0))
    anon.copies[0].status = CopyStatus.WITHDRAWN  # withdrawn later: still donated
    moved_in = add_donation(other, [history], donor=alice, by=volunteer,
                            received_at=seoul(2026, 3, 11, 9, 0))
    moved_out = add_donation(campaign, [zine, zine], donor=bob, by=volunteer,
                             received_at=seoul(2026, 3, 4, 9, 0))
    services.move_donation(moved_in, campaign, by=volunteer, now=seoul(2026, 3, 12, 9, 0))
    services.move_donation(moved_out, other, by=volunteer, now=seoul(2026, 3, 12, 9, 5))
    # The novel is borrowed twice (from two copies), the history book once.
    copies = sorted(first.copies, key=lambda c: c.id)  # novel, novel, history
    add_loan(copies[0], at=seoul(2026, 3, 5, 10, 0), returned_at=seoul(2026, 3, 6, 10, 0))
    add_loan(copies[1], member=bob, at=seoul(2026, 3, 7, 10, 0))
    add_loan(copies[2], at=seoul(2026, 3, 8, 10, 0), returned_at=seoul(2026, 3, 9, 10, 0))
    db.session.commit()
    return Seeded(campaign, other, volunteer, alice, bob, novel, history, zine, moved_in,
                  moved_out)


@pytest.fixture
def en_request(app):
    """A request context in English, for services whose errors carry translated text."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
