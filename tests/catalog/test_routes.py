"""Catalogue pages: search, a book page, the home page's lists."""

from datetime import date, timedelta

import pytest

from app.core.defaults import default_site
from app.extensions import db
from app.models import CopyStatus, Donation, Loan, Role, utcnow

HARRY_KO = "해리포터와 마법사의 돌"


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_search_page_finds_korean_two_syllables(english, shelf):
    response = english.get("/catalog?q=해리")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert HARRY_KO in html
    assert "소년이 온다" not in html
    assert f'href="/catalog/{shelf[HARRY_KO].id}"' in html
    assert "1 book found for" in html


def test_search_page_says_more_than_when_a_search_is_capped(english, make_book, monkeypatch):
    from app.catalog import services

    monkeypatch.setattr(services, "MATCH_LIMIT", 2)
    for title in ("a garden", "b garden", "c garden"):
        make_book(title=title)
    html = english.get("/catalog?q=garden").get_data(as_text=True)
    assert "More than 2 books found for" in html
    assert html.count('data-testid="book-result"') == 2
    body = english.get("/api/v1/books?q=garden").json
    assert (body["total"], body["total_capped"], len(body["items"])) == (2, True, 2)


def test_search_page_without_query_lists_books(english, shelf):
    html = english.get("/catalog").get_data(as_text=True)
    assert f"{len(shelf)} books" in html
    assert 'data-testid="search-field"' in html


def test_search_page_paginates(english, shelf):
    html = english.get("/catalog?per_page=3&language=en").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert "page=2" in html and "language=en" in html
    assert 'data-testid="next-page"' in html


def test_search_page_no_results(english, shelf):
    html = english.get("/catalog?q=zzzzqqq").get_data(as_text=True)
    assert 'data-testid="no-results"' in html


def test_search_page_filters_stay_checked(english, shelf):
    html = english.get("/catalog?q=x&available=1&subject=8").get_data(as_text=True)
    assert 'value="1" checked data-testid="filter-available"' in html
    assert '<option value="8" selected>' in html


@pytest.mark.parametrize("query", ["page=0", "per_page=x", "subject=abc"])
def test_search_page_bad_parameters_are_400(english, query):
    response = english.get(f"/catalog?{query}")
    assert response.status_code == 400


def test_book_page(english, make_book, make_copy, make_member):
    book = make_book(title="소년이 온다", subtitle="한강 장편소설", isbn13="9788936434120",
                     isbn10="8936434128", authors="한강", publisher="창비", year=2014,
                     language="ko", kdc="813.7", kdc_class="8", addon_code="03810")
    on_loan = make_copy(book=book, status=CopyStatus.ON_LOAN)
    make_copy(book=book)
    make_copy(book=book, status=CopyStatus.WITHDRAWN)
    borrower = make_member(name="Hidden Borrower")
    db.session.add(Loan(copy_id=on_loan.id, book_id=on_loan.book_id,
                        member_id=borrower.id, site_id=default_site().id,
                        due_on=date(2026, 12, 24)))
    db.session.commit()
    response = english.get(f"/catalog/{book.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("소년이 온다", "한강 장편소설", "창비", "2014", "9788936434120", "Korean",
                 "Literature", "KDC 813.7", "03810", "General", "Monograph", "On loan",
                 "Available", "Dec 24, 2026"):
        assert text in html, text
    assert html.count('data-testid="copy-row"') == 2  # the withdrawn copy is not shown
    assert "Hidden Borrower" not in html
    assert borrower.card_barcode not in html


def test_book_page_credits_only_donors_who_agreed(english, make_book, make_copy, make_member):
    book = make_book(title="아몬드")
    site = default_site()
    for name, named, anonymous in (("Named Donor", True, False), ("Shy Donor", False, False),
                                   ("Anon Donor", True, True)):
        member = make_member(name=name, donor_named=named)
        donation = Donation(donor_id=member.id, anonymous=anonymous, site_id=site.id)
        db.session.add(donation)
        db.session.flush()
        make_copy(book=book, donation_id=donation.id)
    html = english.get(f"/catalog/{book.id}").get_data(as_text=True)
    assert "Donated by Named Donor" in html
    assert "Shy Donor" not in html and "Anon Donor" not in html


def test_book_page_without_donor_credit(english, make_book):
    book = make_book(title="Nobody's")
    html = english.get(f"/catalog/{book.id}").get_data(as_text=True)
    assert 'data-testid="donor-credit"' not in html


def test_unknown_book_is_404(english):
    assert english.get("/catalog/999999").status_code == 404
    assert english.get("/catalog/99999999999999999999").status_code == 404


def test_hold_button_for_members(client, login_as, make_book, make_copy, make_member):
    from app.circulation.loans import check_out

    book = make_book(title="Holdable")
    login_as(Role.MEMBER, locale="en")
    html = client.get(f"/catalog/{book.id}").get_data(as_text=True)
    assert 'data-testid="place-hold"' not in html  # no copy to wait for: the reason instead
    assert 'data-testid="no-hold"' in html
    other = make_member(Role.MEMBER)
    check_out(make_copy(book), other, by=other, now=utcnow())
    db.session.commit()
    html = client.get(f"/catalog/{book.id}").get_data(as_text=True)
    assert 'data-testid="place-hold"' in html
    assert 'method="post"' in html and f'name="book_id" value="{book.id}"' in html


def test_anonymous_sees_no_hold_button(app, english, make_book):
    book = make_book(title="Holdable")
    html = english.get(f"/catalog/{book.id}").get_data(as_text=True)
    assert 'data-testid="place-hold"' not in html
    assert "Log in to place a hold" in html


def test_home_page_search_form_and_lists(english, shelf, make_copy, make_member):
    member = make_member()
    copy = make_copy(book=shelf["데미안"])
    now = utcnow()
    for days in (3, 20):
        db.session.add(Loan(copy_id=copy.id, book_id=copy.book_id,
                            member_id=member.id, site_id=default_site().id,
                            checked_out_at=now - timedelta(days=days),
                            returned_at=now - timedelta(days=days - 1),
                            due_on=date(2026, 1, 1)))
    db.session.commit()
    html = english.get("/").get_data(as_text=True)
    assert 'action="/catalog"' in html
    assert 'data-testid="new-arrivals"' in html and "The Road" in html
    assert 'data-testid="popular"' in html
    assert "Most borrowed in the last 90 days" in html and "2 loans" in html
    assert f'href="/catalog/{shelf["데미안"].id}"' in html


def test_home_page_without_loans_hides_popular(english):
    html = english.get("/").get_data(as_text=True)
    assert 'data-testid="popular"' not in html
