"""POST /api/v1/call-numbers, and call numbers on the book API's copies."""

import pytest

from app.accounts.services import issue_token
from app.extensions import db
from app.models import Role, utcnow


@pytest.fixture
def headers(make_member):
    member = make_member(Role.VOLUNTEER, password="")
    raw, _token = issue_token(member, days=1, now=utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def post(client, headers, body):
    return client.post("/api/v1/call-numbers", json=body, headers=headers)


def test_the_issues_example(client, headers):
    response = post(client, headers, {"kdc": "813.7", "author": "김호연", "title": "불편한 편의점"})
    assert response.status_code == 200
    assert response.get_json() == {"call_number": "813.7-김95ㅂ", "author_mark": "김95ㅂ",
                                   "lines": ["813.7", "김95ㅂ"]}


@pytest.mark.parametrize(("body", "call_number", "lines"), [
    ({"kdc": "808", "author": "김영진 글·그림", "title": "두근두근 편의점", "shelf": "유"},
     "유 808-김64ㄷ", ["유", "808", "김64ㄷ"]),
    ({"kdc": "813.7", "author": "김호연 지음", "title": "불편한 편의점 2", "volume": 2},
     "813.7-김95ㅂ-v.2", ["813.7", "김95ㅂ", "v.2"]),
    ({"kdc": "813.7", "author": "김호연", "title": "불편한 편의점", "copy": 2},
     "813.7-김95ㅂ=2", ["813.7", "김95ㅂ", "=2"]),
    ({"kdc": "813.7", "author": "김창옥", "title": "소통 잘하는 아이가", "title_mark": "syllable"},
     "813.7-김82소", ["813.7", "김82소"]),
    ({"kdc": "833.6", "author": "무라타 사야카", "title": "편의점 인간"},
     "833.6-무292ㅍ", ["833.6", "무292ㅍ"]),
])
def test_worked_examples(client, headers, body, call_number, lines):
    answer = post(client, headers, body).get_json()
    assert (answer["call_number"], answer["lines"]) == (call_number, lines)


@pytest.mark.parametrize("body", [
    {"author": "김호연", "title": "불편한 편의점"},
    {"kdc": "abc", "author": "김호연", "title": "불편한 편의점"},
    {"kdc": "813.7", "author": "", "title": "불편한 편의점"},
    {"kdc": "813.7", "author": "김호연", "title": "불편한 편의점", "title_mark": "word"},
    {"kdc": "813.7", "author": "김호연", "title": "불편한 편의점", "copy": 0},
])
def test_bad_requests_are_refused(client, headers, body):
    response = post(client, headers, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_members_and_strangers_cannot_ask(client, make_member):
    body = {"kdc": "813.7", "author": "김호연", "title": "불편한 편의점"}
    assert client.post("/api/v1/call-numbers", json=body).status_code == 401
    member = make_member(Role.MEMBER, password="")
    raw, _token = issue_token(member, days=1, now=utcnow())
    db.session.commit()
    response = client.post("/api/v1/call-numbers", json=body,
                           headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403


def test_every_copy_in_the_book_api_has_its_call_number(client, make_book, make_copy):
    book = make_book(title="두근두근 편의점", authors="김영진", kdc="808")
    make_copy(book, call_number="808-김64ㄷ", shelf="아")
    make_copy(book, call_number="808-김64ㄷ=2", shelf="아")
    make_copy(book)
    copies = client.get(f"/api/v1/books/{book.id}").get_json()["copies"]
    assert [c["call_number"] for c in copies] == ["아 808-김64ㄷ", "아 808-김64ㄷ=2", None]
