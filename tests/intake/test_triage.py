"""Triage at the scan station: the copy cap and the decline rules hold a scan back (amber,
saying why), one key records the item's outcome, and every item is a line of its donation."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.campaigns.gifts import campaign_outcomes, donation_lines
from app.extensions import db
from app.intake import triage
from app.models import Copy, Donation, DonationItem, ItemOutcome, Partner, Role

ISBN = "9788960770836"
OTHER = "9780316030571"


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def kind(html):
    match = re.search(r'data-testid="scan-result" data-kind="([a-z_]+)"', html)
    return match.group(1) if match else None


@pytest.fixture
def station(english, login_as, csrf_token, make_campaign):
    volunteer = login_as(Role.VOLUNTEER, password=None, locale="en")
    campaign = make_campaign(name="Spring drive", is_default=True)
    token = csrf_token("/intake")

    class Station:
        member = volunteer

        def post(self, path, **data):
            return english.post(path, data={"csrf_token": token, **data})

        def start(self):
            response = self.post("/intake/start", anonymous="y", campaign_id=str(campaign.id))
            assert response.status_code == 302

        def get(self, path):
            return english.get(path).get_data(as_text=True)

        def scan(self, code):
            response = self.post("/intake/scan", scan=code)
            assert response.status_code == 302
            return english.get("/intake").get_data(as_text=True)

    station = Station()
    station.campaign = campaign
    station.start()
    return station


@pytest.fixture
def capped(make_book, make_copy):
    """A title the collection already has twice (the default cap)."""
    book = make_book(isbn13=ISBN, title="코틀린 인 액션")
    make_copy(book)
    make_copy(book)
    return book


@pytest.fixture
def partner(app):
    partner = Partner(name="Seoul Children's Library")
    db.session.add(partner)
    db.session.commit()
    return partner


def test_a_scan_over_the_copy_cap_adds_nothing_and_says_why(station, capped):
    html = station.scan(ISBN)
    assert kind(html) == "held"
    assert 'data-reason="copy_cap"' in html
    assert "result-warn" in html  # amber
    assert "We already have 2 copies of this title: no copy was added." in html
    assert count(Copy, Copy.book_id == capped.id) == 2


def test_a_scan_counted_under_the_cap_is_held_back_when_copies_got_in_meanwhile(
        station, capped, monkeypatch):
    """The first count (before this intake may write) saw one copy: another volunteer's scan
    added the second meanwhile. Counted again under the title's lock, the scan is held back,
    and its outcome is recorded as usual."""
    monkeypatch.setattr(triage, "copies_in_collection", lambda book_id: 1)
    html = station.scan(ISBN)
    assert kind(html) == "held" and 'data-reason="copy_cap"' in html
    assert "We already have 2 copies of this title: no copy was added." in html
    assert count(Copy, Copy.book_id == capped.id) == 2
    html = station.scan("1")
    assert kind(html) == "created" and 'data-testid="kept-anyway"' in html
    assert count(Copy, Copy.book_id == capped.id) == 3


def test_key_3_declines_the_held_item_and_it_is_a_line_of_the_donation(station, capped):
    station.scan(ISBN)
    html = station.scan("3")
    assert kind(html) == "settled"
    assert count(Copy, Copy.book_id == capped.id) == 2
    item = db.session.scalar(sa.select(DonationItem))
    assert (item.outcome, item.held_for, item.title) == (ItemOutcome.DECLINED, "copy_cap",
                                                         "코틀린 인 액션")
    [line] = donation_lines([item.donation_id])[item.donation_id]
    assert line.outcome is ItemOutcome.DECLINED


def test_key_1_keeps_it_anyway_with_a_copy(station, capped):
    station.scan(ISBN)
    html = station.scan("1")
    assert kind(html) == "created" and 'data-testid="kept-anyway"' in html
    assert count(Copy, Copy.book_id == capped.id) == 3
    item = db.session.scalar(sa.select(DonationItem))
    assert item.outcome is ItemOutcome.KEPT and item.copy_id is not None


def test_key_2_passes_it_on_to_the_coordinators_institution(station, capped, partner):
    station.scan(ISBN)
    html = station.scan("2")
    assert "Passed on to Seoul Children" in html
    item = db.session.scalar(sa.select(DonationItem))
    assert (item.outcome, item.partner_id, item.passed_to) == (
        ItemOutcome.PASSED_ON, partner.id, partner.name)


def test_passing_on_without_institutions_is_refused(station, capped):
    station.scan(ISBN)
    html = station.scan("2")
    assert kind(html) == "held"  # still held back
    assert count(DonationItem) == 0


def test_the_triage_form_records_a_reason_and_an_institution(station, capped, partner):
    station.scan(ISBN)
    response = station.post("/intake/triage", declined="y", reason="표지 찢어짐")
    assert response.status_code == 302
    item = db.session.scalar(sa.select(DonationItem))
    assert (item.outcome, item.reason) == (ItemOutcome.DECLINED, "표지 찢어짐")


def test_no_other_book_is_received_until_the_held_item_has_its_outcome(station, capped,
                                                                     make_book):
    make_book(isbn13=OTHER, title="Use of Weapons")
    station.scan(ISBN)
    html = station.scan(OTHER)
    assert kind(html) == "held"
    assert "First record what becomes of the item held back" in html
    station.scan("-")  # scanned by mistake: the hold is dropped, nothing recorded
    assert kind(station.scan(OTHER)) == "created"
    assert count(DonationItem) == 0


def test_an_old_study_aid_is_held_back(station, make_book):
    make_book(isbn13=ISBN, title="수학의 정석", year=2015, addon_code="53410",
              addon_reader_group="5")
    html = station.scan(ISBN)
    assert 'data-reason="old_reference"' in html
    assert "A study aid published in 2015: no copy was added." in html


def test_a_recent_study_aid_and_a_general_old_book_are_kept(station, make_book):
    make_book(isbn13=ISBN, title="수학의 정석", year=datetime.now(UTC).year,
              addon_code="53410", addon_reader_group="5")
    make_book(isbn13=OTHER, title="Use of Weapons", year=1990, addon_code="03840",
              addon_reader_group="0")
    assert kind(station.scan(ISBN)) == "created"
    assert kind(station.scan(OTHER)) == "created"


@pytest.mark.parametrize(("key", "reason", "message"), [
    ("4", "damaged", "Marked damaged: no copy was added."),
    ("5", "set", "Marked as part of a set: no copy was added."),
])
def test_marked_damaged_or_a_set_the_next_scan_is_held(station, make_book, key, reason,
                                                       message):
    make_book(isbn13=ISBN, title="Something")
    assert kind(station.scan(key)) == "flagged"
    html = station.scan(ISBN)
    assert f'data-reason="{reason}"' in html and message in html
    station.scan("3")
    assert db.session.scalar(sa.select(DonationItem.held_for)) == reason


def test_rules_turned_off_hold_nothing(station, capped, app):
    triage.set_triage_rules(triage.TriageRules(copy_cap=0, decline_damaged=False),
                            by=station.member, now=datetime.now(UTC))
    db.session.commit()
    assert kind(station.scan(ISBN)) == "created"
    station.scan("4")
    assert kind(station.scan(ISBN)) in ("created", "duplicate")


def test_campaign_totals_add_up(station, capped, partner, make_book):
    make_book(isbn13=OTHER, title="Use of Weapons")
    station.scan(OTHER)  # kept at once
    for key in ("1", "2", "3", "3"):
        station.scan(ISBN)
        station.scan(key)
    outcomes = campaign_outcomes(station.campaign.id)
    of_campaign = sa.select(Donation.id).where(Donation.campaign_id == station.campaign.id)
    copies = count(Copy, Copy.donation_id.in_(of_campaign))
    held = {o: count(DonationItem, DonationItem.outcome == o) for o in ItemOutcome}
    assert (outcomes.kept, outcomes.passed_on, outcomes.declined) == (
        copies, held[ItemOutcome.PASSED_ON], held[ItemOutcome.DECLINED]) == (2, 1, 2)
    assert outcomes.received == 5
    html = station.get(f"/campaigns/{station.campaign.id}")
    assert 'data-testid="items-received">5<' in html
    assert 'data-testid="items-passed-on">1<' in html and 'data-testid="items-declined">2<' in html
    donation_id = db.session.scalar(of_campaign)
    lines = donation_lines([donation_id])[donation_id]
    assert len(lines) == outcomes.received
    assert sorted(line.outcome for line in lines) == sorted(
        [ItemOutcome.KEPT] * 2 + [ItemOutcome.PASSED_ON] + [ItemOutcome.DECLINED] * 2)
