"""MARC21 records in and out, behind one small API (the only module that imports pymarc).

Reading turns each record (binary ISO 2709 or MARCXML) into field values the importer
checks like a spreadsheet row; a record pymarc cannot read is reported, not fatal.
Writing turns books and their copies into records (852 $p barcode, $h call number).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXException

import pymarc

MARC_LANGUAGES = {"ko": "kor", "en": "eng", "ja": "jpn", "zh": "chi", "fr": "fre", "de": "ger",
                  "es": "spa"}
_ISBD_END = re.compile(r"[\s/:;,=.]+$")


@dataclass
class MarcItem:
    """What the importer needs from one record (or why it could not be read)."""

    number: str
    values: dict[str, str] = field(default_factory=dict)
    isbn_cells: list[str] = field(default_factory=list)
    copies: list[tuple[str, str]] = field(default_factory=list)  # (barcode, call number)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def looks_like_marc(path: Path) -> str | None:
    """Return 'xml' or 'binary' when the file looks like MARC records, else None."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<") and (b"marc" in head.lower() or b"<record" in head):
        return "xml"
    # A leader: 5-digit length, then (at 20-23) the entry map "4500".
    if len(head) >= 24 and head[:5].isdigit() and head[20:22] == b"45":
        return "binary"
    return None


def _strip_isbd(text: str | None) -> str:
    """Take trailing ISBD punctuation (' /', ' :', ' ;', ',', '.') off a subfield."""
    if not text:
        return ""
    text = " ".join(text.split())
    # Keep the full stop of an initial ("Smith, J.") or an abbreviation at the end.
    if re.search(r"(?:\b[A-Z]|\.\w+)\.$", text):
        return text.rstrip(" /:;,=")
    return _ISBD_END.sub("", text)


def _subfields(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return [v for f in record.get_fields(tag) for v in f.get_subfields(code) if v]


def record_values(record: pymarc.Record) -> MarcItem:
    """Read title, authors, publisher, year, ISBNs, KDC, language and copies of a record."""
    item = MarcItem(number="")
    values = item.values
    title = record.get_fields("245")
    if title:
        values["title"] = _strip_isbd(" ".join(title[0].get_subfields("a")))
        values["subtitle"] = _strip_isbd(" ".join(title[0].get_subfields("b")))
    authors = [_strip_isbd(a) for a in _subfields(record, "100", "a") + _subfields(
        record, "700", "a")]
    values["authors"] = "; ".join(a for a in authors if a)
    for tag in ("264", "260"):
        fields = record.get_fields(tag)
        if fields:
            publisher = next((v for f in fields for v in f.get_subfields("b") if v), "")
            date = next((v for f in fields for v in f.get_subfields("c") if v), "")
            values.setdefault("publisher", _strip_isbd(publisher))
            values.setdefault("year", date)
    item.isbn_cells = _subfields(record, "020", "a")
    kdc = _subfields(record, "056", "a")
    if kdc:
        values["kdc"] = kdc[0].strip()
    fixed = record.get_fields("008")
    if fixed and fixed[0].data and len(fixed[0].data) >= 38:
        code = fixed[0].data[35:38].strip().lower()
        if code.isalpha() and code not in ("und", "zxx"):
            values["language"] = code
    for holding in record.get_fields("852"):
        barcode = " ".join(holding.get_subfields("p")).strip()
        if barcode:
            item.copies.append((barcode, " ".join(holding.get_subfields("h")).strip()))
    for holding in record.get_fields("049"):  # KORMARC: 등록번호 in 049 $l
        for barcode in holding.get_subfields("l"):
            if barcode.strip():
                item.copies.append((barcode.strip(), ""))
    return item


def read_marc(path: Path) -> Iterator[MarcItem]:
    """Yield one MarcItem per record; unreadable records carry the error instead."""
    kind = looks_like_marc(path)
    if kind == "xml":
        yield from _read_xml(path)
    else:
        yield from _read_binary(path)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unreadable record"
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text}"[:300]


