"""The import pages: upload, preview with every row's verdict, mapping, dry run, import."""

import csv
import io
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Book, Copy, Role
from tests.imports.conftest import KOREAN_BOOKS


def _upload(client, csrf_token, path, name=None):
    token = csrf_token("/admin/import")
    with open(path, "rb") as fh:
        response = client.post("/admin/import", data={
            "csrf_token": token, "file": (io.BytesIO(fh.read()), name or path.name)},
            content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"], token


def _count(page: str, verdict: str) -> int:
    match = re.search(rf'data-testid="count-{verdict}">(\d+)<', page)
    return int(match.group(1))


def test_only_coordinators(client, login_as):
    assert client.get("/admin/import").status_code == 302  # to the login page
    login_as(Role.VOLUNTEER)
    assert client.get("/admin/import").status_code == 403
    assert client.get("/admin/export").status_code == 403
    assert client.get("/admin/export/members.csv").status_code == 403


def test_upload_preview_dry_run_then_import(client, login_as, csrf_token, korean_csv,
                                            upload_dir):
    coordinator = login_as(Role.COORDINATOR, locale="en")
    location, token = _upload(client, csrf_token, korean_csv())
    # The upload waits in a temp file, not in the session.
    assert len(list(upload_dir.iterdir())) == 1
    page = client.get(location).get_data(as_text=True)
    assert "Preview" in page and "cp949" in page
    assert page.count('data-verdict="') == len(KOREAN_BOOKS)
    assert _count(page, "rows") == len(KOREAN_BOOKS)
    assert "아몬드" in page and "813.7-손67ㅇ" not in page  # call numbers are not listed

    response = client.post(location, data={"csrf_token": token, "action": "dry_run",
                                           "map_title": "0", "map_authors": "1",
                                           "map_isbn": "4", "map_barcode": "5",
                                           "map_call_number": "6", "map_year": "3",
                                           "map_publisher": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Dry run" in page and "Nothing was changed" in page
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 0

    response = client.post(location, data={"csrf_token": token, "action": "import",
                                           "map_title": "0", "map_authors": "1",
                                           "map_isbn": "4", "map_barcode": "5",
                                           "map_call_number": "6", "map_year": "3",
                                           "map_publisher": "2"})
    page = response.get_data(as_text=True)
    assert "Imported 5 books and 5 copies." in page
    assert db.session.scalar(sa.select(sa.func.count(Copy.id))) == 5
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "catalog.import"))
    assert event.actor_id == coordinator.id and event.details["copies"] == 5

    report = client.get(location + "/report.csv")
    assert report.status_code == 200 and report.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Verdict", "Title", "ISBN", "Barcode", "What was done", "Messages"]
    assert {row[1] for row in rows[1:]} <= {"New", "Repaired", "Imported with problems"}
    assert len(rows) == 1 + len(KOREAN_BOOKS)


def test_mapping_can_be_fixed_on_the_page(client, login_as, csrf_token, tmp_path):
    login_as(Role.COORDINATOR, locale="en")
    path = tmp_path / "odd.csv"
    path.write_text("책이름;쓴이\n아몬드;손원평\n;빈 제목\n", encoding="utf-8")
    location, token = _upload(client, csrf_token, path)
    page = client.get(location).get_data(as_text=True)
    assert "Choose which column holds the title." in page
    client.post(location, data={"csrf_token": token, "action": "preview", "map_title": "0",
                                "map_authors": "1"})
    page = client.get(location).get_data(as_text=True)
    assert _count(page, "new") == 1 and _count(page, "rejected") == 1
    assert "no title" in page
    client.post(location, data={"csrf_token": token, "action": "import"})
    book = db.session.scalar(sa.select(Book))
    assert (book.title, book.authors) == ("아몬드", "손원평")


def test_a_long_file_lists_the_first_rows_and_each_verdict_on_its_own(
        client, login_as, csrf_token, tmp_path, monkeypatch):
    """A 10,000-row file would make a page of megabytes: the page lists the first rows, the
    counts link to the rows of each verdict, and the report keeps every row."""
    monkeypatch.setattr("app.imports.routes.ROWS_SHOWN", 2)
    login_as(Role.COORDINATOR, locale="en")
    path = tmp_path / "long.csv"
    path.write_text("title,isbn\n아몬드,9788936434267\n채식주의자,9788936433598\n"
                    ",9788936434120\n소년이 온다,9788936434121\n", encoding="utf-8")
    location, _token = _upload(client, csrf_token, path)
    page = client.get(location).get_data(as_text=True)
    assert _count(page, "rows") == 4 and page.count('data-verdict="') == 2
    assert "The first 2 of 4 rows are listed" in page
    rejected = client.get(location + "?show=rejected").get_data(as_text=True)
    assert rejected.count('data-verdict="rejected"') == 1
    assert rejected.count('data-verdict="') == 1 and "The first" not in rejected
    assert "Rows: Not imported." in rejected
    # An unknown verdict shows every row, as without one.
    assert client.get(location + "?show=nonsense").get_data(as_text=True) \
        .count('data-verdict="') == 2
    report = client.get(location + "/report.csv").data.decode("utf-8-sig")
    assert len(report.strip().splitlines()) == 1 + 4


def test_unreadable_file_and_expired_token(client, login_as, csrf_token, tmp_path):
    login_as(Role.COORDINATOR, locale="en")
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe" + "제목".encode("utf-16-le") + b"\x00")  # odd length
    location, _token = _upload(client, csrf_token, path)
    response = client.get(location)
    assert response.status_code == 400 and "could not be read" in response.get_data(as_text=True)
    response = client.get("/admin/import/" + "a" * 32)
    assert response.status_code == 404
    assert client.get("/admin/import/../../etc").status_code == 404


def test_marc_upload(client, login_as, csrf_token, pymarc_dir):
    login_as(Role.COORDINATOR, locale="en")
    location, token = _upload(client, csrf_token, pymarc_dir / "marc.dat", name="marc.dat")
    page = client.get(location).get_data(as_text=True)
    assert "MARC records" in page and _count(page, "rows") == 20
    client.post(location, data={"csrf_token": token, "action": "import"})
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 20


def test_a_korean_library_export_maps_every_column_and_says_which_are_ignored(
        client, login_as, csrf_token, tmp_path):
    headers = ["등록번호", "본서명", "저작자", "발행자", "발행년", "표준번호(ISBN, ISSN)",
               "분류기호", "별치기호", "청구기호", "권차", "복본", "자료실", "배가일", "비고"]
    path = tmp_path / "songpa.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([headers, [
            "EM0000001", "(한입에 쓱싹)편의점 과학", "김정훈 지음", "그린북", "2021",
            "9791190090018", "400", "아", "아400-김74ㅍ", "", "1", "어린이자료실",
            "2024-03-15", "기증"]])
    login_as(Role.COORDINATOR, locale="en")
    location, token = _upload(client, csrf_token, path)
    page = client.get(location).get_data(as_text=True)
    for field, column in (("barcode", 0), ("title", 1), ("authors", 2), ("publisher", 3),
                          ("year", 4), ("isbn", 5), ("kdc", 6), ("shelf", 7),
                          ("call_number", 8), ("volume", 9), ("copy_number", 10),
                          ("location", 11), ("shelved_on", 12)):
        select = re.search(rf'data-testid="map-{field}">(.*?)</select>', page, re.S).group(1)
        assert f'value="{column}" selected' in select, field
    assert "Columns not imported: 비고." in page
    client.post(location, data={"csrf_token": token, "action": "import"})
    copy = db.session.scalar(sa.select(Copy))
    assert (copy.barcode, copy.call_number, copy.shelf, copy.location) == (
        "EM0000001", "아400-김74ㅍ", "아", "어린이자료실")
    assert db.session.scalar(sa.select(Book.isbn13)) == "9791190090018"
