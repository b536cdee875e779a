"""`flask library import` and `flask library export`."""

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Book
from tests.imports.conftest import KOREAN_BOOKS


def test_import_dry_run_then_import_with_report(runner, korean_csv, tmp_path):
    path = korean_csv()
    result = runner.invoke(args=["library", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: 5 books, 5 copies" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 0

    report = tmp_path / "report.csv"
    result = runner.invoke(args=["library", "import", str(path), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "imported: 5 books, 5 copies" in result.output
    rows = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 1 + len(KOREAN_BOOKS)
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == 5


def test_import_mapping_option_and_errors(runner, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("책이름,쓴이\n아몬드,손원평\n", encoding="utf-8")
    result = runner.invoke(args=["library", "import", str(path)])
    assert result.exit_code != 0 and "Choose which column holds the title." in result.output
    result = runner.invoke(args=["library", "import", str(path), "--mapping", "title=책이름",
                                 "--mapping", "authors=2"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Book.authors)) == "손원평"


def test_export_command(runner, korean_csv, tmp_path):
    runner.invoke(args=["library", "import", str(korean_csv())])
    for name in ("catalogue.csv", "catalogue.xlsx", "catalogue.mrc", "catalogue.xml",
                 "members.csv"):
        what = "members" if name.startswith("members") else "catalog"
        result = runner.invoke(args=["library", "export", what, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    assert "아몬드" in (tmp_path / "catalogue.csv").read_bytes().decode("utf-8-sig")
    result = runner.invoke(args=["library", "export", "members", str(tmp_path / "m.mrc")])
    assert result.exit_code != 0