@contextlib.contextmanager
def _quiet():
    """Record pymarc's warnings (reported with the record) instead of raising them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _read_binary(path: Path) -> Iterator[MarcItem]:
    with open(path, "rb") as fh:
        # hide_utf8_warnings: MARC-8 conversion problems are not printed on stderr.
        reader = pymarc.MARCReader(fh, to_unicode=True, force_utf8=False, permissive=True,
                                   utf8_handling="replace", hide_utf8_warnings=True)
        number = 0
        while True:
            with _quiet() as caught:
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except Exception as error:  # noqa: BLE001 - a broken file is reported
                    number += 1
                    yield MarcItem(number=str(number), error=_describe(error))
                    return
            number += 1
            if record is None:
                yield MarcItem(number=str(number), error=_describe(reader.current_exception))
                continue
            try:
                item = record_values(record)
            except Exception as error:  # noqa: BLE001 - a strange record is reported
                yield MarcItem(number=str(number), error=_describe(error))
                continue
            item.number = str(number)
            item.warnings = [str(w.message)[:200] for w in caught]
            yield item


class _Handler(pymarc.XmlHandler):
    """Collect records one by one; a broken record is noted and skipped."""

    def __init__(self):
        super().__init__(strict=False, normalize_form="NFC")
        self.items: list[MarcItem] = []
        self._broken = False

    def startElementNS(self, name, qname, attrs):  # noqa: N802 - SAX API
        if self._strip_ns(name) == "record":
            self._broken = False
        if self._broken:
            return
        try:
            super().startElementNS(name, qname, attrs)
        except Exception as error:  # noqa: BLE001
            self._fail(error)

    def endElementNS(self, name, qname):  # noqa: N802 - SAX API
        if self._broken:
            if self._strip_ns(name) == "record":
                self._record = None
            return
        try:
            super().endElementNS(name, qname)
        except Exception as error:  # noqa: BLE001
            self._fail(error)

    def _fail(self, error: BaseException) -> None:
        self._broken = True
        self.items.append(MarcItem(number=str(len(self.items) + 1), error=_describe(error)))

    @staticmethod
    def _strip_ns(name) -> str:
        if isinstance(name, tuple):
            name = name[1]
        return str(name).split("}")[-1].split(":")[-1]

    def process_record(self, record):
        """Keep each record's values as it ends."""
        try:
            item = record_values(record)
        except Exception as error:  # noqa: BLE001
            self._fail(error)
            return
        item.number = str(len(self.items) + 1)
        self.items.append(item)


def _read_xml(path: Path) -> Iterator[MarcItem]:
    handler = _Handler()
    with _quiet():
        try:
            with open(path, "rb") as fh:
                pymarc.parse_xml(fh, handler)
        except (SAXException, ValueError, OSError) as error:
            handler.items.append(MarcItem(number=str(len(handler.items) + 1),
                                          error=_describe(error)))
    yield from handler.items


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


@dataclass
class MarcBook:
    """A book and its copies, as the exporter hands them over."""

    title: str
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    kdc: str | None = None
    isbn13: str | None = None
    copies: list[tuple[str, str | None]] = field(default_factory=list)


def build_record(book: MarcBook) -> pymarc.Record:
    """Build a UTF-8 MARC21 bibliographic record."""
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 i 4500")
    lang = MARC_LANGUAGES.get((book.language or "").split("-")[0], "und")
    year = f"{book.year:04d}" if book.year else "    "
    record.add_field(pymarc.Field(tag="008", data=f"000000s{year}    xx            000 0 "
                                                  f"{lang} d"))
    if book.isbn13:
        record.add_field(_field("020", [" ", " "], [("a", book.isbn13)]))
    if book.kdc:
        record.add_field(_field("056", [" ", " "], [("a", book.kdc)]))
    if book.authors:
        record.add_field(_field("100", ["1", " "], [("a", book.authors[0])]))
    title = [("a", book.title + (" :" if book.subtitle else ""))]
    if book.subtitle:
        title.append(("b", book.subtitle))
    record.add_field(_field("245", ["1" if book.authors else "0", "0"], title))
    imprint = []
    if book.publisher:
        imprint.append(("b", book.publisher + ("," if book.year else "")))
    if book.year:
        imprint.append(("c", str(book.year)))
    if imprint:
        record.add_field(_field("264", [" ", "1"], imprint))
    for name in book.authors[1:]:
        record.add_field(_field("700", ["1", " "], [("a", name)]))
    for barcode, call_number in book.copies:
        holding = [("p", barcode)]
        if call_number:
            holding.insert(0, ("h", call_number))
        record.add_field(_field("852", [" ", " "], holding))
    return record


def _field(tag: str, indicators: list[str], subfields: list[tuple[str, str]]) -> pymarc.Field:
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators),
                        subfields=[pymarc.Subfield(code=c, value=v) for c, v in subfields])


def write_binary(books: Iterable[MarcBook], out) -> None:
    """Write books as binary MARC21 (ISO 2709, UTF-8) to a binary stream."""
    writer = pymarc.MARCWriter(out)
    for book in books:
        writer.write(build_record(book))


def write_xml(books: Iterable[MarcBook], out) -> None:
    """Write books as a MARCXML collection to a binary stream."""
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n'
              b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
    for book in books:
        out.write(pymarc.record_to_xml(build_record(book), namespace=False))
        out.write(b"\n")
    out.write(b"</collection>\n")
