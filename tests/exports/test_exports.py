"""Exports: CSV safe for spreadsheets, members for coordinators only; a round trip."""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.catalog import store
from app.core.defaults import ensure_defaults
from app.exports import services
from app.extensions import db
from app.imports import reading
from app.imports import services as imports
from app.models import Book, Copy, CopyStatus, Role, utcnow


def _catalogue() -> set:
    """The catalogue as comparable values: each book with its copies."""
    out = set()
    for book in db.session.scalars(sa.select(Book)):
        copies = tuple(sorted((c.barcode, c.call_number or "", c.status.value)
                              for c in book.copies))
        out.add((book.isbn13, book.isbn10, book.title, book.subtitle, book.authors,
                 book.publisher, book.year, book.language, book.kdc, copies))
    return out


@pytest.fixture
def catalogue(make_book, make_copy):
    """A small catalogue with the awkward cases."""
    ensure_defaults()
    almond = make_book(title="아몬드", authors="손원평", publisher="창비", year=2017,
                       language="ko", kdc="813.7", kdc_class="8", isbn13="9788936434267",
                       isbn10="8936434268")
    make_copy(almond, barcode="EM0001", call_number="813.7-손67ㅇ")
    make_copy(almond)
    formula = make_book(title="=HYPERLINK(\"http://x\")", subtitle="+1 -2 @3",
                        authors="Doe, Jane; Roe, Richard", year=1999, language="en")
    make_copy(formula, status=CopyStatus.LOST)
    make_book(title="No copies yet", isbn13="9780439023481", isbn10="0439023483")
    zine = make_book(title="동네 잡지", authors="익명")
    make_copy(zine, barcode="ZINE-7")
    db.session.commit()
    return _catalogue()


def _wipe_catalogue():
    db.session.execute(sa.delete(Copy))
    for book in db.session.scalars(sa.select(Book)):
        store.delete(book)
    db.session.commit()
    assert _catalogue() == set()


def test_csv_is_utf8_with_bom_and_escapes_formulas(catalogue):
    with force_locale("en"):
        data = services.export_bytes("catalog", "csv", now=utcnow())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ISBN", "ISBN-10", "Title"]
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+1 -2 @3" in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "아몬드" in cells


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "mrc", "xml"])
def test_export_then_import_gives_the_same_catalogue(catalogue, fmt, language, tmp_path):
    with force_locale(language):
        data = services.export_bytes("catalog", fmt, now=utcnow())
    path = tmp_path / f"catalogue.{fmt}"
    path.write_bytes(data)
    _wipe_catalogue()
    source = reading.load_source(path)
    result = imports.run_import(reading.check_rows(source), source_kind=source.kind, by=None,
                                now=utcnow())
    db.session.commit()
    assert result.plan.counts()["rejected"] == 0
    assert not [p for r in result.plan.results for p in r.row.problems], "every word understood"
    after = _catalogue()
    if fmt in ("csv", "xlsx"):
        assert after == catalogue
    else:
        # MARC carries books and copies (852), not copy status nor a book without copies
        # (it comes back with one copy).
        def core(entries):
            return {(e[0], e[2], e[3], e[4], e[5], e[6], e[8],
                     tuple(c[:2] for c in e[9])) for e in entries if e[2] != "No copies yet"}
        assert core(after) == core(catalogue)
        assert {e[7] for e in after} >= {"ko", "en"}


def test_members_and_loans(client, login_as, csrf_token):
    from app.core import demo

    demo.seed(now=utcnow())
    db.session.commit()
    coordinator = login_as(Role.COORDINATOR, locale="en")
    response = client.get("/admin/export/members.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert coordinator.card_barcode in text and "coordinator" in text
    response = client.get("/admin/export/loans.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Loan", "Copy barcode"] and len(rows) > 2
    workbook = client.get("/admin/export/loans.xlsx")
    assert workbook.data.startswith(b"PK")
    assert client.get("/admin/export/members.mrc").status_code == 404
    page = client.get("/admin/export").get_data(as_text=True)
    assert 'data-testid="download-backup"' in page and "Export" in page


def test_catalogue_downloads(client, login_as, catalogue):
    login_as(Role.COORDINATOR, locale="en")
    for fmt in ("csv", "xlsx", "mrc", "xml"):
        response = client.get(f"/admin/export/catalog.{fmt}")
        assert response.status_code == 200, fmt
        assert "attachment" in response.headers["Content-Disposition"]
    assert client.get("/admin/export/catalog.xml").data.startswith(b"<?xml")


def test_a_korean_page_downloads_korean_headers_and_words(client, login_as, make_book,
                                                          make_copy):
    """Downloaded from a Korean page: Korean column names and statuses, no stored codes."""
    from app.core import demo

    demo.seed(now=utcnow())
    make_book(title="아직 소장 도서가 없는 책")
    make_copy(make_book(title="잃어버린 책"), status=CopyStatus.LOST)
    db.session.commit()
    login_as(Role.COORDINATOR, locale="ko")
    text = client.get("/admin/export/catalog.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["ISBN", "ISBN-10", "서명", "부제", "저자", "출판사", "발행년도", "언어",
                       "KDC", "바코드", "청구기호", "상태"]
    statuses = {row[-1] for row in rows[1:]}
    assert {"대출 가능", "분실", "소장 도서 없음"} <= statuses
    assert not statuses & ({status.value for status in CopyStatus} | {"no copies"})
    members = list(csv.reader(io.StringIO(
        client.get("/admin/export/members.csv").data.decode("utf-8-sig"))))
    assert members[0] == ["이름", "이메일", "전화번호", "역할", "회원증", "활성", "가입일"]
    assert {row[3] for row in members[1:]} <= {"회원", "자원봉사자", "운영자"}
    assert {row[5] for row in members[1:]} <= {"예", "아니요"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[6]) for row in members[1:])
    loans = list(csv.reader(io.StringIO(
        client.get("/admin/export/loans.csv").data.decode("utf-8-sig"))))
    assert loans[0][:2] == ["대출 번호", "소장 도서 바코드"] and len(loans) > 2
    assert not [h for h in loans[0] + members[0] + rows[0][2:] if h.isascii() and h != "KDC"]
