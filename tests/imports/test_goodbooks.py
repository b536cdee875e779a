"""Acceptance 1: the goodbooks-10k spreadsheet, with its real damage, comes in whole."""

import csv

import sqlalchemy as sa

from app.extensions import db
from app.models import Book, Copy


def test_goodbooks_every_titled_row_comes_in_repaired_or_reported(goodbooks_csv, import_file,
                                                                  client):
    with open(goodbooks_csv, encoding="utf-8", newline="") as fh:
        source_rows = list(csv.DictReader(fh))
    titled = [r for r in source_rows if r["title"].strip()]

    result = import_file(goodbooks_csv)

    counts = result.plan.counts()
    # The report accounts for every row of the file.
    assert counts["rows"] == len(source_rows) == 10_000
    assert sum(counts[v] for v in ("new", "repaired", "warning", "existing", "rejected")) \
        == counts["rows"]
    assert counts["rejected"] == len(source_rows) - len(titled)
    # Every row with a title is a copy in the catalogue.
    assert db.session.scalar(sa.select(sa.func.count(Copy.id))) == len(titled)
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == result.books_added

    by_row = {r.row.number: r for r in result.plan.results}
    # Row 2 of the file (line 2): 439023483 lost its zero; its ISBN-13 is a float.
    hunger = by_row[2]
    assert hunger.verdict == "repaired" and hunger.row.isbn13 == "9780439023481"
    book = db.session.scalar(sa.select(Book).where(Book.isbn13 == "9780439023481"))
    assert book.title.startswith("The Hunger Games") and book.isbn10 == "0439023483"
    assert book.authors == "Suzanne Collins" and book.year == 2008
    assert db.session.scalar(sa.select(Book).where(Book.isbn13 == "9780439554930")).authors \
        == "J.K. Rowling; Mary GrandPré"

    repaired = [r for r in result.plan.results if r.verdict == "repaired"]
    assert len(repaired) > 6000
    zero_repairs = sum(1 for r in result.plan.results
                       if any("leading zeros" in str(m) for m in r.row.repairs))
    float_repairs = sum(1 for r in result.plan.results
                        if any("float notation" in str(m) for m in r.row.repairs))
    assert zero_repairs > 6000 and float_repairs > 8000
    # What could not be repaired is reported with a reason, and the book still came in.
    warnings = [r for r in result.plan.results if r.verdict == "warning"]
    assert warnings and all(r.messages for r in warnings)
    unrecoverable = [r for r in warnings if r.row.isbn13 is None]
    assert unrecoverable and all(
        any("no ISBN-10" in str(m) or "not an ISBN" in str(m) or "check digit" in str(m)
            for m in r.messages) for r in unrecoverable)
    # No ISBN was guessed: each one stored has its check digit and came from the file.
    assert db.session.scalar(sa.select(sa.func.count(Book.id)).where(
        Book.isbn13.is_not(None))) == sum(1 for r in result.plan.results if r.row.isbn13)

    # A café's first day: the imported collection is found at once, with no other command.
    for query, title in (("harry potter", "Harry Potter and the Sorcerer's Stone"),
                         ("tolkien", "The Hobbit"), ("村上", "1Q84"),
                         ("0439554934", "Harry Potter and the Sorcerer's Stone"),
                         ("hunger games", "The Hunger Games")):
        items = client.get("/api/v1/books", query_string={"q": query}).get_json()["items"]
        assert any(i["title"].startswith(title) for i in items), (query, items[:3])


def test_goodbooks_second_import_adds_nothing(goodbooks_csv, import_file, tmp_path):
    # The first 2,000 rows (with every kind of damage) keep this test quick.
    extract = tmp_path / "books-2000.csv"
    with open(goodbooks_csv, "rb") as fh:
        extract.write_bytes(b"".join(fh.readline() for _ in range(2001)))
    first = import_file(extract)
    assert first.plan.counts()["rows"] == 2000
    books = db.session.scalar(sa.select(sa.func.count(Book.id)))
    copies = db.session.scalar(sa.select(sa.func.count(Copy.id)))
    again = import_file(extract)
    assert again.books_added == 0 and again.copies_added == 0
    assert again.plan.counts()["existing"] == copies
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == books
    assert db.session.scalar(sa.select(sa.func.count(Copy.id))) == copies
