"""Acceptance 2: MARC21 records (binary and MARCXML) in; broken records reported."""

import sqlalchemy as sa

from app.extensions import db
from app.imports import reading
from app.imports.marc import MarcBook, read_marc, write_binary
from app.models import Book, Copy

MARC_SUFFIXES = (".dat", ".mrc", ".xml")


def test_every_pymarc_test_file_imports_without_crashing(pymarc_dir, import_file):
    files = sorted(p for p in pymarc_dir.iterdir() if p.suffix in MARC_SUFFIXES)
    assert len(files) >= 20
    total = rejected = existing = 0
    for path in files:
        result = import_file(path)
        counts = result.plan.counts()
        assert sum(counts[v] for v in ("new", "repaired", "warning", "existing", "rejected")) \
            == counts["rows"]
        for r in result.plan.results:
            if r.verdict == "rejected":
                assert r.messages, f"{path.name} record {r.row.number} rejected without reason"
        total += counts["rows"]
        rejected += counts["rejected"]
        existing += counts["existing"]  # some files repeat records of others
    assert rejected >= 8  # bad_records.mrc alone has 7 broken records
    # Every readable record is a copy (a record already imported from another file adds none).
    assert db.session.scalar(sa.select(sa.func.count(Copy.id))) == total - rejected - existing
    pragmatic = db.session.scalar(sa.select(Book).where(Book.isbn13 == "9780201616224"))
    assert pragmatic.title == "The pragmatic programmer"
    assert pragmatic.subtitle == "from journeyman to master"
    assert pragmatic.authors == "Hunt, Andrew; Thomas, David"
    assert pragmatic.publisher == "Addison-Wesley" and pragmatic.year == 2000
    assert pragmatic.metadata_source == "marc"


def test_bad_records_are_reported_with_reasons(pymarc_dir, import_file):
    result = import_file(pymarc_dir / "bad_records.mrc")
    rejected = [r for r in result.plan.results if r.verdict == "rejected"]
    assert len(rejected) == 7
    assert any("BaseAddressInvalid" in str(r.messages[0]) for r in rejected)
    assert result.plan.counts()["rows"] == 9


def test_isbn_qualifiers_and_several_isbns(pymarc_dir, import_file):
    import_file(pymarc_dir / "multi_isbn.dat")
    book = db.session.scalar(sa.select(Book))
    assert book.isbn13 == "9780914378280" and book.title == "The town scold"
    import_file(pymarc_dir / "one.dat")
    assert db.session.scalar(sa.select(Book).where(Book.isbn13 == "9780471383147"))


def test_broken_marcxml_is_reported(pymarc_dir, import_file):
    result = import_file(pymarc_dir / "bad_tag.xml")
    assert result.plan.counts()["rejected"] >= 1
    good = import_file(pymarc_dir / "batch.xml")
    assert good.plan.counts()["rows"] == 2 and good.copies_added == 2


def test_kdc_from_056_and_copies_from_852(tmp_path, import_file):
    path = tmp_path / "korean.mrc"
    with open(path, "wb") as out:
        write_binary([MarcBook(title="아몬드", authors=["손원평"], publisher="창비", year=2017,
                               language="ko", kdc="813.7", isbn13="9788936434267",
                               copies=[("EM0001", "813.7-손67ㅇ"), ("EM0002", None)])], out)
    items = list(read_marc(path))
    assert items[0].values["kdc"] == "813.7"
    result = import_file(path)
    assert result.copies_added == 2
    book = db.session.scalar(sa.select(Book))
    assert (book.title, book.kdc, book.kdc_class, book.language) == ("아몬드", "813.7", "8", "ko")
    assert sorted(c.barcode for c in book.copies) == ["EM0001", "EM0002"]
    assert reading.load_source(path).kind == "marc"
