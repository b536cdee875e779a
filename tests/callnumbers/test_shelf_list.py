"""The shelf list (page and CSV) and the catalogue's "sort by call number"."""

import csv
import io
from datetime import UTC, datetime

import sqlalchemy as sa

from app.callnumbers import sort_key
from app.catalog import shelflist
from app.core import demo
from app.extensions import db
from app.models import Copy, Role

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def seed_demo():
    demo.seed(now=NOW)
    db.session.commit()


def test_the_demo_data_has_call_numbers_in_shelf_order(app):
    seed_demo()
    rows = shelflist.shelf_list()
    placed = [r.placed for r in rows]
    assert len(placed) == db.session.scalar(sa.select(sa.func.count(Copy.id)))
    # Worked by hand from 제5표 (아이그너: 이 = ㅇ6 ㅣ8; 기시미: 시 = ㅅ5 ㅣ8; 남 = ㄴ19 ㅏ2;
    # 82년생: 팔 -> ㅍ) and put in shelf order by hand: classes as numbers, then marks
    # (first syllable in 가나다 order, digits as a decimal fraction), then copies.
    assert placed[:13] == [
        "005.133-아68K", "189-기58ㅁ", "443-세68ㅋ", "470-밀294ㅁ", "813.7-김95ㅂ",
        "813.7-손66ㅇ", "813.7-이38ㄷ", "813.7-조192ㅍ", "813.7-조192ㅍ=2", "813.7-한12ㅅ",
        "813.7-한12ㅅ=2", "813.7-한12ㅈ", "813.7-한12ㅊ"]
    # Latin marks before Hangul ones in a class; copies after their first.
    assert placed[-6:] == ["843-롤298ㅎ", "843-롤298ㅎ=2", "853-헤54ㄷ", "863-생884ㅇ",
                           "909-하292ㅅ", "909-하292ㅅ=2"]
    assert placed == sorted(placed, key=sort_key)


def test_the_shelf_list_page_filters_by_class_range_and_shelf(client, login_as, make_book,
                                                              make_copy):
    seed_demo()
    picture = make_book(title="두근두근 편의점", authors="김영진", kdc="808")
    make_copy(picture, call_number="808-김64ㄷ", shelf="아")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(Role.VOLUNTEER, password=None, locale="en")
    html = client.get("/catalog/shelf-list?class_from=800&class_to=813.7").get_data(as_text=True)
    assert "813.7-김95ㅂ" in html and "853-" not in html and "189-" not in html
    assert "아 808-김64ㄷ" not in html  # another shelf
    html = client.get("/catalog/shelf-list?shelf=아").get_data(as_text=True)
    assert "아 808-김64ㄷ" in html and "813.7-" not in html
    response = client.get("/catalog/shelf-list.csv?class_from=800&class_to=899")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Call number", "Shelf prefix", "Barcode"]
    calls = [r[0] for r in rows[1:]]
    assert calls == sorted(calls, key=sort_key) and calls[0].startswith("813.7-")


def test_members_do_not_see_the_shelf_list(client, login_as):
    login_as(Role.MEMBER, password=None)
    assert client.get("/catalog/shelf-list").status_code == 403
    assert client.get("/catalog/shelf-list.csv").status_code == 403


def test_the_catalogue_sorts_by_call_number(client, app):
    seed_demo()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/catalog?sort=call_number&per_page=50").get_data(as_text=True)
    titles = ["Kotlin in action 2/e", "미움받을 용기", "불편한 편의점", "소년이 온다", "데미안"]
    places = [html.index(t) for t in titles]
    assert places == sorted(places)
    assert client.get("/catalog?sort=nonsense").status_code == 400
    response = client.get("/api/v1/books?sort=call_number&q=한강")
    assert response.status_code == 200
    got = [item["title"] for item in response.get_json()["items"]]
    assert got == ["소년이 온다", "작별하지 않는다", "채식주의자"]
