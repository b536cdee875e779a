"""The desk and members' pages through HTTP: status, redirects, visible text, database."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.circulation.holds import place_hold
from app.circulation.loans import check_out, return_copy
from app.extensions import db
from app.models import AuditEvent, CopyStatus, Hold, HoldStatus, Loan, Role, utcnow


@pytest.fixture
def en(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def desk(en, login_as, csrf_token):
    """A logged-in volunteer's client; desk.scan(code) posts one scan the no-JS way."""
    staff = login_as(Role.VOLUNTEER, locale="en", name="Desk Volunteer", password="")
    token = csrf_token("/desk")

    class Desk:
        volunteer = staff

        def post(self, path, data=None, fetch=False, **kw):
            headers = {"X-Desk-Fetch": "1"} if fetch else {}
            return en.post(path, data={"csrf_token": token, **(data or {})}, headers=headers,
                           **kw)

        def scan(self, code, fetch=False):
            return self.post("/desk/scan", {"code": code}, fetch=fetch)

        def get(self, path):
            return en.get(path).get_data(as_text=True)

        def page(self):
            return self.get("/desk")

    return Desk()


def outcome(html: str) -> str:
    match = re.search(r'data-outcome="(\w+)"', html)
    return match.group(1) if match else ""


def test_desk_page_has_the_scan_field_focused_and_no_inline_script(desk):
    html = desk.page()
    assert 'data-testid="scan-field"' in html and "autofocus" in html
    assert "js/desk.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_desk_is_for_volunteers(client, login_as):
    login_as(Role.MEMBER, locale="en", password="")
    assert client.get("/desk").status_code == 403


def test_scan_member_then_copy_checks_out_and_shows_the_due_date(desk, member, copy):
    response = desk.scan(member.card_barcode)
    assert response.status_code == 303 and response.headers["Location"].endswith("/desk")
    html = desk.page()
    assert outcome(html) == "ok" and "Borrower: 김하늘" in html
    assert 'data-testid="can-borrow"' in html
    desk.scan(copy.barcode)
    html = desk.page()
    loan = db.session.scalar(sa.select(Loan))
    assert loan.member_id == member.id and loan.checked_out_by_id == desk.volunteer.id
    assert outcome(html) == "ok" and "Checked out: 아몬드" in html
    assert f'data-due="{loan.due_on.isoformat()}"' in html


def test_scan_copy_without_borrower_checks_in(desk, member, copy, volunteer):
    check_out(copy, member, by=volunteer, now=utcnow())
    db.session.commit()
    html = desk.scan(copy.barcode, fetch=True).get_data(as_text=True)
    assert outcome(html) == "ok" and "Returned: 아몬드" in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(Loan)).returned_at is not None
    again = desk.scan(copy.barcode, fetch=True).get_data(as_text=True)
    assert outcome(again) == "info" and "Already returned" in again


