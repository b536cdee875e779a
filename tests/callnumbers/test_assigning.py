"""Call numbers in the catalogue: the settings, intake, the book edit form, filling in the
missing ones (command and coordinator page)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.catalog import callnumbers
from app.extensions import db
from app.intake import donations, services
from app.models import Book, Copy, MetadataCache, Role
from tests.support.providers import block_network, web  # noqa: F401

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ISBN = "9791190090001"  # 979-11-90090-00-1, a valid ISBN-13


@pytest.fixture(autouse=True)
def _offline_providers(web):  # noqa: F811
    """No provider answers: what a test does not put in the cache is unknown."""
    return web


def cache(isbn13: str, **metadata) -> None:
    """Put an NLK answer for an ISBN in the metadata cache."""
    payload = {"isbn13": isbn13, "source": "nlk", **metadata}
    db.session.add(MetadataCache(isbn13=isbn13, found=True, source="nlk", payload=payload,
                                 fetched_at=NOW, expires_at=NOW + timedelta(days=3650)))
    db.session.commit()


@pytest.fixture
def context(make_member, make_campaign):
    volunteer = make_member(Role.VOLUNTEER, name="Volunteer Kim", password=None)
    campaign = make_campaign(name="Vitalization", is_default=True)
    context = donations.start_donation(donor=None, campaign=campaign, by=volunteer, now=NOW)
    context.volunteer = volunteer
    return context


def scan(context, code, now=NOW):
    result = services.intake_scan(code, context, by=context.volunteer, now=now, force=True)
    db.session.commit()
    return result


def test_a_korean_book_scanned_with_its_add_on_gets_its_call_number(context):
    cache(ISBN, title="불편한 편의점 2", authors=["김호연 지음"], kdc="813.7")
    result = scan(context, ISBN + "03810")
    assert result.copy.call_number == "813.7-김95ㅂ"
    assert result.copy.copy_number == 1 and result.copy.shelf is None
    # The same book's later copies carry copy marks.
    second = scan(context, ISBN, now=NOW + timedelta(minutes=1))
    third = scan(context, ISBN, now=NOW + timedelta(minutes=2))
    assert (second.copy.call_number, third.copy.call_number) == ("813.7-김95ㅂ=2",
                                                                 "813.7-김95ㅂ=3")


def test_without_kdc_the_add_on_gives_the_class_and_the_shelf_prefix(context):
    cache(ISBN, title="두근두근 편의점", authors=["김영진 글·그림"])
    result = scan(context, ISBN + "77810")
    assert (result.copy.shelf, result.copy.call_number) == ("아", "810-김64ㄷ")
    assert result.copy.placed_call_number == "아 810-김64ㄷ"


def test_without_a_class_number_the_copy_needs_one(context, client, login_as):
    cache(ISBN, title="편의점 인간", authors=["무라타 사야카"])
    result = scan(context, ISBN)
    assert result.copy.call_number is None and result.given.call_number is None
    assert db.session.scalar(callnumbers.missing_count_query()) == 1


def test_two_authors_giving_one_mark_in_a_class_are_told_apart(context, make_book, make_copy):
    other = make_book(title="바람", authors="황순원", kdc="813.7")
    make_copy(other, call_number="813.7-황54ㅂ")
    cache(ISBN, title="바다", authors=["황선미"], kdc="813.7")  # 황선미 -> 황54 as well
    result = scan(context, ISBN)
    assert result.copy.call_number == "813.7-황53ㅂ"
    assert result.given.moved_from == "황54ㅂ"


def test_the_station_shows_the_call_number_and_the_collision(context, make_book, make_copy,
                                                            client, login_as, csrf_token):
    other = make_book(title="바람", authors="황순원", kdc="813.7")
    make_copy(other, call_number="813.7-황54ㅂ")
    cache(ISBN, title="바다", authors=["황선미"], kdc="813.7")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(Role.VOLUNTEER, password=None, locale="en")
    token = csrf_token("/intake")
    client.post("/intake/start", data={"csrf_token": token, "anonymous": "1",
                                       "campaign_id": ""})
    client.post("/intake/scan", data={"csrf_token": token, "scan": ISBN})
    html = client.get("/intake").get_data(as_text=True)
    assert 'data-testid="new-call-number"' in html and "813.7-황53ㅂ" in html
    assert 'data-testid="call-number-collision"' in html and "황54ㅂ" in html
    book = db.session.scalar(sa.select(Book).where(Book.isbn13 == ISBN))
    page = client.get(f"/catalog/{book.id}").get_data(as_text=True)
    assert "813.7-황53ㅂ" in page


def test_settings_change_the_marks_styles_and_prefixes(app, context, make_member):
    coordinator = make_member(Role.COORDINATOR, password=None)
    callnumbers.save_settings({"title_mark": "syllable", "volume_style": "dash",
                               "copy_style": "c", "large_print_prefix": "LP",
                               "reader_group_prefixes": {"7": "J"}, "form_prefixes": {}},
                              by=coordinator, now=NOW)
    db.session.commit()
    cache(ISBN, title="두근두근 편의점", authors=["김영진"], kdc="808")
    first = scan(context, ISBN + "77810")
    second = scan(context, ISBN, now=NOW + timedelta(minutes=1))
    assert (first.copy.shelf, first.copy.call_number) == ("J", "808-김64두")
    assert second.copy.placed_call_number == "J 808-김64두 c.2"


def test_large_print_books_get_the_large_print_prefix(context):
    cache(ISBN, title="불편한 편의점 (큰글자도서)", authors=["김호연"], kdc="813.7")
    assert scan(context, ISBN).copy.placed_call_number == "큰글자 813.7-김95ㅂ"


def test_the_coordinator_page_saves_settings(client, login_as, csrf_token):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(Role.COORDINATOR, password=None, locale="en")
    html = client.get("/admin/call-numbers").get_data(as_text=True)
    assert 'name="reader_group_7" type="text" value="아"' in html
    assert 'name="form_7" type="text" value="아"' in html
    token = csrf_token("/admin/call-numbers")
    response = client.post("/admin/call-numbers", data={
        "csrf_token": token, "title_mark": "syllable", "volume_style": "v",
        "copy_style": "c", "large_print_prefix": "큰글자", "reader_group_7": "유"})
    assert response.status_code == 302
    values = callnumbers.settings()
    assert values["title_mark"] == "syllable" and values["copy_style"] == "c"
    assert values["reader_group_prefixes"] == {"7": "유"} and values["form_prefixes"] == {}
    assert client.post("/admin/call-numbers", data={
        "csrf_token": token, "title_mark": "nonsense", "volume_style": "v",
        "copy_style": "c"}).status_code == 400
    login_as(Role.VOLUNTEER, password=None)
    assert client.get("/admin/call-numbers").status_code == 403


def _missing_world(make_book, make_copy):
    kim = make_book(title="불편한 편의점", authors="김호연", kdc="813.7")
    make_copy(kim)
    make_copy(kim)
    nothing = make_book(title="편의점 인간", authors="무라타 사야카")
    make_copy(nothing)
    imported = make_book(title="편의점 사회학", authors="전상인", kdc="304")
    make_copy(imported, call_number="304-전52ㅍ", shelf="참")


def test_assign_call_numbers_previews_then_fills(runner, make_book, make_copy):
    _missing_world(make_book, make_copy)
    preview = runner.invoke(args=["library", "assign-call-numbers", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "813.7-김95ㅂ" in preview.output and "813.7-김95ㅂ=2" in preview.output
    assert "needs a class number" in preview.output and "Dry run: 2" in preview.output
    assert db.session.scalar(callnumbers.missing_count_query()) == 3
    result = runner.invoke(args=["library", "assign-call-numbers"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    numbers = sorted(c.call_number or "" for c in db.session.scalars(sa.select(Copy)))
    assert numbers == ["", "304-전52ㅍ", "813.7-김95ㅂ", "813.7-김95ㅂ=2"]


def test_the_coordinator_button_fills_the_missing_ones(client, login_as, csrf_token,
                                                       make_book, make_copy):
    _missing_world(make_book, make_copy)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(Role.COORDINATOR, password=None, locale="en")
    html = client.get("/admin/call-numbers").get_data(as_text=True)
    assert "3 copies have no call number" in html and "813.7-김95ㅂ=2" in html
    token = csrf_token("/admin/call-numbers")
    response = client.post("/admin/call-numbers/fill", data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(callnumbers.missing_count_query()) == 1


def test_the_edit_form_shows_the_call_number_and_copies_follow_a_new_class(
        client, login_as, csrf_token, make_book, make_copy):
    book = make_book(title="불편한 편의점", authors="김호연", kdc="810", isbn13=ISBN)
    first, second = make_copy(book), make_copy(book)
    callnumbers.fill_missing(dry_run=False, by=None, now=NOW)
    db.session.commit()
    written = make_copy(book, call_number="K 813.7 김95", copy_number=3)  # a person's
    assert (first.call_number, second.call_number) == ("810-김95ㅂ", "810-김95ㅂ=2")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(Role.VOLUNTEER, password=None, locale="en")
    html = client.get(f"/intake/books/{book.id}/edit").get_data(as_text=True)
    assert 'data-testid="call-number-preview"' in html and "810-김95ㅂ" in html
    token = csrf_token(f"/intake/books/{book.id}/edit")
    response = client.post(f"/intake/books/{book.id}/edit", data={
        "csrf_token": token, "title": "불편한 편의점", "authors": "김호연", "kdc": "813.7",
        "isbn13": ISBN})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert (first.call_number, second.call_number, written.call_number) == (
        "813.7-김95ㅂ", "813.7-김95ㅂ=2", "K 813.7 김95")
    html = client.get(f"/intake/books/{book.id}/edit").get_data(as_text=True)
    assert "813.7-김95ㅂ" in html


def test_an_import_keeps_its_call_numbers_and_only_the_missing_are_filled(runner, tmp_path):
    import csv

    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([
            ["등록번호", "서명", "저자", "발행자", "ISBN", "분류기호", "별치기호", "청구기호"],
            ["EM0000001", "아몬드", "손원평 지음", "창비", "9788936434267", "813.7", "",
             "813.7-손67ㅇ"],
            ["EM0000002", "두근두근 편의점", "김영진", "그린북", "", "808", "유",
             "808-김64ㄷ"],
            ["EM0000003", "불편한 편의점", "김호연", "나무옆의자", "", "813.7", "", ""]])
    result = runner.invoke(args=["library", "import", str(path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["library", "assign-call-numbers"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    copies = {c.barcode: (c.shelf, c.call_number) for c in db.session.scalars(sa.select(Copy))}
    assert copies == {"EM0000001": (None, "813.7-손67ㅇ"), "EM0000002": ("유", "808-김64ㄷ"),
                      "EM0000003": (None, "813.7-김95ㅂ")}


def test_the_scanned_copys_labels_carry_its_call_number(context, client, login_as, csrf_token):
    """Scan, then the queue prints its barcode label, spine label and combined label."""
    from app.core.defaults import ensure_defaults
    from tests.labels.conftest import decoded_codes, template_named
    from tests.labels.rendering import pdf_words

    ensure_defaults()
    cache(ISBN, title="불편한 편의점", authors=["김호연 지음"], kdc="813.7")
    copy = scan(context, ISBN + "03810").copy
    login_as(Role.VOLUNTEER, password=None, locale="en")
    token = csrf_token("/labels")

    def printed(template, content):
        response = client.post("/labels/print", data={
            "csrf_token": token, "template": str(template_named(template).id), "start_at": "1",
            "content": content, "item": [str(copy.id)]})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.data

    words = [w[0] for p in pdf_words(printed("A4 3x8", "labels")) for w in p]
    assert "813.7-김95ㅂ" in words
    words = [w[0] for p in pdf_words(printed("spine roll", "spine")) for w in p]
    assert words == ["813.7", "김95ㅂ"]
    combined = printed("label + spine", "combined")
    assert decoded_codes(combined) == [[copy.barcode]]
