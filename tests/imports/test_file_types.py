"""Imports tell files apart by their content, not their name; too large an upload is 413."""

import io
import zipfile

import pytest

from app.errors import WrongFileType
from app.imports.reading import file_kind
from app.models import Role


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


WRONG = {
    "png named .csv": ("books.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    "pdf named .xlsx": ("books.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    "old excel .xls": ("books.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
    "word document named .xlsx": ("books.xlsx", _zip(["word/document.xml"])),
    "program named .mrc": ("books.mrc", b"MZ\x90\x00" + b"\x00" * 64),
    "binary named .csv": ("books.csv", bytes(range(256))),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_file_kind_refuses_other_formats(tmp_path, name):
    path = tmp_path / WRONG[name][0]
    path.write_bytes(WRONG[name][1])
    with pytest.raises(WrongFileType):
        file_kind(path)


def test_file_kind_reads_the_content_not_the_name(tmp_path, pymarc_dir):
    cases = {
        "books.xlsx": ("제목,저자\n아몬드,손원평\n".encode(), "csv"),  # CSV named .xlsx
        "books.txt": ("\ufeff제목\n".encode("utf-16"), "csv"),
        "books.csv": (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx"),
        "books.bin": ((pymarc_dir / "marc.dat").read_bytes(), "marc"),
    }
    for name, (data, kind) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert file_kind(path) == kind, name


@pytest.mark.parametrize("name", ["png named .csv", "word document named .xlsx"])
def test_upload_of_a_wrong_type_is_refused_on_the_form(client, login_as, csrf_token, app,
                                                        tmp_path, name):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    login_as(Role.COORDINATOR, locale="en")
    filename, data = WRONG[name]
    response = client.post("/admin/import", data={
        "csrf_token": csrf_token("/admin/import"), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")
    assert response.status_code == 415
    assert "is not a CSV, Excel .xlsx or MARC file" in response.get_data(as_text=True)
    assert list((tmp_path / "uploads").iterdir()) == []  # nothing kept


def test_cli_import_refuses_a_wrong_type(runner, tmp_path):
    path = tmp_path / "books.csv"
    path.write_bytes(WRONG["png named .csv"][1])
    result = runner.invoke(args=["library", "import", str(path), "--dry-run"])
    assert result.exit_code != 0
    assert "is not a CSV, Excel .xlsx or MARC file" in result.output


def test_too_large_an_upload_is_413_with_a_friendly_page(client, login_as, csrf_token, app):
    login_as(Role.COORDINATOR, locale="en")
    token = csrf_token("/admin/import")
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post("/admin/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"a,b\n" * 5_000), "big.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file or request is too large." in page
    assert "<html" in page.lower()


def test_too_large_an_api_body_is_413_json(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1_000
    response = client.post("/api/v1/tokens", json={"email": "x" * 2_000, "password": "y"})
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_the_default_limit_is_the_documented_one(app):
    from app.config import Config

    assert Config.MAX_CONTENT_LENGTH == 16 * 1024 * 1024