def test_refusal_is_shown_as_a_refusal(desk, member, other, copy, volunteer):
    check_out(copy, other, by=volunteer, now=utcnow())
    db.session.commit()
    desk.scan(member.card_barcode)
    html = desk.scan(copy.barcode, fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused" and "result-refused" in html
    assert "already on loan to someone else" in html
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1


def test_borrower_panel_shows_blocks_in_plain_words(desk, member, make_titles, volunteer):
    _book, (first, second) = make_titles(2)
    past = utcnow() - timedelta(days=20)
    check_out(first, member, by=volunteer, now=past)
    db.session.commit()
    html = desk.scan(member.card_barcode, fetch=True).get_data(as_text=True)
    assert 'data-testid="block"' in html and "1 overdue book(s)" in html
    html = desk.scan(second.barcode, fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused" and "cannot borrow" in html


def test_check_in_mode_keeps_a_running_list(desk, member, make_titles, volunteer):
    _book, copies = make_titles(2)
    for c in copies:
        check_out(c, member, by=volunteer, now=utcnow())
    db.session.commit()
    desk.scan(member.card_barcode)
    html = desk.post("/desk/mode", {"mode": "checkin"}, fetch=True).get_data(as_text=True)
    assert 'data-mode="checkin"' in html and 'data-borrower=""' in html
    for c in copies:
        html = desk.scan(c.barcode, fetch=True).get_data(as_text=True)
    assert html.count('data-testid="return-row"') == 2
    assert db.session.scalar(
        sa.select(sa.func.count(Loan.id)).where(Loan.returned_at.is_(None))) == 0
    html = desk.post("/desk/mode", {"mode": "auto"}, fetch=True).get_data(as_text=True)
    assert 'data-mode="auto"' in html and 'data-testid="return-row"' not in html


def test_check_in_announces_the_hold_shelf_with_a_masked_name(desk, member, other, copy,
                                                              volunteer):
    check_out(copy, member, by=volunteer, now=utcnow())
    place_hold(copy.book, other, now=utcnow())
    db.session.commit()
    html = desk.scan(copy.barcode, fetch=True).get_data(as_text=True)
    assert outcome(html) == "hold" and "Hold shelf: 이OO" in html
    assert "이서준" not in html


def test_isbn_scan_shows_the_book_and_its_copies(desk, make_titles, member, volunteer):
    book, (first, second) = make_titles(2, isbn13="9791190090018")
    check_out(first, member, by=volunteer, now=utcnow())
    db.session.commit()
    html = desk.scan("979-11-90090-01-8", fetch=True).get_data(as_text=True)
    assert 'data-testid="book-view"' in html and html.count('data-testid="copy-row"') == 2
    assert "On loan" in html and "On the shelf" in html
    html = desk.scan("9788936434120", fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused" and "Not in the catalogue" in html


def test_find_member_by_name_or_phone(desk, member, make_member):
    html = desk.scan("1234-5678", fetch=True).get_data(as_text=True)
    assert outcome(html) == "ok" and "Borrower: 김하늘" in html
    make_member(name="김하나", password="")
    desk.post("/desk/clear")
    html = desk.scan("김하", fetch=True).get_data(as_text=True)
    assert html.count('data-testid="choose-member"') == 2
    html = desk.post("/desk/borrower", {"member_id": member.id}, fetch=True).get_data(
        as_text=True)
    assert 'data-testid="borrower-name">김하늘' in html
    html = desk.scan("nobody-here", fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused"


def test_borrower_clears_with_one_key_or_after_idle_time(app, desk, member):
    desk.scan(member.card_barcode)
    html = desk.post("/desk/clear", fetch=True).get_data(as_text=True)
    assert 'data-borrower=""' in html
    desk.scan(member.card_barcode)
    app.config["DESK_IDLE_SECONDS"] = 0
    assert 'data-borrower=""' in desk.page()


def test_unknown_card_and_bad_codes_are_refused(desk):
    html = desk.scan("2020000009999", fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused"
    html = desk.scan("9791190090019", fetch=True).get_data(as_text=True)  # bad check digit
    assert outcome(html) == "refused"
    html = desk.scan("", fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused"


def test_desk_renew(desk, member, copy, volunteer):
    loan = check_out(copy, member, by=volunteer, now=utcnow()).loan
    db.session.commit()
    due = loan.due_on
    desk.scan(member.card_barcode)
    html = desk.post(f"/desk/loans/{loan.id}/renew", fetch=True).get_data(as_text=True)
    assert outcome(html) == "ok"
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).due_on == due + timedelta(days=7)
    html = desk.post(f"/desk/loans/{loan.id}/renew", fetch=True).get_data(as_text=True)
    assert outcome(html) == "refused" and "the most allowed" in html


def test_copy_state_page_marks_lost_and_the_desk_finds_it(desk, member, copy, volunteer):
    check_out(copy, member, by=volunteer, now=utcnow())
    db.session.commit()
    response = desk.post(f"/desk/copies/{copy.id}", {"state": "damaged"})
    assert response.status_code == 303
    assert "check it in first" in desk.get(f"/desk/copies/{copy.id}")
    db.session.expire_all()
    assert copy.status is CopyStatus.ON_LOAN
    desk.post(f"/desk/copies/{copy.id}", {"state": "lost"})
    db.session.expire_all()
    assert copy.status is CopyStatus.LOST
    html = desk.scan(copy.barcode, fetch=True).get_data(as_text=True)
    assert outcome(html) == "ok" and "Found again" in html
    db.session.expire_all()
    assert copy.status is CopyStatus.AVAILABLE


def test_overdue_list_and_letters_in_the_members_language(desk, make_member, make_titles,
                                                          volunteer):
    english = make_member(name="Alice Reader", locale="en", phone="010-9999-0000",
                          password="")
    korean = make_member(name="박지민", locale="ko", password="")
    _book, (first, second) = make_titles(2, title="Overdue Book")
    past = utcnow() - timedelta(days=17)
    check_out(first, english, by=volunteer, now=past)
    check_out(second, korean, by=volunteer, now=past)
    db.session.commit()
    client = desk.get
    page = client("/desk/overdue")
    assert page.count('data-testid="overdue-row"') == 2
    assert "010-9999-0000" in page and "Alice Reader" in page
    letters = client("/desk/overdue/letters")
    assert letters.count('data-testid="letter"') == 2
    assert "Dear Alice Reader," in letters
    one = client(f"/desk/overdue/letters?member={english.id}")
    assert one.count('data-testid="letter"') == 1


# --- members' own pages -------------------------------------------------------


@pytest.fixture
def as_member(en, login_as, csrf_token):
    """A logged-in member's client and CSRF token."""
    me = login_as(Role.MEMBER, locale="en", name="Member One", password="")
    return me, csrf_token("/me")


def test_me_shows_my_loans_holds_and_renews(en, as_member, make_titles, volunteer, other):
    me, token = as_member
    book, (mine, held) = make_titles(2, title="My Book")
    loan = check_out(mine, me, by=volunteer, now=utcnow()).loan
    check_out(held, other, by=volunteer, now=utcnow())
    db.session.commit()
    page = en.get("/me").get_data(as_text=True)
    assert 'data-testid="my-loan"' in page and "My Book" in page
    response = en.post(f"/loans/{loan.id}/renew", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/me")
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).renewals == 1
    page = en.get("/me").get_data(as_text=True)
    assert "Renewed: My Book" in page
    en.post(f"/loans/{loan.id}/renew", data={"csrf_token": token})
    assert "Not renewed" in en.get("/me").get_data(as_text=True)


def _one_late_one_not(me, make_titles, volunteer):
    _book, (late, fine) = make_titles(2, title="Late Book")
    check_out(fine, me, by=volunteer, now=utcnow() - timedelta(days=1))
    check_out(late, me, by=volunteer, now=utcnow() - timedelta(days=20))
    db.session.commit()


def test_overdue_loans_say_how_late_on_me(en, as_member, make_titles, volunteer):
    me, _token = as_member
    _one_late_one_not(me, make_titles, volunteer)
    page = en.get("/me").get_data(as_text=True)
    assert page.count('data-testid="my-loan"') == 2
    # Once in its due cell, once in why its Renew button is disabled.
    assert page.count("days overdue") == 2 and "6 days overdue" in page
    assert page.count('data-testid="renew-reason"') == 1


def test_overdue_loans_say_how_late_at_the_desk(desk, member, make_titles, volunteer):
    _one_late_one_not(member, make_titles, volunteer)
    panel = desk.scan(member.card_barcode, fetch=True).get_data(as_text=True)
    assert panel.count('data-testid="loan-row"') == 2
    assert panel.count("days overdue") == 1 and "6 days overdue" in panel


def test_place_and_cancel_a_hold_from_the_pages(en, as_member, make_titles, volunteer, other):
    me, token = as_member
    book, (copy,) = make_titles(1, title="Wanted")
    page = en.get(f"/holds/new/{book.id}").get_data(as_text=True)
    # A copy is on the shelf: no button, the reason instead (a post is still refused).
    assert 'data-testid="place-hold"' not in page and 'data-testid="no-hold"' in page
    en.post("/holds", data={"csrf_token": token, "book_id": book.id})
    assert "on the shelf now" in en.get("/me").get_data(as_text=True)
    check_out(copy, other, by=volunteer, now=utcnow())
    db.session.commit()
    assert 'data-testid="place-hold"' in en.get(f"/holds/new/{book.id}").get_data(as_text=True)
    response = en.post("/holds", data={"csrf_token": token, "book_id": book.id,
                                       "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/me")
    hold = db.session.scalar(sa.select(Hold))
    assert hold.member_id == me.id
    page = en.get("/me").get_data(as_text=True)
    assert "number 1 in line" in page
    return_copy(copy, by=volunteer, now=utcnow())
    db.session.commit()
    page = en.get("/me").get_data(as_text=True)
    assert 'data-testid="hold-ready"' in page and "pick it up at the desk" in page
    en.post(f"/holds/{hold.id}/cancel", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Hold, hold.id).status is HoldStatus.CANCELLED
    assert en.post("/holds", data={"csrf_token": token, "book_id": 999999}).status_code == 404


def test_members_cannot_touch_each_others_loans_or_holds(en, as_member, make_titles,
                                                         volunteer, other, make_member):
    me, token = as_member
    book, (theirs, second) = make_titles(2, title="Their Book")
    loan = check_out(theirs, other, by=volunteer, now=utcnow()).loan
    check_out(second, make_member(password=""), by=volunteer, now=utcnow())
    hold = place_hold(book, make_member(password=""), now=utcnow())
    db.session.commit()
    page = en.get("/me").get_data(as_text=True)
    assert "Their Book" not in page
    assert en.post(f"/loans/{loan.id}/renew", data={"csrf_token": token}).status_code == 404
    assert en.post(f"/holds/{hold.id}/cancel", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).renewals == 0
    assert db.session.get(Hold, hold.id).status is HoldStatus.WAITING


def test_history_shows_only_when_kept(en, login_as, csrf_token, copy, volunteer):
    keeper = login_as(Role.MEMBER, locale="en", keep_history=True, password="")
    check_out(copy, keeper, by=volunteer, now=utcnow())
    return_copy(copy, by=volunteer, now=utcnow() + timedelta(minutes=1))
    db.session.commit()
    page = en.get("/me").get_data(as_text=True)
    assert 'data-testid="history-item"' in page and "아몬드" in page


def test_self_checkout_on_the_members_page(en, as_member, copy, set_rules):
    me, token = as_member
    assert 'data-testid="self-checkout"' not in en.get("/me").get_data(as_text=True)
    en.post("/me/checkout", data={"csrf_token": token, "barcode": copy.barcode})
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 0
    assert "Self-checkout is not turned on" in en.get("/me").get_data(as_text=True)
    set_rules(self_checkout=True)
    assert 'data-testid="self-checkout"' in en.get("/me").get_data(as_text=True)
    en.post("/me/checkout", data={"csrf_token": token, "barcode": copy.barcode})
    loan = db.session.scalar(sa.select(Loan))
    assert loan.member_id == me.id and loan.checked_out_by_id == me.id
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "loan.checkout"))
    en.post("/me/checkout", data={"csrf_token": token, "barcode": "nonsense"})
    assert "No copy has this barcode" in en.get("/me").get_data(as_text=True)


def test_a_long_pile_of_returns_keeps_the_session_small(desk, member, make_titles,
                                                        volunteer, set_rules):
    set_rules(max_loans=40)
    _book, copies = make_titles(32, title="아주 긴 제목의 책 " * 8)
    for c in copies:
        check_out(c, member, by=volunteer, now=utcnow())
    db.session.commit()
    barcodes = [c.barcode for c in copies]
    desk.post("/desk/mode", {"mode": "checkin"})
    for code in barcodes:
        response = desk.scan(code)
        assert len(response.headers.get("Set-Cookie", "")) < 3000
    html = desk.page()
    assert html.count('data-testid="return-row"') == 30
    assert f'data-barcode="{barcodes[-1]}"' in html


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/holds/new/99999999999", None),
        ("get", "/desk/copies/99999999999", None),
        ("get", "/desk/overdue/letters?member=99999999999", None),
        ("get", "/desk/overdue/letters?member=abc", None),
        ("post", "/loans/99999999999/renew", {}),
        ("post", "/holds/99999999999/cancel", {}),
        ("post", "/desk/loans/99999999999/renew", {}),
        ("post", "/holds", {"book_id": str(2**40)}),
        ("post", "/holds", {"book_id": "abc"}),
        ("post", "/desk/borrower", {"member_id": str(2**40)}),
        ("post", "/desk/scan", {"code": "x" * 500}),
        ("post", "/desk/scan", {"code": "20100\x0000001"}),
        ("post", "/desk/scan", {"code": "\x00김"}),
        ("post", "/me/checkout", {"barcode": "\x00"}),
        ("post", "/desk/mode", {"mode": "nonsense"}),
        ("post", "/desk/copies/1", {"state": "nonsense"}),
    ],
)
def test_bad_input_is_never_a_server_error(en, login_as, csrf_token, method, path, data):
    login_as(Role.COORDINATOR, locale="en", password="")
    if data is None:
        response = en.get(path)
    else:
        response = en.post(path, data={"csrf_token": csrf_token("/desk"), **data})
    assert response.status_code in (200, 303, 400, 404), (path, response.status_code)
