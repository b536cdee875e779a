"""The scan station as plain HTML forms (no JavaScript): every step is a POST + redirect."""

import re
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Book, Copy, Donation, LabelQueueItem, Role
from tests.support.providers import OPENL_HOST, needs_recordings, recording


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def station(english, login_as, csrf_token):
    """A logged-in volunteer at /intake; returns a helper to post forms with CSRF."""
    volunteer = login_as(Role.VOLUNTEER, password=None, locale="en")
    token = csrf_token("/intake")

    class Station:
        member = volunteer

        def post(self, path, **data):
            return english.post(path, data={"csrf_token": token, **data})

        def start(self, **data):
            response = self.post("/intake/start", **data)
            assert response.status_code == 302, response.get_data(as_text=True)
            return response

        def scan(self, code):
            response = self.post("/intake/scan", scan=code)
            assert response.status_code == 302
            assert response.headers["Location"] == "/intake"
            return english.get("/intake").get_data(as_text=True)

        def page(self):
            return english.get("/intake").get_data(as_text=True)

    return Station()


def kind(html):
    match = re.search(r'data-testid="scan-result" data-kind="([a-z_]+)"', html)
    return match.group(1) if match else None


def test_only_volunteers_use_the_station(client, login_as):
    assert client.get("/intake").status_code == 302
    login_as(Role.MEMBER, password=None, locale="en")
    assert client.get("/intake").status_code == 403


def test_start_page_preselects_the_default_campaign(station, make_campaign, english):
    make_campaign(name="Old campaign", is_active=False)
    make_campaign(name="Spring drive")
    default = make_campaign(name="Book café vitalization", is_default=True)
    html = station.page()
    assert 'data-testid="donor-field"' in html and "autofocus" in html
    assert f'<option data-data selected value="{default.id}">Book café vitalization' in html
    assert "Spring drive" in html and "Old campaign" not in html


def test_start_with_a_scanned_card_and_scan_a_known_book(station, make_member, make_book,
                                                         make_campaign):
    campaign = make_campaign(name="Vitalization", is_default=True)
    donor = make_member(Role.MEMBER, name="Donor Choi", password=None)
    book = make_book(isbn13="9788960770836", title="코틀린", authors="저자 A",
                     publisher="에이콘", year=2017)
    station.start(donor=donor.card_barcode, campaign_id=str(campaign.id), find="1")
    html = station.page()
    assert "Donor Choi" in html and "Vitalization" in html
    assert 'data-testid="scan-field"' in html
    html = station.scan("978-89-6077-083-6")
    assert kind(html) == "created"
    copy = db.session.scalar(sa.select(Copy))
    assert copy.book_id == book.id and copy.barcode in html and "코틀린" in html
    assert "1 book in this donation" in html
    donation = db.session.scalar(sa.select(Donation))
    assert (donation.donor_id, donation.campaign_id, donation.received_by_id) == (
        donor.id, campaign.id, station.member.id)
    assert copy.created_by_id == station.member.id
    assert db.session.scalar(sa.select(LabelQueueItem.copy_id)) == copy.id


def test_start_by_name_or_phone(station, make_member, english):
    make_member(Role.MEMBER, name="김민준", phone="010-1111-2222", password=None)
    make_member(Role.MEMBER, name="김민지", password=None)
    response = station.post("/intake/start", donor="김민", find="1", campaign_id="")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="donor-matches"' in html and "김민준" in html and "김민지" in html
    response = station.post("/intake/start", donor="nobody here", find="1", campaign_id="")
    assert response.status_code == 400 and "No member matches" in response.get_data(as_text=True)
    station.start(donor="01011112222", find="1", campaign_id="")
    assert "김민준" in station.page()


def test_the_donor_chosen_from_the_matches(station, make_member, english):
    donor = make_member(Role.MEMBER, name="김민지", password=None)
    for bad in ("99999999999999999999", str(2**31), "abc", "0"):
        response = station.post("/intake/start", donor_id=bad, find="1", campaign_id="")
        assert response.status_code == 400, bad  # not a 500 from the database driver
    station.start(donor_id=str(donor.id), find="1", campaign_id="")
    assert "김민지" in station.page()


