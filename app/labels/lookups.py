"""Finding the copies to label: by barcode (scanned, typed, a range), by id, by donation.

A code that cannot be a barcode is `invalid`; a well-formed code no copy carries is
`unknown`. Lookups read and never write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.barcodes import InvalidBarcode, symbology_for
from app.errors import InvalidInput, NotFound, UnknownBarcodes
from app.extensions import db
from app.models import MAX_ID, Copy, Donation

#: Most labels (or cards) in one print request: about one café's whole collection.
MAX_BATCH = 2000
#: Longest barcode a copy can carry (Copy.barcode is VARCHAR(32)).
MAX_CODE_LENGTH = 32

_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class Lookup:
    """Copies found for a request, in request order, and the codes that were not."""

    copies: list[Copy] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Every code that is not printed: the invalid ones, then the unknown ones."""
        return self.invalid + self.unknown


def parse_codes(text: str | None) -> list[str]:
    """Split scanned text (a code per line, or separated by spaces or commas) into codes."""
    return [code for code in _SPLIT.split(text or "") if code]


def _is_valid_code(code: str) -> bool:
    if len(code) > MAX_CODE_LENGTH:
        return False
    try:
        symbology_for(code)
    except InvalidBarcode:
        return False
    return True


def chunks(values: Sequence, size: int = 500):
    """Yield `values` in slices of `size` (an IN list the databases take at once)."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def find_copies(codes: Iterable[str]) -> Lookup:
    """Return the copies with these barcodes (each once, in order) and the codes that fail.

    A code that cannot be a barcode (wrong EAN-13 check digit, not printable) is
    `invalid`; a well-formed code no copy carries is `unknown`.
    """
    result = Lookup()
    wanted: list[str] = []
    seen: set[str] = set()
    for raw in codes:
        code = str(raw).strip()
        if not code or code in seen:
            continue
        seen.add(code)
        if _is_valid_code(code):
            wanted.append(code)
        else:
            result.invalid.append(code)
    found: dict[str, Copy] = {}
    for chunk in chunks(wanted):
        query = sa.select(Copy).options(joinedload(Copy.book)).where(Copy.barcode.in_(chunk))
        for copy in db.session.scalars(query):
            found[copy.barcode] = copy
    result.copies = [found[code] for code in wanted if code in found]
    result.unknown = [code for code in wanted if code not in found]
    return result


def require_copies(codes: Sequence[str]) -> list[Copy]:
    """Return the copies with these barcodes, or raise UnknownBarcodes if any code fails."""
    if len(codes) > MAX_BATCH:
        raise InvalidInput(_l("At most %(max)d labels can be printed at once.", max=MAX_BATCH))
    lookup = find_copies(codes)
    if lookup.problems:
        raise UnknownBarcodes(unknown=lookup.unknown, invalid=lookup.invalid)
    return lookup.copies


def find_scanned(text: str | None) -> Lookup:
    """Return the copies of a list of scanned barcodes, and the codes that are not copies."""
    codes = parse_codes(text)
    if len(codes) > MAX_BATCH:
        raise InvalidInput(_l("Choose at most %(max)d at once.", max=MAX_BATCH))
    return find_copies(codes)


def copies_by_id(ids: Iterable[int]) -> list[Copy]:
    """Return the copies with these ids, in the order given (unknown ids are left out)."""
    # Past the databases' integers no copy has the id (and binding it would fail).
    ids = [i for i in dict.fromkeys(ids) if 1 <= i <= MAX_ID]
    found: dict[int, Copy] = {}
    for chunk in chunks(ids):
        query = sa.select(Copy).options(joinedload(Copy.book)).where(Copy.id.in_(chunk))
        for copy in db.session.scalars(query):
            found[copy.id] = copy
    return [found[i] for i in ids if i in found]


def copies_in_range(first: str, last: str) -> list[Copy]:
    """Return the copies whose barcodes lie from `first` to `last` (same length), in order."""
    first, last = first.strip(), last.strip()
    bad = [code for code in (first, last) if not _is_valid_code(code)]
    if bad:
        raise UnknownBarcodes(unknown=[], invalid=bad)
    if len(first) != len(last):
        raise InvalidInput(_l("The first and last barcodes must have the same length."))
    if first > last:
        raise InvalidInput(_l("The first barcode must not come after the last one."))
    query = (
        sa.select(Copy)
        .options(joinedload(Copy.book))
        .where(
            Copy.barcode >= first,
            Copy.barcode <= last,
            sa.func.length(Copy.barcode) == len(first),
        )
        .order_by(Copy.barcode)
        .limit(MAX_BATCH + 1)
    )
    copies = list(db.session.scalars(query))
    if len(copies) > MAX_BATCH:
        raise InvalidInput(
            _l("This range holds more than %(max)d copies. Choose a smaller one.", max=MAX_BATCH)
        )
    return copies


def donation_copies(donation_id: int) -> list[Copy]:
    """Return the copies of a donation, or raise NotFound."""
    donation = db.session.get(Donation, donation_id)
    if donation is None:
        raise NotFound(_l("There is no donation number %(id)s.", id=donation_id))
    return sorted(donation.copies, key=lambda c: c.id)
