"""Fixtures of the import tests: shared data (a failure under CI when missing), uploads."""

from pathlib import Path

import pytest

from app.extensions import db
from app.imports import reading, services
from app.models import utcnow
from tests.conftest import IN_CI, SHARED_DATA

KOREAN_BOOKS = [
    # 서명, 저자, 발행자, 발행년도, ISBN, 등록번호, 청구기호
    ("아몬드", "손원평 지음", "창비", "2017", "9788936434267", "EM0001", "813.7-손67ㅇ"),
    ("채식주의자", "한강", "창비", "2007", "978-89-364-3359-8", "", "813.6-한12ㅊ"),
    ("소년이 온다", "한강", "창비", "2014", "9788936434120", "EM0003", ""),
    ("82년생 김지영", "조남주", "민음사", "2016", "9788937473135", "", ""),
    ("토지 1", "박경리", "마로니에북스", "2012년", "", "", "813.6-박14ㅌ-1"),
]
KOREAN_HEADERS = ("서명", "저자", "발행자", "발행년도", "ISBN", "등록번호", "청구기호")


def require_shared(relative: str) -> Path:
    """Return a path under the shared data; skip when missing, but fail under CI."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"shared test data missing: {path}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def english(app):
    """Messages made outside a request (services, CLI) in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    """Keep uploads in the test's own temp directory."""
    directory = tmp_path / "uploads"
    app.config["IMPORT_UPLOAD_DIR"] = str(directory)
    return directory


@pytest.fixture
def goodbooks_csv() -> Path:
    return require_shared("goodbooks-10k/books.csv")


@pytest.fixture
def pymarc_dir() -> Path:
    return require_shared("pymarc-test")


@pytest.fixture
def import_file(app):
    """Return import_file(path, mapping=None, by=None) -> ImportResult, committed."""
    from flask_babel import force_locale

    def run(path: Path, mapping: dict | None = None, by=None, dry_run: bool = False):
        from app.core.defaults import ensure_defaults

        with force_locale("en"):
            ensure_defaults()
            source = reading.load_source(path)
            rows = reading.check_rows(source, mapping)
            result = services.run_import(rows, source_kind=source.kind, by=by, now=utcnow(),
                                         filename=path.name)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        return result

    return run


@pytest.fixture
def korean_csv(tmp_path):
    """Return korean_csv(encoding="cp949", delimiter=",", newline="\\r\\n") -> path."""

    def make(encoding: str = "cp949", delimiter: str = ",", newline: str = "\r\n",
             rows=KOREAN_BOOKS, headers=KOREAN_HEADERS) -> Path:
        lines = [delimiter.join(headers)]
        for row in rows:
            lines.append(delimiter.join(
                f'"{c}"' if delimiter in c else c for c in row))
        path = tmp_path / f"korean-{encoding}-{ord(delimiter)}-{len(newline)}.csv"
        path.write_bytes((newline.join(lines) + newline).encode(encoding))
        return path

    return make


@pytest.fixture
def korean_xlsx(tmp_path) -> Path:
    """A Korean Excel workbook, with ISBNs stored as numbers (as Excel does)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(KOREAN_HEADERS))
    for row in KOREAN_BOOKS:
        cells = list(row)
        digits = cells[4].replace("-", "")
        cells[4] = int(digits) if digits.isdigit() else cells[4]
        cells[3] = int(cells[3]) if cells[3].isdigit() else cells[3]
        sheet.append(cells)
    path = tmp_path / "korean.xlsx"
    workbook.save(path)
    return path
