"""The public books API: search, one book, new and popular lists, CORS, caching, errors."""

from datetime import date, timedelta

import pytest

from app.core.defaults import default_site
from app.extensions import db
from app.models import CopyStatus, Donation, Loan, utcnow
from tests.catalog.conftest import shelf  # noqa: F401  (the catalogue's fixture)

HARRY_KO = "해리포터와 마법사의 돌"


@pytest.fixture(autouse=True)
def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_search_shape(client, shelf, make_copy):  # noqa: F811
    book = shelf[HARRY_KO]
    make_copy(book=book)
    make_copy(book=book, status=CopyStatus.ON_LOAN)
    response = client.get("/api/v1/books?q=해리")
    assert response.status_code == 200
    assert response.json == {
        "items": [{"id": book.id, "title": HARRY_KO, "authors": ["J.K. 롤링"],
                   "isbn13": "9788983920775", "copies": 2, "available": 1}],
        "total": 1, "total_capped": False, "page": 1, "per_page": 20,
    }


def test_search_without_login_and_pages(client, shelf):  # noqa: F811
    response = client.get("/api/v1/books?per_page=5&page=3")
    assert response.status_code == 200
    assert response.json["total"] == len(shelf)
    assert len(response.json["items"]) == 2
    assert (response.json["page"], response.json["per_page"]) == (3, 5)


@pytest.mark.parametrize("q", ["8983920777", "978-89-8392-077-5", "978898392077503840"])
def test_search_by_isbn(client, shelf, q):  # noqa: F811
    assert [i["title"] for i in client.get(f"/api/v1/books?q={q}").json["items"]] == [HARRY_KO]


def test_available_filter(client, shelf, make_copy):  # noqa: F811
    make_copy(book=shelf["소년이 온다"])
    make_copy(book=shelf["채식주의자"], status=CopyStatus.ON_LOAN)
    items = client.get("/api/v1/books?q=한강&available=true").json["items"]
    assert [i["title"] for i in items] == ["소년이 온다"]


@pytest.mark.parametrize(
    ("query", "name"),
    [("page=0", "page"), ("page=abc", "page"), ("per_page=1000", "per_page"),
     ("available=perhaps", "available"), ("subject=x", "subject"),
     ("language=1", "language")],
)
def test_bad_parameters_are_400_json(client, query, name):
    response = client.get(f"/api/v1/books?{query}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_input"
    assert name in response.json["error"]["message"]


def test_too_long_query_is_400(client):
    response = client.get("/api/v1/books", query_string={"q": "가" * 201})
    assert response.status_code == 400
    assert "too long" in response.json["error"]["message"]


def test_one_book_with_copies_never_who_has_them(client, make_book, make_copy, make_member):
    book = make_book(title="소년이 온다", isbn13="9788936434120", authors="한강",
                     addon_code="03810", kdc_class="8")
    on_loan = make_copy(book=book, status=CopyStatus.ON_LOAN)
    make_copy(book=book)
    make_copy(book=book, status=CopyStatus.WITHDRAWN)
    borrower = make_member(name="Secret Reader", email="secret@example.com")
    db.session.add(Loan(copy_id=on_loan.id, book_id=on_loan.book_id,
                        member_id=borrower.id, site_id=default_site().id,
                        due_on=date(2026, 12, 24)))
    db.session.commit()
    response = client.get(f"/api/v1/books/{book.id}")
    assert response.status_code == 200
    data = response.json
    assert data["title"] == "소년이 온다" and data["authors"] == ["한강"]
    assert data["addon"]["code"] == "03810" and data["addon"]["kdc_class"] == "8"
    assert data["addon"]["reader_group_label"] == "General"
    assert [c["status"] for c in data["copies"]] == ["on_loan", "available"]
    assert data["copies"][0]["due_on"] == "2026-12-24"
    assert data["copies"][1]["due_on"] is None
    assert data["available"] == 1
    text = response.get_data(as_text=True)
    assert "Secret Reader" not in text and "secret@example.com" not in text
    assert borrower.card_barcode not in text


def test_donor_named_only_when_agreed(client, make_book, make_copy, make_member):
    book = make_book(title="아몬드")
    named = make_member(name="Named Donor", donor_named=True)
    shy = make_member(name="Shy Donor", donor_named=False)
    agreed_but_anonymous = make_member(name="Anon Donor", donor_named=True)
    site = default_site()
    for member, anonymous in ((named, False), (shy, False), (agreed_but_anonymous, True)):
        donation = Donation(donor_id=member.id, anonymous=anonymous, site_id=site.id)
        db.session.add(donation)
        db.session.flush()
        make_copy(book=book, donation_id=donation.id)
    assert client.get(f"/api/v1/books/{book.id}").json["donors"] == ["Named Donor"]


def test_unknown_book_is_404_json(client):
    response = client.get("/api/v1/books/999999")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "book_not_found"
    assert client.get("/api/v1/books/abc").json["error"]["code"] == "not_found"


def test_new_and_popular(client, shelf, make_copy, make_member):  # noqa: F811
    newest = client.get("/api/v1/books/new?limit=3").json["items"]
    assert [b["title"] for b in newest] == ["The Road", "Pride and Prejudice",
                                           "The Fault in Our Stars"]
    member = make_member()
    site = default_site()
    now = utcnow()
    copies = {t: make_copy(book=shelf[t]) for t in ("데미안", "사피엔스", "채식주의자")}

    def lend(title, days_ago, times=1):
        for _ in range(times):
            db.session.add(Loan(copy_id=copies[title].id, book_id=copies[title].book_id,
                                member_id=member.id, site_id=site.id,
                                checked_out_at=now - timedelta(days=days_ago),
                                returned_at=now - timedelta(days=days_ago - 1),
                                due_on=date(2026, 1, 1)))
    lend("사피엔스", 10, times=3)
    lend("데미안", 80, times=2)
    lend("채식주의자", 100, times=5)  # too long ago
    db.session.commit()
    popular = client.get("/api/v1/books/popular").json
    assert popular["days"] == 90
    assert [(b["title"], b["loans"]) for b in popular["items"]] == [("사피엔스", 3), ("데미안", 2)]
    assert client.get("/api/v1/books/popular?limit=0").status_code == 400
    assert client.get("/api/v1/books/new?limit=51").status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/books", "/api/v1/books/new", "/api/v1/books/popular",
                                  "/api/v1/openapi.json"])
def test_cors_and_cache_headers(client, path):
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_cors_preflight(client, make_book):
    book = make_book()
    response = client.options(f"/api/v1/books/{book.id}", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_write_endpoints_get_no_cors(client):
    response = client.post("/api/v1/tokens", json={}, headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in response.headers
