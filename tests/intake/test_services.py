"""Intake use cases: the lookup chain, copies, donations, double scans, undo, edits."""

import json
import time
from datetime import timedelta
from urllib.error import HTTPError

import pytest
import sqlalchemy as sa

from app.barcodes import is_valid_ean13
from app.errors import (
    BadCheckDigit,
    CannotUndo,
    InvalidISBN,
    MetadataRequired,
    NotABookBarcode,
    NothingToUndo,
)
from app.extensions import db
from app.intake import books, donations, lookup, services
from app.intake.books import BookFields
from app.models import (
    AuditEvent,
    Book,
    Copy,
    CopyStatus,
    Donation,
    LabelQueueItem,
    MetadataCache,
)
from tests.intake.conftest import NOW, commit, count
from tests.support.providers import (
    GOOB_HOST,
    NLK_HOST,
    NLK_KEY,
    OPENL_HOST,
    hang,
    needs_recordings,
    recording,
)

KOTLIN_ADDON_SCAN = "979116224309194000"  # ISBN 979-11-6224-309-1 + add-on 94000


pytestmark = pytest.mark.usefixtures("english_request")


# ---------------------------------------------------------------------------
# Reading scans
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "error", "word"),
    [
        ("9788960770837", BadCheckDigit, "check digit"),
        ("9771234567003", NotABookBarcode, "periodical"),
        ("8801234567893", NotABookBarcode, "Korean product"),
        ("2010000000014", NotABookBarcode, "copy barcode"),
        ("2020000000013", NotABookBarcode, "member card"),
        ("hello", InvalidISBN, "not a code we know"),
        ("", InvalidISBN, "Nothing was scanned"),
    ],
)
def test_non_isbn_scans_each_get_their_own_message(app, context, volunteer, raw, error, word):
    with pytest.raises(error) as caught:
        services.intake_scan(raw, context, by=volunteer, now=NOW)
    assert caught.value.code == "invalid_isbn"
    assert word in str(caught.value)
    assert count(Copy) == 0 and count(Donation) == 0


# ---------------------------------------------------------------------------
# A book in the catalogue: one scan, one new copy
# ---------------------------------------------------------------------------


def test_known_book_becomes_a_new_copy_with_everything_recorded(app, context, volunteer,
                                                                make_book, web):
    book = make_book(isbn13="9788960770836", title="Kotlin 핵심")
    result = commit(services.intake_scan("8960770833", context, by=volunteer, now=NOW))
    assert result.book.id == book.id and not result.created_book and not result.duplicate
    copy = db.session.get(Copy, result.copy.id)
    assert copy.status is CopyStatus.AVAILABLE
    assert copy.created_by_id == volunteer.id and copy.created_at == NOW
    donation = copy.donation
    assert donation.donor_id == context.donor.id and not donation.anonymous
    assert donation.campaign_id == context.campaign.id
    assert donation.received_by_id == volunteer.id and donation.received_at == NOW
    assert db.session.scalar(sa.select(LabelQueueItem.copy_id)) == copy.id
    assert web.requests == []  # our catalogue answered: no provider was asked


def test_copy_barcodes_are_valid_unique_201_ean13(app, context, volunteer, make_book,
                                                  make_copy):
    book = make_book(isbn13="9780316030571", title="Use of Weapons")
    # An imported copy already holds the next 201 number: it is skipped, not duplicated.
    make_copy(book, barcode="2010000000014")
    db.session.execute(sa.text("DELETE FROM barcode_counter"))
    db.session.commit()
    barcodes = []
    for i in range(12):
        result = services.intake_scan("9780316030571", context, by=volunteer,
                                      now=NOW + timedelta(seconds=3 * i))
        barcodes.append(result.copy.barcode)
    db.session.commit()
    assert len(set(barcodes)) == 12 and "2010000000014" not in barcodes
    assert all(b.startswith("201") and len(b) == 13 and is_valid_ean13(b) for b in barcodes)
    assert donations.donation_tally(context.donation) == {"copies": 12, "titles": 1}


# ---------------------------------------------------------------------------
# Double scans, another copy on purpose, undo
# ---------------------------------------------------------------------------


