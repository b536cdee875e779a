"""Donations at intake: the donor, resuming a recent donation, finding donors."""

from datetime import timedelta

import pytest

from app.errors import DonorInactive
from app.intake import donations, services
from app.models import Role
from tests.intake.conftest import NOW, commit

pytestmark = pytest.mark.usefixtures("english_request")


def test_anonymous_donation(app, volunteer, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    ctx = donations.start_donation(donor=None, campaign=None, by=volunteer, now=NOW)
    result = commit(services.intake_scan("978-0-316-03057-1", ctx, by=volunteer, now=NOW))
    assert result.donation.anonymous and result.donation.donor_id is None
    assert result.donation.campaign_id is None


def test_inactive_donor_is_refused(app, volunteer, make_member):
    donor = make_member(Role.MEMBER, password=None)
    donor.active = False
    with pytest.raises(DonorInactive):
        donations.start_donation(donor=donor, campaign=None, by=volunteer, now=NOW)


def test_resume_donation_continues_a_recent_one(app, context, volunteer, make_book):
    make_book(isbn13="9780316030571")
    first = commit(services.intake_scan("9780316030571", context, by=volunteer, now=NOW))
    again = donations.resume_donation(donor=context.donor, campaign=context.campaign,
                                     by=volunteer, now=NOW + timedelta(minutes=10))
    assert again.donation.id == first.donation.id
    later = donations.resume_donation(donor=context.donor, campaign=context.campaign,
                                     by=volunteer, now=NOW + timedelta(hours=2))
    assert later.donation is None
    other = donations.resume_donation(donor=None, campaign=context.campaign, by=volunteer,
                                     now=NOW + timedelta(minutes=10))
    assert other.donation is None


def test_find_donors_by_name_phone_and_card(app, make_member):
    lee = make_member(Role.MEMBER, name="이서연", phone="010-1234-5678", password=None)
    make_member(Role.MEMBER, name="Park", password=None)
    assert donations.find_donors("서연") == [lee]
    assert donations.find_donors("01012345678") == [lee]
    assert donations.find_donors(lee.card_barcode) == [lee]
    assert donations.donor_by_card(lee.card_barcode) == lee
