"""Every way a book, copy, loan or donation is written, and the derived data after it.

After each write path the book is found by a title word, a two-syllable Korean word, an
author and its ISBN (the search index, kept by app/catalog/store.py), and the campaigns'
running totals equal a full recount (campaign_book, kept by triggers). A new write path
joins WRITE_PATHS in the commit that adds it; one that writes the catalogue outside the
store fails here (and everywhere else) with UnguardedWrite.
"""

import csv
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app.campaigns import tally
from app.catalog import store
from app.catalog.services import SearchQuery, search
from app.extensions import db
from app.models import Book, CampaignBook, Copy, CopyStatus, Role, SearchGram, utcnow
from tests.support.providers import block_network, web  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# The book every path writes: a Korean title with a parenthetical prefix and Latin words.
TITLE = "(한입에 쓱싹)편의점 과학 Garden Secrets"
AUTHOR = "김정훈"
PUBLISHER = "그린북"
ISBN = "9791190090018"
# What finds it: a title word, a 2-syllable Korean word inside a longer one, the author,
# and the ISBN.
QUERIES = ("secrets", "편의", AUTHOR, ISBN)


@pytest.fixture(autouse=True)
def _offline(web):  # noqa: F811
    return web


@pytest.fixture
def volunteer(make_member):
    return make_member(Role.VOLUNTEER, name="Volunteer Kim", password=None)


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(is_active=True)


def found(q: str) -> list[int]:
    return [hit.book.id for hit in search(SearchQuery(q=q), now=utcnow()).items]


def assert_findable(book_id: int) -> None:
    db.session.expire_all()
    for query in QUERIES:
        assert book_id in found(query), query


def assert_tallies_match_a_recount() -> None:
    kept = sorted(tuple(r) for r in db.session.execute(sa.select(
        CampaignBook.campaign_id, CampaignBook.book_id, CampaignBook.kdc_class,
        CampaignBook.reader_group, CampaignBook.copies, CampaignBook.kept, CampaignBook.loans,
    ).where(CampaignBook.copies > 0)).all())
    assert kept == sorted(tuple(r) for r in db.session.execute(sa.text(tally.RECOMPUTED)))


def the_book() -> Book:
    return db.session.scalar(sa.select(Book).where(Book.isbn13 == ISBN))


def _fields():
    from app.intake.books import BookFields

    return BookFields(title=TITLE, authors=[AUTHOR], publisher=PUBLISHER, year=2021,
                      language="ko")


def _donation(volunteer, campaign):
    from app.intake.donations import start_donation

    return start_donation(donor=None, campaign=campaign, by=volunteer, now=utcnow())


# ---------------------------------------------------------------------------
# The write paths: each writes the book (and a copy in the campaign) and commits
# ---------------------------------------------------------------------------


def intake_station(client, volunteer, campaign, tmp_path):
    from app.intake.services import intake_scan

    intake_scan(ISBN + "03400", _donation(volunteer, campaign), by=volunteer, now=utcnow(),
                fields=_fields())
    db.session.commit()
    return the_book().id


