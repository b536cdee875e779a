"""Reading one row: header recognition, ISBN repairs, years, authors."""

import pytest

from app.imports.rows import check_row, guess_mapping, parse_isbn_cell, parse_year


def test_korean_and_english_headers_are_recognised():
    headers = ["등록번호", "서명", "저자", "발행자", "발행년도", "ISBN", "청구기호", "비고"]
    assert guess_mapping(headers) == {"barcode": 0, "title": 1, "authors": 2, "publisher": 3,
                                      "year": 4, "isbn": 5, "call_number": 6}
    assert guess_mapping(["제목", "출판사", "표준번호"]) == {"title": 0, "publisher": 1, "isbn": 2}
    goodbooks = ["book_id", "isbn", "isbn13", "authors", "original_publication_year",
                 "original_title", "title", "language_code"]
    assert guess_mapping(goodbooks) == {"isbn": 1, "isbn_extra": 2, "authors": 3, "year": 4,
                                        "title": 6, "language": 7}
    assert guess_mapping(["Title", "Call Number", "ISBN-13", "Barcode"]) == {
        "title": 0, "call_number": 1, "isbn": 2, "barcode": 3}


def test_isbn10_that_lost_its_leading_zero_is_repaired_only_when_the_check_digit_holds():
    [candidate] = parse_isbn_cell("439023483")
    assert candidate.isbn13 == "9780439023481" and "0439023483" in str(candidate.repaired)
    [candidate] = parse_isbn_cell("43965548X")
    assert candidate.isbn13 == "9780439655484"
    [candidate] = parse_isbn_cell("439023484")  # wrong check digit after padding
    assert candidate.isbn13 is None and candidate.problem is not None


def test_float_isbn13_is_recovered_from_the_same_rows_isbn10():
    row = check_row(2, {"title": "The Hunger Games", "isbn": "439023483",
                        "isbn_extra": "9.78043902348e+12"})
    assert row.isbn13 == "9780439023481" and row.isbn10 == "0439023483"
    assert len(row.repairs) == 2 and not row.problems


def test_float_isbn13_without_isbn10_is_reported_not_guessed():
    row = check_row(3, {"title": "Watchers", "isbn": "", "isbn_extra": "9.7804251888e+12"})
    assert row.isbn13 is None and row.fatal is None
    assert "no ISBN-10" in str(row.problems[0])


def test_several_isbns_in_one_cell_with_qualifiers():
    row = check_row(4, {"title": "Amateur media",
                        "isbn": "9780415782654 (hardback); 9780203112021 (ebook)"})
    assert row.isbn13 == "9780415782654"
    assert "9780203112021" in str(row.repairs[0])
    row = check_row(5, {"title": "Town scold", "isbn": "0914378287 (v. 1) 0914378260 (pbk.)"})
    assert row.isbn13.startswith("978091437828")


def test_hyphens_addon_and_excel_float():
    assert parse_isbn_cell("978-89-364-3359-8")[0].isbn13 == "9788936433598"
    assert parse_isbn_cell("9788936433598 03810")[0].isbn13 == "9788936433598"
    assert parse_isbn_cell("9788936433598.0")[0].isbn13 == "9788936433598"
    assert parse_isbn_cell("ISBN 89-364-3359-8")[0].isbn13 == "9788936433598"


def test_bad_isbns_are_reported_and_the_row_is_still_imported():
    row = check_row(6, {"title": "A zine", "isbn": "9788936433599"})
    assert row.isbn13 is None and row.fatal is None
    assert "check digit" in str(row.problems[0])
    row = check_row(7, {"title": "Not a book", "isbn": "8801234567893"})
    assert row.isbn13 is None and "not an ISBN" in str(row.problems[0])


def test_rows_without_a_title_are_rejected():
    assert check_row(8, {"title": "  ", "isbn": "9788936433598"}).fatal is not None


def test_years():
    assert parse_year("2008.0") == (2008, None)
    assert parse_year("2012년") == (2012, None)
    assert parse_year("c1990.") == (1990, None)
    assert parse_year("")[0] is None and parse_year("")[1] is None
    year, problem = parse_year("-720.0")
    assert year is None and problem is not None


def test_authors_are_split_and_our_csv_escape_is_undone():
    row = check_row(9, {"title": "'=cmd", "authors": "J.K. Rowling, Mary GrandPré"})
    assert row.title == "=cmd"
    assert row.authors == "J.K. Rowling; Mary GrandPré"
    assert check_row(10, {"title": "x", "authors": "손원평 지음"}).authors == "손원평"
    assert check_row(11, {"title": "x", "authors": "Tolkien, J.R.R."}).authors == "Tolkien, J.R.R."


@pytest.mark.parametrize(("cell", "issn"), [("1226-2870", "1226-2870"),
                                            ("ISSN 1226-2870", "1226-2870"),
                                            ("9771226287001", "1226-2870")])
def test_an_issn_is_kept_as_an_issn_not_reported_as_a_bad_isbn(cell, issn):
    row = check_row(2, {"title": "월간 잡지", "isbn": cell})
    assert (row.isbn13, row.issn, row.problems) == (None, issn, [])
