"""The shared CSV helper: BOM for Excel, Korean intact, formula cells neutralised."""

import csv
import io

import pytest

from app.core.csvutil import BOM, csv_response, safe_cell, to_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+82 10", "'+82 10"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("소년이 온다", "소년이 온다"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (2.5, "2.5"),
        (True, "true"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_to_csv_starts_with_a_bom_and_round_trips_korean():
    text = to_csv(["제목", "Note"], [["소년이 온다", "=cmd|' /C calc'!A0"], ["채식주의자", None]])
    assert text.startswith(BOM)
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["제목", "Note"], ["소년이 온다", "'=cmd|' /C calc'!A0"], ["채식주의자", ""]]
    assert "\r\n" in text


def test_csv_response_is_a_utf8_download(app):
    with app.test_request_context():
        response = csv_response("기증 목록.csv", ["a"], [[1]])
    assert response.content_type == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%EA%B8%B0%EC%A6%9D" in disposition
    assert response.get_data().startswith(b"\xef\xbb\xbfa\r\n1\r\n")