def api_intake(client, volunteer, campaign, tmp_path):
    from app.accounts.services import issue_token

    token, _stored = issue_token(volunteer, days=1, now=utcnow())
    db.session.commit()
    response = client.post("/api/v1/intake", headers={"Authorization": f"Bearer {token}"},
                           json={"scan": ISBN, "campaign_id": campaign.id, "anonymous": True,
                                 "metadata": {"title": TITLE, "authors": [AUTHOR],
                                              "publisher": PUBLISHER, "year": 2021}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["book"]["id"]


def manual_form(client, volunteer, campaign, tmp_path):
    from app.intake.services import save_manual_book

    save_manual_book(_donation(volunteer, campaign), isbn=ISBN, fields=_fields(),
                     by=volunteer, now=utcnow())
    db.session.commit()
    return the_book().id


def edit(client, volunteer, campaign, tmp_path):
    from app.intake.books import edit_book
    from app.intake.services import intake_scan

    context = _donation(volunteer, campaign)
    result = intake_scan("9788936434120", context, by=volunteer, now=utcnow(),
                         fields=_fields().__class__(title="소년이 온다", authors=["한강"]))
    edit_book(result.book, {"isbn13": ISBN, "title": TITLE, "authors": [AUTHOR],
                            "publisher": PUBLISHER, "kdc": "400"}, by=volunteer, now=utcnow())
    db.session.commit()
    assert found("소년") == []
    return result.book.id


def metadata_refresh(client, volunteer, campaign, tmp_path):
    from app.intake.books import complete_from_metadata
    from app.intake.services import intake_scan
    from app.isbn import Metadata

    result = intake_scan(ISBN, _donation(volunteer, campaign), by=volunteer, now=utcnow(),
                         complete_later=True)
    complete_from_metadata(result.book, Metadata(isbn13=ISBN, title=TITLE, authors=[AUTHOR],
                                                 publisher=PUBLISHER, source="test"),
                           by=volunteer, now=utcnow())
    db.session.commit()
    return result.book.id


def _import(path: Path) -> None:
    from app.core.defaults import ensure_defaults
    from app.imports import reading, services

    ensure_defaults()
    source = reading.load_source(path)
    services.run_import(reading.check_rows(source), source_kind=source.kind, by=None,
                        now=utcnow(), filename=path.name)
    db.session.commit()


# A Korean library's export (13 columns), headed as such exports are.
KOREAN_EXPORT_HEADERS = ["등록번호", "본서명", "저작자", "발행자", "발행년", "표준번호(ISBN, ISSN)",
                         "분류기호", "별치기호", "청구기호", "권차", "복본", "자료실", "배가일"]
KOREAN_EXPORT_ROW = ["EM0000123", TITLE, f"{AUTHOR} 지음", PUBLISHER, "2021", ISBN, "400",
                     "", "400-김74ㅍ", "", "2", "종합자료실", "2024-03-15"]


def csv_import(client, volunteer, campaign, tmp_path):
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([KOREAN_EXPORT_HEADERS, KOREAN_EXPORT_ROW])
    _import(path)
    return the_book().id


def xlsx_import(client, volunteer, campaign, tmp_path):
    path = tmp_path / "export.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(KOREAN_EXPORT_HEADERS)
    workbook.active.append(KOREAN_EXPORT_ROW)
    workbook.save(path)
    _import(path)
    return the_book().id


def marc_import(client, volunteer, campaign, tmp_path):
    from app.imports.marc import MarcBook, write_binary

    path = tmp_path / "export.mrc"
    with open(path, "wb") as out:
        write_binary([MarcBook(title=TITLE, authors=[AUTHOR], publisher=PUBLISHER, year=2021,
                               language="ko", kdc="400", isbn13=ISBN,
                               copies=[("EM0000123", None)])], out)
    _import(path)
    return the_book().id


def restore(client, volunteer, campaign, tmp_path):
    from app.exports import backup

    book_id = intake_station(client, volunteer, campaign, tmp_path)
    path = tmp_path / "bookcafe.backup"
    backup.backup_database(path)
    # The copy restored is the one an older version made: its books without index rows.
    with store.writing():
        db.session.execute(sa.delete(SearchGram))
    db.session.commit()
    backup.backup_database(tmp_path / "unindexed.backup")
    backup.restore_database(tmp_path / "unindexed.backup")
    return book_id


def seed_demo(client, volunteer, campaign, tmp_path):
    from app.core import demo
    from app.core.defaults import ensure_defaults

    ensure_defaults()
    demo.seed(now=utcnow())
    db.session.commit()
    # The demo's books are its own: check one of them the same way.
    book = db.session.scalar(sa.select(Book).where(Book.title == "작별하지 않는다"))
    for query in ("작별하지", "작별", "한강", book.isbn13):
        assert book.id in found(query), query
    return None


def bench_loader(client, volunteer, campaign, tmp_path):
    """bench/datasets.py's bulk load (raw driver inserts), into an empty database as always."""
    import bench.datasets as datasets
    from app.core.defaults import default_site, ensure_defaults
    from tests.conftest import _empty_all_tables

    _empty_all_tables()
    ensure_defaults()
    db.session.commit()
    site_id = default_site().id
    db.session.remove()
    campaign_id = datasets.make_campaign(db.engine, site_id)
    row = datasets._book_row(1, isbn13=ISBN, title=TITLE, authors=AUTHOR,
                             publisher=PUBLISHER, year=2021, language="ko", kdc_class="4",
                             created_at=datasets.EPOCH)
    datasets.load(db.engine, iter([row]), seed=1, site_id=site_id, campaign_id=campaign_id)
    return 1


def withdraw_and_lend(client, volunteer, campaign, tmp_path):
    """The desk's writes: a loan and a return, a copy withdrawn, a donation moved."""
    from app.campaigns.services import move_donation
    from app.circulation.services import check_out, mark_withdrawn, return_copy
    from app.intake.services import add_another_copy

    book_id = intake_station(client, volunteer, campaign, tmp_path)
    book = db.session.get(Book, book_id)
    member = db.session.scalar(sa.select(type(volunteer)).where(type(volunteer).id
                                                                 == volunteer.id))
    copy = book.copies[0]
    check_out(copy, member, by=volunteer, now=utcnow())
    db.session.commit()
    return_copy(copy, by=volunteer, now=utcnow())
    db.session.commit()
    second = add_another_copy(book, _donation(volunteer, campaign), by=volunteer,
                              now=utcnow()).copy
    mark_withdrawn(second, by=volunteer, now=utcnow())
    db.session.commit()
    other = type(campaign)(name="겨울 책 나눔", starts_on=campaign.starts_on, is_active=True)
    db.session.add(other)
    db.session.flush()
    move_donation(copy.donation, other, by=volunteer, now=utcnow())
    db.session.commit()
    return book_id


def _hit(book_id: int):
    db.session.expire_all()
    return next(hit for hit in search(SearchQuery(q=ISBN), now=utcnow()).items
                if hit.book.id == book_id)


def weeding(client, volunteer, campaign, tmp_path):
    """Weeding's writes: copies withdrawn (제적) with a reason, passed on, one put back."""
    from app.models import Disposition, WithdrawalReason
    from app.stocktake.weeding import reinstate, withdraw

    book_id = intake_station(client, volunteer, campaign, tmp_path)
    book = db.session.get(Book, book_id)
    copy = book.copies[0]
    withdraw([copy], reason=WithdrawalReason.DUPLICATE, disposition=Disposition.PASSED_ON,
             passed_to="서산시립도서관", by=volunteer, now=utcnow())
    db.session.commit()
    assert_tallies_match_a_recount()
    assert (_hit(book_id).copies, _hit(book_id).available) == (0, 0)
    reinstate(copy, by=volunteer, now=utcnow())
    db.session.commit()
    assert (_hit(book_id).copies, _hit(book_id).available) == (1, 1)
    return book_id


def stocktake(client, volunteer, campaign, tmp_path):
    """A stocktake's writes: a copy found on loan returned, copies missing, then lost, then
    found again on a shelf; the scan page's reinstatement of a withdrawn copy."""
    from app.circulation.services import check_out, mark_withdrawn
    from app.intake.services import add_another_copy
    from app.stocktake import scanning, sessions
    from app.stocktake.scope import Scope
    from app.stocktake.weeding import reinstate

    book_id = intake_station(client, volunteer, campaign, tmp_path)
    book = db.session.get(Book, book_id)
    lent = book.copies[0]
    check_out(lent, volunteer, by=volunteer, now=utcnow())
    shelved = add_another_copy(book, _donation(volunteer, campaign), by=volunteer,
                               now=utcnow()).copy
    db.session.commit()

    def one_stocktake(*scans):
        session = sessions.start_stocktake(Scope(), by=volunteer, now=utcnow())
        for copy in scans:
            scanning.scan(session, copy.barcode, by=volunteer, now=utcnow())
        sessions.close_stocktake(session, by=volunteer, now=utcnow())
        sessions.mark_missing(session, [c.id for c in sessions.missing_copies(session)],
                              by=volunteer, now=utcnow())
        db.session.commit()
        assert_tallies_match_a_recount()

    one_stocktake(lent)  # found on loan and returned; the other copy goes missing
    assert (lent.status, shelved.status) == (CopyStatus.AVAILABLE, CopyStatus.MISSING)
    one_stocktake(lent)  # missing twice: lost
    assert shelved.status is CopyStatus.LOST
    found = sessions.start_stocktake(Scope(), by=volunteer, now=utcnow())
    scanning.scan(found, shelved.barcode, by=volunteer, now=utcnow())
    db.session.commit()
    assert shelved.status is CopyStatus.AVAILABLE
    assert (_hit(book_id).copies, _hit(book_id).available) == (2, 2)
    mark_withdrawn(shelved, by=volunteer, now=utcnow())
    scanning.scan(found, lent.barcode, by=volunteer, now=utcnow())
    db.session.commit()
    reinstate(shelved, by=volunteer, now=utcnow())
    db.session.commit()
    return book_id


WRITE_PATHS = [intake_station, api_intake, manual_form, edit, metadata_refresh, csv_import,
               xlsx_import, marc_import, restore, seed_demo, bench_loader, withdraw_and_lend,
               weeding, stocktake]


@pytest.mark.parametrize("write", WRITE_PATHS, ids=lambda f: f.__name__)
def test_after_every_write_path_the_book_is_found_and_the_tallies_add_up(
        write, client, volunteer, campaign, tmp_path):
    book_id = write(client, volunteer, campaign, tmp_path)
    if book_id is not None:
        assert_findable(book_id)
    assert_tallies_match_a_recount()


def test_the_korean_export_keeps_what_its_columns_say(client, volunteer, campaign, tmp_path):
    csv_import(client, volunteer, campaign, tmp_path)
    book = the_book()
    copy = book.copies[0]
    assert (copy.barcode, copy.call_number, copy.copy_number, copy.location) == (
        "EM0000123", "400-김74ㅍ", 2, "종합자료실")
    assert copy.shelved_on.isoformat() == "2024-03-15"
    assert (book.authors, book.kdc, book.year) == (AUTHOR, "400", 2021)


def test_deleting_a_book_takes_its_index_rows_with_it(client, volunteer, campaign, tmp_path):
    from app.intake.services import undo_last

    context = _donation(volunteer, campaign)
    from app.intake.services import intake_scan

    intake_scan(ISBN, context, by=volunteer, now=utcnow(), fields=_fields())
    db.session.commit()
    book_id = the_book().id
    assert undo_last(context, by=volunteer, now=utcnow()).book_removed
    db.session.commit()
    for query in QUERIES:
        assert found(query) == [], query
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchGram)
                             .where(SearchGram.book_id == book_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Copy.id)).where(
        Copy.status == CopyStatus.AVAILABLE)) == 0
    assert_tallies_match_a_recount()


def test_a_write_path_that_skips_the_store_fails(app):
    """What an import once did: a Core insert of a book, without its index."""
    with pytest.raises(store.UnguardedWrite):
        db.session.execute(sa.insert(Book), [{"title": TITLE, "search_text": ""}])
    db.session.rollback()


# Only the store (and the index it calls) writes the catalogue's tables.
_CATALOG_WRITE = re.compile(
    r"(?:sa\.)?(?:insert|update|delete)\(\s*(?:Book|SearchGram)\b"
    r"|(?:Book|SearchGram)\.__table__\.(?:insert|update|delete)\("
    r"|session\.(?:add|add_all|delete|merge)\(\s*(?:Book\(|book\b|books\b)")
_STORE = {ROOT / "app" / "catalog" / "store.py"}


def test_no_module_but_the_store_writes_books_or_their_index():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path in _STORE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _CATALOG_WRITE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
