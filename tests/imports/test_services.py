"""Import rules: Hangul intact, barcodes kept or made, re-import idempotent, all or nothing."""

import pytest
import sqlalchemy as sa

from app.barcodes import internal_code
from app.core.numbering import next_copy_barcode
from app.errors import MappingInvalid
from app.extensions import db
from app.imports import reading, services
from app.models import AuditEvent, BarcodeCounter, Book, Copy
from tests.imports.conftest import KOREAN_BOOKS


def _books():
    return {b.title: b for b in db.session.scalars(sa.select(Book))}


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr", "utf-8", "utf-8-sig"])
def test_korean_csv_keeps_hangul(korean_csv, import_file, encoding):
    result = import_file(korean_csv(encoding=encoding))
    assert result.plan.counts()["rows"] == len(KOREAN_BOOKS)
    books = _books()
    assert set(books) == {row[0] for row in KOREAN_BOOKS}
    almond = books["아몬드"]
    assert almond.authors == "손원평" and almond.publisher == "창비" and almond.year == 2017
    assert almond.language == "ko" and almond.isbn13 == "9788936434267"
    assert almond.copies[0].barcode == "EM0001"
    assert almond.copies[0].call_number == "813.7-손67ㅇ"
    assert books["채식주의자"].isbn13 == "9788936433598"
    assert books["토지 1"].isbn13 is None and books["토지 1"].year == 2012


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_korean_csv_other_delimiters(korean_csv, import_file, delimiter):
    import_file(korean_csv(delimiter=delimiter, newline="\n"))
    assert "소년이 온다" in _books()


def test_korean_xlsx_keeps_hangul(korean_xlsx, import_file):
    result = import_file(korean_xlsx)
    assert result.copies_added == len(KOREAN_BOOKS)
    books = _books()
    assert books["82년생 김지영"].authors == "조남주"
    assert books["82년생 김지영"].isbn13 == "9788937473135"
    assert books["소년이 온다"].copies[0].barcode == "EM0003"


def test_missing_barcodes_are_made_and_existing_ones_kept(korean_csv, import_file):
    import_file(korean_csv())
    barcodes = {c.book.title: c.barcode for c in db.session.scalars(sa.select(Copy))}
    assert barcodes["아몬드"] == "EM0001"
    assert barcodes["채식주의자"].startswith("201") and len(barcodes["채식주의자"]) == 13


def test_imported_internal_barcodes_move_the_counter_past_them(tmp_path, import_file):
    path = tmp_path / "ours.csv"
    ours = internal_code("201", 500)  # a 201... barcode another installation of the app printed
    path.write_text(f"title,barcode\nOld one,{ours}\nNo barcode,\n", encoding="utf-8")
    import_file(path)
    assert db.session.get(BarcodeCounter, "201").last_serial >= 500
    generated = db.session.scalar(sa.select(Copy.barcode).join(Book).where(
        Book.title == "No barcode"))
    assert int(generated[3:12]) > 500
    assert int(next_copy_barcode()[3:12]) > int(generated[3:12])


def test_reimport_adds_nothing_and_copies_top_up(korean_csv, import_file, make_book, make_copy):
    existing = make_book(title="채식주의자", isbn13="9788936433598")
    make_copy(existing)
    make_copy(existing)
    path = korean_csv()
    first = import_file(path)
    by_title = {r.row.title: r for r in first.plan.results}
    assert by_title["채식주의자"].verdict == "existing"  # it already has enough copies
    assert first.books_added == 4
    again = import_file(path)
    assert again.books_added == again.copies_added == 0
    assert again.plan.counts()["existing"] == len(KOREAN_BOOKS)
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 5


def test_several_rows_of_one_book_are_copies(tmp_path, import_file):
    path = tmp_path / "copies.csv"
    path.write_text("title,isbn,barcode\nA,9788936434267,X1\nA,9788936434267,X2\n"
                    "A,9788936434267,\nB,,\nB,,\n", encoding="utf-8")
    result = import_file(path)
    assert result.books_added == 2 and result.copies_added == 5
    assert import_file(path).copies_added == 0


def test_barcode_conflicts_are_rejected_with_reasons(tmp_path, import_file, make_copy):
    make_copy(barcode="TAKEN1")
    path = tmp_path / "conflict.csv"
    path.write_text("title,barcode\nNew book,TAKEN1\nOther,DUP\nOther 2,DUP\n",
                    encoding="utf-8")
    result = import_file(path)
    verdicts = [(r.verdict.value, str(r.messages[0]) if r.messages else "")
                for r in result.plan.results]
    assert verdicts[0][0] == "rejected" and "another book" in verdicts[0][1]
    assert verdicts[1][0] == "new"
    assert verdicts[2][0] == "rejected" and "already on row 3" in verdicts[2][1]


def test_dry_run_changes_nothing(korean_csv, import_file):
    result = import_file(korean_csv(), dry_run=True)
    assert result.copies_added == len(KOREAN_BOOKS)
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_a_failure_part_way_leaves_nothing(korean_csv, import_file, monkeypatch):
    calls = []

    def failing_insert(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_reserve_copy_serials", failing_insert)
    with pytest.raises(RuntimeError):
        import_file(korean_csv())
    db.session.rollback()
    assert calls and db.session.scalar(sa.select(sa.func.count(Book.id))) == 0


def test_without_a_title_column_the_mapping_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    source = reading.load_source(path)
    with pytest.raises(MappingInvalid):
        reading.check_rows(source)
    rows = reading.check_rows(source, {"title": 1})
    assert rows[0].title == "2"


def test_cli_mapping_option(tmp_path):
    headers = ["책이름", "쓴이"]
    assert reading.parse_mapping_option(headers, ["title=책이름", "authors=2"]) == {
        "title": 0, "authors": 1}
    with pytest.raises(MappingInvalid):
        reading.parse_mapping_option(headers, ["nonsense=1"])
