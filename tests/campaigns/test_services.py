"""Campaign services: totals, breakdowns and the write use cases."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.campaigns import donors, figures, services
from app.errors import CampaignClosed, Conflict, DonationAlreadyInCampaign, InvalidInput
from app.extensions import db
from app.models import AuditEvent, Campaign, Role
from tests.campaigns.factories import add_donation, add_loan, seoul

NOW = seoul(2026, 3, 20, 12, 0)

pytestmark = pytest.mark.usefixtures("en_request")


def test_totals_count_withdrawn_copies_and_follow_moved_donations(seeded):
    totals = services.campaign_totals(seeded.campaign)
    assert totals.books == 6  # the withdrawn copy still counts as donated
    assert totals.in_collection == 5
    assert totals.titles == 3
    assert totals.donors == 2
    assert totals.donations == 4
    assert totals.anonymous_donations == 1
    assert totals.goal == 10 and totals.percent == 60

    other = services.campaign_totals(seeded.other)
    assert (other.books, other.titles, other.donors, other.donations) == (2, 1, 1, 1)


def test_totals_by_campaign_covers_campaigns_without_donations(seeded, make_campaign):
    empty = make_campaign(goal_books=3)
    totals = services.totals_by_campaign()
    assert totals[empty.id].books == 0 and totals[empty.id].percent == 0
    assert totals[seeded.campaign.id].books == 6


def test_books_donated_is_the_totals_books_figure(seeded, make_campaign):
    assert services.books_donated(seeded.campaign) == 6  # withdrawn copy included
    assert services.books_donated(seeded.other) == services.campaign_totals(seeded.other).books
    assert services.books_donated(make_campaign()) == 0


def test_totals_of_a_campaign_whose_donations_have_no_copies(app, make_campaign, make_member):
    campaign = make_campaign()
    add_donation(campaign, [], donor=make_member(name="Empty-handed"))
    totals = services.campaign_totals(campaign)
    assert (totals.books, totals.in_collection, totals.titles) == (0, 0, 0)
    assert (totals.donations, totals.donors, totals.anonymous_donations) == (1, 1, 0)


def test_campaign_figures_are_the_totals_and_the_breakdown(seeded, make_campaign, make_member):
    # The campaign page takes both from one query: they must be the separate figures.
    empty_handed = make_campaign()
    add_donation(empty_handed, [], donor=make_member(name="Empty-handed"))
    for campaign in (seeded.campaign, seeded.other, make_campaign(), empty_handed):
        totals, _breakdown = figures.campaign_figures(campaign)
        assert totals == services.campaign_totals(campaign)
    totals, breakdown = figures.campaign_figures(seeded.campaign)
    assert (totals.books, totals.in_collection, totals.titles) == (6, 5, 3)
    assert breakdown.subjects == [("8", 3), ("9", 2), (None, 1)]
    assert breakdown.reader_groups == [("0", 3), ("4", 2), (None, 1)]


def test_by_week_uses_seoul_weeks_from_the_campaign_start(seeded):
    assert figures.by_week(seeded.campaign, today=date(2026, 3, 20)) == [
        ("2026-03-02", 3), ("2026-03-09", 3)]
    # Before the campaign ends, the weeks run to today.
    assert figures.by_week(seeded.campaign, today=date(2026, 3, 4)) == [
        ("2026-03-02", 3), ("2026-03-09", 3)]


def test_by_week_fills_empty_weeks(app, make_campaign):
    campaign = make_campaign(starts_on=date(2026, 3, 2))
    assert figures.by_week(campaign, today=date(2026, 3, 18)) == [
        ("2026-03-02", 0), ("2026-03-09", 0), ("2026-03-16", 0)]


def test_most_borrowed_top_donors_and_recent(seeded):
    assert [(t, n) for _id, t, n in figures.most_borrowed(seeded.campaign)] == [
        ("소년이 온다", 2), ("History for youth", 1)]
    # Bob did not agree to be named; the anonymous donation is nobody's.
    assert figures.top_donors(seeded.campaign) == [("Alice Kim", 4)]
    recent = figures.recent_donations(seeded.campaign)
    assert [n for _d, n in recent] == [1, 1, 1, 3]
    labels = [figures.donor_label(d) for d, _n in recent]
    assert labels == ["Alice Kim", "Anonymous", "A member", "Alice Kim"]
    assert figures.donor_label(recent[2][0], reveal=True) == "Bob Park"


def test_most_borrowed_breaks_ties_at_the_cut_by_title(app, make_campaign, make_book):
    campaign = make_campaign()
    top = make_book(title="Top")
    tied = [make_book(title=t) for t in ("Delta", "Alpha", "Charlie", "Bravo")]
    donation = add_donation(campaign, [top, top, *tied])
    copies = sorted(donation.copies, key=lambda c: c.id)
    for i, copy in enumerate(copies):
        for day in range(3 if i < 2 else 1):  # "Top": 2 copies x 3 loans; the rest: 1
            add_loan(copy, at=seoul(2026, 3, 2 + day, 10, 0),
                     returned_at=seoul(2026, 3, 2 + day, 18, 0))
    assert [(t, n) for _id, t, n in figures.most_borrowed(campaign, limit=3)] == [
        ("Top", 6), ("Alpha", 1), ("Bravo", 1)]
    assert len(figures.most_borrowed(campaign)) == 5


def test_by_week_ignores_donations_without_copies(app, make_campaign):
    campaign = make_campaign(starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 15))
    add_donation(campaign, [], received_at=seoul(2026, 2, 23, 10, 0))
    assert figures.by_week(campaign, today=date(2026, 3, 20)) == [("2026-03-09", 0)]


def test_move_donation_is_audited_and_refuses_the_same_campaign(seeded):
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "donation.move")
        .order_by(AuditEvent.id)).all()
    assert [(e.entity_id, e.details["from_campaign"], e.details["to_campaign"])
            for e in events] == [
        (seeded.moved_in.id, seeded.other.id, seeded.campaign.id),
        (seeded.moved_out.id, seeded.campaign.id, seeded.other.id)]
    with pytest.raises(DonationAlreadyInCampaign):
        services.move_donation(seeded.moved_in, seeded.campaign, by=seeded.volunteer, now=NOW)


def test_create_validates_and_sets_the_single_default(app, make_member):
    coordinator = make_member(Role.COORDINATOR)
    first = services.create_campaign(name=" First ", starts_on=date(2026, 1, 1),
                                     goal_books=100, is_default=True, by=coordinator, now=NOW)
    second = services.create_campaign(name="Second", starts_on=date(2026, 2, 1),
                                      is_default=True, by=coordinator, now=NOW)
    db.session.commit()
    assert first.name == "First"
    assert (first.is_default, second.is_default) == (False, True)
    assert services.default_campaign() == second
    for bad in (
        dict(name="", starts_on=date(2026, 1, 1)),
        dict(name="x" * 201, starts_on=date(2026, 1, 1)),
        dict(name="x", starts_on=date(2026, 1, 1), goal_books=0),
        dict(name="x", starts_on=date(2026, 1, 1), goal_books=True),
        dict(name="x", starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 31)),
        dict(name="x", starts_on=None),
    ):
        with pytest.raises(InvalidInput):
            services.create_campaign(**bad, by=coordinator, now=NOW)


def test_update_close_and_default_rules(app, make_member, make_campaign):
    coordinator = make_member(Role.COORDINATOR)
    campaign = make_campaign(is_default=True)
    services.update_campaign(campaign, name="Renamed", starts_on=campaign.starts_on,
                             goal_books=50, is_active=False, by=coordinator, now=NOW)
    db.session.commit()
    assert (campaign.name, campaign.goal_books, campaign.is_default) == ("Renamed", 50, False)
    with pytest.raises(Conflict):
        services.set_default_campaign(campaign, by=coordinator, now=NOW)
    services.update_campaign(campaign, name="Renamed", starts_on=campaign.starts_on,
                             is_active=True, is_default=True, by=coordinator, now=NOW)
    assert campaign.is_default
    services.close_campaign(campaign, by=coordinator, now=NOW)
    db.session.commit()
    assert campaign.closed_at is not None
    assert (campaign.is_active, campaign.is_default) == (False, False)
    with pytest.raises(CampaignClosed):
        services.close_campaign(campaign, by=coordinator, now=NOW)
    with pytest.raises(CampaignClosed):
        services.set_default_campaign(campaign, by=coordinator, now=NOW)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity == "campaign").order_by(AuditEvent.id)).all()
    assert actions == ["campaign.update", "campaign.update", "campaign.set_default",
                       "campaign.close"]


def test_member_donations_list_books_and_loans(seeded):
    mine = donors.member_donations(seeded.alice)
    assert [m.donation.id for m in mine] == [seeded.moved_in.id, mine[1].donation.id]
    assert mine[1].books == [("History for youth", 1, 1), ("소년이 온다", 2, 2)]
    assert mine[1].book_count == 3
    assert donors.donation_of(seeded.alice, seeded.moved_in.id).book_count == 1
    from app.errors import UnknownDonation

    with pytest.raises(UnknownDonation):
        donors.donation_of(seeded.bob, seeded.moved_in.id)


def test_donation_rows_hide_anonymous_donors(seeded, make_book):
    add_donation(seeded.campaign, [make_book(title="=HYPERLINK()")], donor=seeded.bob,
                 anonymous=True, received_at=seoul(2026, 3, 13, 9, 0))
    rows = figures.donation_rows(seeded.campaign)
    assert len(rows) == 7
    last = rows[-1]
    assert last[2] is None and last[3] is None and last[4] is True
    assert db.session.get(Campaign, seeded.campaign.id).name == "북카페 활성화 캠페인"


def test_unticking_default_clears_it(app, make_member, make_campaign):
    coordinator = make_member(Role.COORDINATOR)
    campaign = make_campaign(is_default=True)
    services.update_campaign(campaign, name=campaign.name, starts_on=campaign.starts_on,
                             is_default=False, by=coordinator, now=NOW)
    db.session.commit()
    assert campaign.is_default is False
    assert services.default_campaign() is None