def test_anonymous_donation(station, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    station.start(anonymous="1", campaign_id="")
    assert "Anonymous donor" in station.page()
    station.scan("0316030570")
    donation = db.session.scalar(sa.select(Donation))
    assert donation.anonymous and donation.donor_id is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9788960770837", "check digit"),
        ("9771234567003", "periodical (ISSN)"),
        ("8801234567893", "Korean product barcode"),
        ("2020000000013", "member card"),
        ("qwerty", "not a code we know"),
    ],
)
def test_each_non_book_scan_has_its_own_message(station, code, message):
    station.start(anonymous="1", campaign_id="")
    html = station.scan(code)
    assert kind(html) == "refused" and message in html
    assert count(Copy) == 0 and count(Donation) == 0


def test_scanning_one_of_our_copies_names_its_book(station, make_copy, make_book):
    copy = make_copy(make_book(title="Already here"))
    station.start(anonymous="1", campaign_id="")
    html = station.scan(copy.barcode)
    assert kind(html) == "refused" and "Already here" in html and "already catalogued" in html


def test_unknown_isbn_opens_the_short_form_and_saves(station):
    station.start(anonymous="1", campaign_id="")
    html = station.scan("979116224309194000")
    assert kind(html) == "unknown"
    assert 'data-testid="manual-form"' in html and "979-11-6224-309-1" in html
    assert re.search(r'<input autofocus data-testid="manual-title"', html)
    assert count(Book) == 0
    response = station.post("/intake/manual", title="코틀린 인 액션", authors="A; B",
                            publisher="에이콘", year="2017", language="ko", save="1")
    assert response.status_code == 302
    book = db.session.scalar(sa.select(Book))
    assert (book.title, book.author_list, book.addon_code, book.needs_metadata) == (
        "코틀린 인 액션", ["A", "B"], "94000", False)
    html = station.page()
    assert kind(html) == "created" and 'data-testid="manual-form"' not in html
    assert "Specialist" in html and "Complete works / series" in html


def test_short_form_needs_a_title_unless_saved_for_later(station, english):
    station.start(anonymous="1", campaign_id="")
    station.scan("9791162243091")
    response = station.post("/intake/manual", title="", save="1")
    assert response.status_code == 400
    assert "Type the title, or save with the ISBN only." in response.get_data(as_text=True)
    assert station.post("/intake/manual", title="", later="1").status_code == 302
    book = db.session.scalar(sa.select(Book))
    assert book.needs_metadata and book.title == "ISBN 9791162243091"
    html = english.get("/intake/incomplete").get_data(as_text=True)
    assert "9791162243091" in html and f"/intake/books/{book.id}/edit" in html


def test_a_scan_fired_into_the_title_field_moves_on_to_the_next_book(station, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    station.start(anonymous="1", campaign_id="")
    station.scan("9791162243091")
    assert station.post("/intake/manual", title="9780316030571", save="1").status_code == 302
    books = {b.isbn13: b for b in db.session.scalars(sa.select(Book))}
    assert books["9791162243091"].needs_metadata
    assert count(Copy) == 2
    assert "Use of Weapons" in station.page()


def test_cancel_the_short_form(station):
    station.start(anonymous="1", campaign_id="")
    station.scan("9791162243091")
    station.post("/intake/manual", cancel="1")
    html = station.page()
    assert kind(html) == "cancelled" and 'data-testid="manual-form"' not in html
    assert count(Book) == 0


def test_double_scan_another_copy_and_undo(station, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    station.start(anonymous="1", campaign_id="")
    station.scan("9780316030571")
    html = station.scan("9780316030571")
    assert kind(html) == "duplicate" and "nothing was added" in html
    assert count(Copy) == 1
    html = station.scan("+")
    assert kind(html) == "created" and count(Copy) == 2
    assert "2 books in this donation" in html
    html = station.scan("-")
    assert kind(html) == "undone" and count(Copy) == 1
    assert station.post("/intake/undo").status_code == 302
    assert count(Copy) == 0
    html = station.scan("-")
    assert kind(html) == "refused" and "no scan to undo" in html
    assert station.post("/intake/again").status_code == 302
    assert count(Copy) == 1  # "another copy" of the last book scanned


def test_book_without_isbn_with_one_key(station):
    station.start(anonymous="1", campaign_id="")
    html = station.scan("*")
    assert 'data-testid="manual-form"' in html and "Book without an ISBN" in html
    assert 'data-testid="manual-later"' not in html
    station.post("/intake/manual", title="마을 문집", save="1")
    book = db.session.scalar(sa.select(Book))
    assert book.isbn13 is None and book.title == "마을 문집" and count(Copy) == 1


def test_edit_a_book_is_audited(station, english, make_book):
    book = make_book(isbn13="9791162243091", title="ISBN 9791162243091", needs_metadata=True)
    html = english.get(f"/intake/books/{book.id}/edit").get_data(as_text=True)
    assert 'data-testid="edit-form"' in html
    response = station.post(f"/intake/books/{book.id}/edit?next=incomplete",
                            isbn13="9791162243091", title="Real title", authors="김; 이",
                            publisher="", year="", language="ko", kdc="813.7",
                            addon_code="03810", description="")
    assert response.status_code == 302 and response.headers["Location"] == "/intake/incomplete"
    db.session.refresh(book)
    assert (book.title, book.author_list, book.kdc, book.kdc_class, book.addon_code) == (
        "Real title", ["김", "이"], "813.7", "8", "03810")
    assert not book.needs_metadata
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "book.update"))
    assert event.actor_id == station.member.id
    bad = station.post(f"/intake/books/{book.id}/edit", title="", addon_code="123")
    assert bad.status_code == 400