def test_double_scan_within_two_seconds_adds_nothing(app, context, volunteer, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    first = commit(services.intake_scan("9780316030571", context, by=volunteer, now=NOW))
    again = commit(services.intake_scan("9780316030571", context, by=volunteer,
                                        now=NOW + timedelta(seconds=1.5)))
    assert again.duplicate and again.copy.id == first.copy.id
    assert count(Copy) == 1
    forced = commit(services.intake_scan("9780316030571", context, by=volunteer,
                                         now=NOW + timedelta(seconds=1.8), force=True))
    assert not forced.duplicate and count(Copy) == 2
    later = commit(services.intake_scan("9780316030571", context, by=volunteer,
                                        now=NOW + timedelta(seconds=4)))
    assert not later.duplicate and count(Copy) == 3
    another = commit(services.add_another_copy(later.book, context, by=volunteer,
                                               now=NOW + timedelta(seconds=4.1)))
    assert another.copy.id != later.copy.id and count(Copy) == 4


def test_same_new_isbn_saved_by_someone_else_meanwhile(app, context, volunteer, make_book,
                                                      monkeypatch):
    book = make_book(isbn13="9791162243091", title="Saved at the other table")
    real = lookup.book_by_isbn
    calls = []

    def stale_first(isbn13):
        calls.append(isbn13)
        return None if len(calls) == 1 else real(isbn13)

    monkeypatch.setattr(services, "book_by_isbn", stale_first)
    result = commit(services.intake_scan("9791162243091", context, by=volunteer, now=NOW,
                                         complete_later=True))
    assert result.book.id == book.id and not result.created_book
    assert count(Book) == 1 and count(Copy) == 1


def test_undo_removes_the_last_copy_and_a_book_that_scan_created(app, context, volunteer,
                                                                 make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    commit(services.intake_scan("9780316030571", context, by=volunteer, now=NOW))
    commit(services.intake_scan("9791162243091", context, by=volunteer,
                                now=NOW + timedelta(seconds=5), complete_later=True))
    assert count(Book) == 2 and count(Copy) == 2
    undone = commit(services.undo_last(context, by=volunteer, now=NOW + timedelta(seconds=6)))
    assert undone.book_removed and count(Book) == 1 and count(Copy) == 1
    assert count(LabelQueueItem) == 1
    undone = commit(services.undo_last(context, by=volunteer, now=NOW + timedelta(seconds=7)))
    assert not undone.book_removed and count(Book) == 1 and count(Copy) == 0
    with pytest.raises(NothingToUndo):
        services.undo_last(context, by=volunteer, now=NOW + timedelta(seconds=8))
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("copy.undo") == 2 and "book.undo" in actions


def test_undo_refuses_a_copy_already_in_use(app, context, volunteer, make_book):
    make_book(isbn13="9780316030571", title="Use of Weapons")
    result = commit(services.intake_scan("9780316030571", context, by=volunteer, now=NOW))
    result.copy.status = CopyStatus.ON_LOAN
    db.session.commit()
    with pytest.raises(CannotUndo):
        services.undo_last(context, by=volunteer, now=NOW)


# ---------------------------------------------------------------------------
# Unknown ISBNs: the lookup chain, the manual form, "complete later"
# ---------------------------------------------------------------------------


def test_every_provider_unreachable_asks_for_metadata_and_writes_nothing(app, context,
                                                                        volunteer, web):
    started = time.monotonic()
    with pytest.raises(MetadataRequired) as caught:
        services.intake_scan("9791162243091", context, by=volunteer, now=NOW)
    assert time.monotonic() - started < app.config["METADATA_BUDGET"] + 2.5
    assert caught.value.status == 422 and caught.value.code == "metadata_required"
    assert {OPENL_HOST, GOOB_HOST} <= set(web.hosts())
    db.session.commit()
    assert count(Book) == 0 and count(Copy) == 0 and count(Donation) == 0
    # A failed try is remembered briefly, so the next scan of it does not wait again.
    entry = db.session.get(MetadataCache, "9791162243091")
    assert not entry.found and entry.expires_at == NOW + lookup.CACHE_ERROR_FOR
    asked = len(web.requests)
    with pytest.raises(MetadataRequired):
        services.intake_scan("9791162243091", context, by=volunteer, now=NOW)
    assert len(web.requests) == asked


def test_unknown_isbn_saved_from_typed_metadata(app, context, volunteer):
    fields = BookFields(title="  코틀린 인 액션 ", authors=["드미트리 제메로프", " "],
                        publisher="에이콘", year=2017, language="KO")
    result = commit(services.intake_scan(KOTLIN_ADDON_SCAN, context, by=volunteer, now=NOW,
                                         fields=fields))
    book = result.book
    assert result.created_book and book.title == "코틀린 인 액션"
    assert book.author_list == ["드미트리 제메로프"] and book.language == "ko"
    assert book.metadata_source == "manual" and not book.needs_metadata
    assert book.isbn13 == "9791162243091" and book.isbn10 is None


def test_add_on_is_decoded_and_stored_on_the_book(app, context, volunteer):
    result = commit(services.intake_scan(KOTLIN_ADDON_SCAN, context, by=volunteer, now=NOW,
                                         complete_later=True))
    book = db.session.get(Book, result.book.id)
    # 94000: reader group 9 (specialist), form 4 (complete works / series), KDC 0.
    assert (book.addon_code, book.addon_reader_group, book.addon_form, book.addon_subject,
            book.kdc_class) == ("94000", "9", "4", "000", "0")


def test_add_on_fills_an_existing_book_without_one(app, context, volunteer, make_book):
    book = make_book(isbn13="9788960770836", title="Korean book")
    commit(services.intake_scan("978896077083603810", context, by=volunteer, now=NOW))
    db.session.refresh(book)
    assert (book.addon_code, book.addon_reader_group, book.addon_form, book.kdc_class) == (
        "03810", "0", "3", "8")


def test_complete_later_flags_the_book_with_a_stand_in_title(app, context, volunteer):
    result = commit(services.intake_scan("9791162243091", context, by=volunteer, now=NOW,
                                         complete_later=True))
    assert result.book.needs_metadata and result.book.title == "ISBN 9791162243091"
    assert db.session.scalars(books.incomplete_books_query()).all() == [result.book]


def test_book_without_isbn(app, context, volunteer):
    result = commit(services.save_manual_book(
        context, isbn=None, fields=BookFields(title="마을 문집 1호", authors=["서산 글방"]),
        by=volunteer, now=NOW))
    assert result.book.isbn13 is None and result.book.title == "마을 문집 1호"
    other = commit(services.save_manual_book(
        context, isbn=None, fields=BookFields(title="마을 문집 2호"), by=volunteer,
        now=NOW + timedelta(seconds=1)))
    assert other.book.id != result.book.id and count(Copy) == 2


@needs_recordings
def test_provider_answer_makes_the_book_and_is_cached_for_30_days(app, context, volunteer, web,
                                                                  make_campaign):
    web.route(OPENL_HOST, recording("openl_9780316030571.json"))
    result = commit(services.intake_scan("9780316030571", context, by=volunteer, now=NOW))
    book = result.book
    assert (book.title, book.author_list, book.publisher, book.year) == (
        "Use of Weapons", ["Iain M. Banks"], "Orbit", 2008)
    assert book.metadata_source == "openl" and result.created_book
    entry = db.session.get(MetadataCache, "9780316030571")
    assert entry.found and entry.source == "openl"
    assert entry.expires_at == NOW + lookup.CACHE_FOUND_FOR
    # The cache answers the next time, without any provider.
    web.offline()
    asked = len(web.requests)
    metadata, source = lookup.lookup_metadata("9780316030571", now=NOW + timedelta(days=29))
    assert source == "cache" and metadata.title == "Use of Weapons"
    assert len(web.requests) == asked
    # After expiry the providers are asked again.
    lookup.lookup_metadata("9780316030571", now=NOW + timedelta(days=31))
    assert len(web.requests) > asked


@needs_recordings
def test_a_provider_error_falls_through_to_the_next(app, context, volunteer, web):
    web.route(OPENL_HOST, HTTPError("http://openlibrary.org", 500, "Server Error", {}, None))
    web.route(GOOB_HOST, recording("goob_9781782276340.json"))
    result = commit(services.intake_scan("9781782276340", context, by=volunteer, now=NOW))
    assert result.book.title == "The Decagon House Murders"
    assert result.book.metadata_source == "goob" and result.book.language == "en"
    assert web.hosts() == [OPENL_HOST, GOOB_HOST]


@needs_recordings
def test_everyone_says_not_found_is_cached_for_a_day(app, context, volunteer, web):
    web.route(OPENL_HOST, recording("stubs/openl_notfound_empty.json"))
    web.route(GOOB_HOST, recording("stubs/goob_notfound_totalItems0.json"))
    with pytest.raises(MetadataRequired):
        services.intake_scan("9791162243091", context, by=volunteer, now=NOW)
    db.session.commit()
    entry = db.session.get(MetadataCache, "9791162243091")
    assert not entry.found and entry.expires_at == NOW + lookup.CACHE_MISS_FOR


@needs_recordings
def test_korean_provider_with_a_key(app, context, volunteer, web):
    app.config.update(NLK_API_KEY=NLK_KEY, METADATA_SERVICES=("nlk", "openl", "goob"))
    web.route(NLK_HOST, recording(
        "nlk_title-kotlin-in-action_9791161759692_9791161750712.json"))
    result = commit(services.intake_scan("9791161750712", context, by=volunteer, now=NOW))
    book = result.book
    assert book.title == "Kotlin in action" and book.publisher == "에이콘"
    assert book.author_list == ["드미트리 제메로프", "스베트라나 이사코바", "오현석"]
    assert (book.kdc, book.kdc_class, book.addon_code, book.addon_reader_group) == (
        "005.133", "0", "94000", "9")
    assert book.metadata_source == "nlk" and book.year == 2017
    assert web.hosts() == [NLK_HOST]
    assert all(NLK_KEY not in json.dumps(e.payload) for e in
               db.session.scalars(sa.select(MetadataCache)))


def test_a_hanging_provider_is_bounded_by_the_budget(app, context, volunteer, web, release):
    app.config.update(METADATA_TIMEOUT=0.4, METADATA_BUDGET=0.6)
    web.route(OPENL_HOST, hang(release))
    web.route(GOOB_HOST, hang(release))
    started = time.monotonic()
    with pytest.raises(MetadataRequired):
        services.intake_scan("9791162243091", context, by=volunteer, now=NOW)
    assert time.monotonic() - started < 0.6 + 2.5  # the hang itself lasts 10 s
    # ...and the volunteer carries on: the book is saved by hand.
    result = commit(services.intake_scan("9791162243091", context, by=volunteer, now=NOW,
                                         fields=BookFields(title="Typed by hand")))
    assert result.book.title == "Typed by hand"
