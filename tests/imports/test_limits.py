"""What an import reads in one request is capped: a zip bomb, too many rows or columns.

Issue 17: a 730 kB .xlsx whose sheet unpacked to 220 MB passed the upload check, then the
preview parsed every row in the request (30 s). The bombs here are built in memory.
"""

import csv
import io
import tracemalloc
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.errors import FileTooLarge
from app.extensions import db
from app.imports import reading, tabular
from app.imports.tabular import read_csv_bytes, read_table
from app.models import Book, Role
from tests.imports.conftest import KOREAN_BOOKS, KOREAN_HEADERS

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b"%s<sheetData>")
SHEET_TAIL = b"</sheetData></worksheet>"


def _row(*cells: str) -> bytes:
    return b"<row>" + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % c.encode()
                               for c in cells) + b"</row>"


def _workbook(rows, *, dimension: str | None = None) -> bytes:
    """Return an .xlsx whose sheet is streamed from `rows` (byte chunks) into the zip."""
    skeleton = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["title"])
    workbook.save(skeleton)
    out = io.BytesIO()
    with zipfile.ZipFile(skeleton) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD % (b'<dimension ref="%s"/>' % dimension.encode()
                                      if dimension else b""))
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(SHEET_TAIL)
    return out.getvalue()


def _bomb() -> bytes:
    """The issue's workbook: about 700 kB that unpack to 220 MB of sheet XML."""
    megabyte = _row("x") * (1024 * 1024 // len(_row("x")))
    return _workbook([_row("title"), *([megabyte] * 220)])


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(bomb, tmp_path):
    assert len(bomb) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo(SHEET).file_size > 200 * 1024 * 1024
    path = tmp_path / "books.xlsx"
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(FileTooLarge) as at_upload:
            reading.file_kind(path)
        with pytest.raises(FileTooLarge) as at_read:
            read_table(path)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # the sheet was never unpacked
    assert at_upload.value.status == 413
    assert str(at_read.value) == (
        "This workbook unpacks to more than 100 times its size, which no spreadsheet does. "
        "Save it again from your spreadsheet program, or as CSV.")


def test_a_workbook_past_the_unpacked_size_is_refused(tmp_path, monkeypatch):
    # Rows that compress like real ones (about 5 to 1), 2 MB of them, against a 1 MB cap.
    monkeypatch.setattr(tabular, "MAX_UNPACKED_MB", 1)
    rows = [_row(f"책 {n}", f"{n * 7919 % 1000003:013d}", f"저자 {n * 31 % 977}")
            for n in range(25_000)]
    path = tmp_path / "books.xlsx"
    path.write_bytes(_workbook(rows))
    with pytest.raises(FileTooLarge, match="unpacks to more than 1 MB"):
        read_table(path)


def test_rows_past_the_cap_are_refused_while_streaming(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    path = tmp_path / "books.xlsx"
    path.write_bytes(_workbook([_row("title"), *(_row(f"Book {n}") for n in range(100))]))
    assert len(read_table(path).rows) == 100
    path.write_bytes(_workbook([_row("title"), *(_row(f"Book {n}") for n in range(101))]))
    with pytest.raises(FileTooLarge, match="more than 100 rows"):
        read_table(path)
    # A row numbered far down counts every sheet row before it (openpyxl yields them all).
    path.write_bytes(_workbook([_row("title"), b'<row r="1000000000"><c t="inlineStr">'
                                               b"<is><t>x</t></is></c></row>"]))
    with pytest.raises(FileTooLarge, match="more than 100 rows"):
        read_table(path)


def test_a_sheet_that_states_too_many_rows_is_refused_before_parsing(tmp_path, monkeypatch):
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    monkeypatch.setattr(tabular, "MAX_ROWS", 100)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the rows were parsed")

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", no_parsing)
    path = tmp_path / "books.xlsx"
    path.write_bytes(_workbook([_row("title"), _row("Book")], dimension="A1:B1000000"))
    with pytest.raises(FileTooLarge, match="more than 100 rows"):
        read_table(path)


def test_csv_rows_past_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    lines = ["title"] + [f"Book {n}" for n in range(100)]
    assert len(read_csv_bytes("\n".join(lines).encode()).rows) == 100
    with pytest.raises(FileTooLarge, match="more than 100 rows"):
        read_csv_bytes("\n".join([*lines, "One too many"]).encode())


def test_columns_past_the_cap(tmp_path):
    far = tabular.MAX_COLUMNS + 1
    wide = Workbook()
    wide.active.append(["title", "author"])
    wide.active.cell(row=2, column=1, value="아몬드")
    wide.active.cell(row=2, column=far, value="stray")
    path = tmp_path / "wide.xlsx"
    wide.save(path)
    with pytest.raises(FileTooLarge, match=f"more than {tabular.MAX_COLUMNS} columns"):
        read_table(path)
    # Empty cells out there (a sheet that states a wide range) are only dropped.
    path.write_bytes(_workbook([_row("title"), _row("아몬드")], dimension="A1:ZZ2"))
    table = read_table(path)
    assert table.rows == [["아몬드"] + [""] * (tabular.MAX_COLUMNS - 1)]


def test_the_upload_page_refuses_the_bomb(client, login_as, csrf_token, bomb, upload_dir):
    login_as(Role.COORDINATOR, locale="en")
    # The body built here: the test client would spool one past 500 kB to a temp file it
    # never closes.
    boundary = "bookcafe-upload"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{csrf_token("/admin/import")}\r\n--{boundary}\r\nContent-Disposition: form-data; '
            'name="file"; filename="books.xlsx"\r\n\r\n').encode() \
        + bomb + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/admin/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "unpacks to more than 100 times its size" in response.get_data(as_text=True)
    assert not any(upload_dir.iterdir())  # the upload is not kept


def test_the_preview_refuses_too_many_rows(client, login_as, csrf_token, upload_dir,
                                           monkeypatch):
    login_as(Role.COORDINATOR, locale="en")
    monkeypatch.setattr(tabular, "MAX_ROWS", len(KOREAN_BOOKS) - 1)
    text = "\n".join(",".join(row) for row in [KOREAN_HEADERS, *KOREAN_BOOKS])
    response = client.post("/admin/import", data={
        "csrf_token": csrf_token("/admin/import"),
        "file": (io.BytesIO(text.encode()), "books.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.get(response.headers["Location"])
    assert response.status_code == 413
    assert f"more than {len(KOREAN_BOOKS) - 1} rows" in response.get_data(as_text=True)


def test_the_goodbooks_workbook_still_imports(goodbooks_csv, import_file, tmp_path):
    """The 10,000 books of goodbooks-10k as an Excel workbook come in whole."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with open(goodbooks_csv, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append(row)
    path = tmp_path / "goodbooks.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        tabular.check_workbook_size(archive)

    result = import_file(path)
    counts = result.plan.counts()
    assert counts["rows"] == 10_000
    assert counts["new"] + counts["repaired"] + counts["warning"] > 9_900
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == result.books_added > 9_000