def test_finish_the_donation(station, make_book):
    make_book(isbn13="9780316030571")
    station.start(anonymous="1", campaign_id="")
    station.scan("9780316030571")
    response = station.post("/intake/finish")
    assert response.status_code == 302
    html = station.page()
    assert "Donation finished: 1 book received. Thank you!" in html
    assert 'data-testid="intake-start"' in html


def test_a_failed_save_leaves_nothing_half_written(station, copy_audit_fails, make_book):
    station.start(anonymous="1", campaign_id="")
    station.scan("9791162243091")
    response = station.post("/intake/manual", title="Will fail", save="1")
    assert response.status_code == 500
    assert count(Book) == 0 and count(Copy) == 0 and count(Donation) == 0
    assert count(LabelQueueItem) == 0


def test_refresh_metadata_command_offline(runner, app, make_book):
    make_book(isbn13="9791162243091", title="ISBN 9791162243091", needs_metadata=True)
    result = runner.invoke(args=["library", "refresh-metadata"])
    assert result.exit_code == 0, result.output
    assert "checked 1 flagged books, completed 0, 1 still incomplete" in result.output


@needs_recordings
def test_refresh_metadata_command_completes_books(runner, app, make_book, web):
    web.route(OPENL_HOST, recording("openl_9780316030571.json"))
    book = make_book(isbn13="9780316030571", title="ISBN 9780316030571", needs_metadata=True)
    make_book(isbn13=None, title="No ISBN", needs_metadata=True)
    result = runner.invoke(args=["library", "refresh-metadata"])
    assert result.exit_code == 0, result.output
    assert "completed 9780316030571 Use of Weapons" in result.output
    assert "checked 1 flagged books, completed 1, 1 still incomplete" in result.output
    db.session.refresh(book)
    assert book.title == "Use of Weapons" and not book.needs_metadata
    assert db.session.scalar(sa.select(AuditEvent.action)) == "book.refresh_metadata"


def test_a_hanging_provider_does_not_hold_up_the_station(station, app, web, release):
    from tests.support.providers import GOOB_HOST, hang

    app.config.update(METADATA_TIMEOUT=0.3, METADATA_BUDGET=0.5)
    web.route(OPENL_HOST, hang(release))
    web.route(GOOB_HOST, hang(release))
    station.start(anonymous="1", campaign_id="")
    started = time.monotonic()
    html = station.scan("9791162243091")
    assert time.monotonic() - started < 0.5 + 2.5  # the hang itself lasts 10 s
    assert kind(html) == "unknown" and 'data-testid="manual-form"' in html


def test_change_the_campaign_of_the_donation(station, make_campaign, make_book):
    first = make_campaign(name="First", is_default=True)
    second = make_campaign(name="Second")
    make_book(isbn13="9780316030571")
    station.start(anonymous="1", campaign_id=str(first.id))
    station.scan("9780316030571")
    assert station.post("/intake/campaign", campaign_id=str(second.id)).status_code == 302
    donation = db.session.scalar(sa.select(Donation))
    assert donation.campaign_id == second.id
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "donation.change_campaign"))
    assert event.details["changes"]["campaign_id"] == [first.id, second.id]
    assert "Second" in station.page()
    station.post("/intake/campaign", campaign_id="")
    db.session.refresh(donation)
    assert donation.campaign_id is None
