"""Reading spreadsheets: encodings, delimiters, line ends, .xlsx."""

import pytest

from app.errors import UnreadableFile
from app.imports.tabular import read_csv_bytes, read_table

TEXT = "서명,저자,ISBN\r\n아몬드,손원평,9788936434267\r\n\"토지, 1\",박경리,\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16"])
def test_encodings(encoding):
    table = read_csv_bytes(TEXT.encode(encoding))
    assert table.headers == ["서명", "저자", "ISBN"]
    assert table.rows[0] == ["아몬드", "손원평", "9788936434267"]
    assert table.rows[1][0] == "토지, 1"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_delimiters_and_line_ends(delimiter, newline):
    text = newline.join([delimiter.join(["title", "author"]), delimiter.join(["A", "B"]),
                         "", delimiter.join(["C", "D"])]) + newline
    table = read_csv_bytes(text.encode("utf-8"))
    assert table.delimiter == delimiter
    assert table.headers == ["title", "author"]
    assert table.rows == [["A", "B"], ["C", "D"]]
    assert table.line_numbers == [2, 4]


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(UnreadableFile):
        read_table(path)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UnreadableFile):
        read_table(path)


def test_xlsx(korean_xlsx):
    table = read_table(korean_xlsx)
    assert table.kind == "xlsx" and table.headers[0] == "서명"
    assert table.rows[0][:5] == ["아몬드", "손원평 지음", "창비", "2017", "9788936434267"]
