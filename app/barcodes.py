"""Barcode numbers and bar patterns.

This is the only module that imports python-barcode (``barcode``). Everything
else asks it for check digits, internal numbers and the module pattern of a
code, and draws the bars itself (see ``app.labels.barcode_drawing``).

Internal numbers follow the GS1 "in-store" range (prefixes 200-299), as Libib
does: ``201`` + 9-digit serial + check digit for copies, ``202`` + serial +
check digit for member cards. ISBNs (978/979) are EAN-13 as well. Any other
printable ASCII code (an imported collection's own barcodes) is drawn as
Code 128.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import barcode as _pybarcode
from barcode.errors import BarcodeError
from flask_babel import lazy_gettext as _l

COPY_PREFIX = "201"
MEMBER_PREFIX = "202"
SERIAL_DIGITS = 9
MAX_SERIAL = 10**SERIAL_DIGITS - 1

# Quiet zones (in modules) each symbology needs left and right of the bars.
QUIET_ZONES: dict[str, tuple[int, int]] = {"ean13": (11, 7), "code128": (10, 10)}

Symbology = Literal["ean13", "code128"]


class InvalidBarcode(ValueError):
    """A code that cannot be drawn as a barcode."""


@dataclass(frozen=True, slots=True)
class BarPattern:
    """A code's symbology and bar modules ("1" = bar, "0" = space)."""

    code: str
    symbology: Symbology
    modules: str

    @property
    def quiet_zone(self) -> tuple[int, int]:
        """Minimum blank modules (left, right) around the bars."""
        return QUIET_ZONES[self.symbology]

    @property
    def width_modules(self) -> int:
        """Width in modules including both quiet zones."""
        left, right = self.quiet_zone
        return left + len(self.modules) + right

    def runs(self) -> list[tuple[int, int]]:
        """The bars as (start module, width in modules), left to right."""
        return _runs(self.modules)


@lru_cache(maxsize=4096)
def _runs(modules: str) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    start = -1
    for i, m in enumerate(modules):
        if m == "1":
            if start < 0:
                start = i
        elif start >= 0:
            result.append((start, i - start))
            start = -1
    if start >= 0:
        result.append((start, len(modules) - start))
    return result


def ean13_check_digit(first12: str) -> str:
    """Return the EAN-13 (mod 10, weights 1/3) check digit of 12 digits."""
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise InvalidBarcode(_l("An EAN-13 check digit needs exactly 12 digits."))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    """Return True if ``code`` is 13 ASCII digits with a correct check digit."""
    if not isinstance(code, str) or len(code) != 13:
        return False
    if not code.isascii() or not code.isdigit():
        return False
    return ean13_check_digit(code[:12]) == code[12]


def internal_code(prefix: str, serial: int) -> str:
    """Return the EAN-13 internal number ``prefix`` + 9-digit serial + check digit."""
    if prefix not in (COPY_PREFIX, MEMBER_PREFIX):
        raise ValueError(_l("Unknown internal barcode prefix: %(prefix)s", prefix=prefix))
    if isinstance(serial, bool) or not isinstance(serial, int):
        raise TypeError("serial must be an int")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(
            _l(
                "Serial number %(serial)s is out of range (1 to %(max)s).",
                serial=serial,
                max=MAX_SERIAL,
            )
        )
    first12 = f"{prefix}{serial:0{SERIAL_DIGITS}d}"
    return first12 + ean13_check_digit(first12)


def symbology_for(code: str) -> Symbology:
    """Return the symbology ``code`` is drawn with, or raise InvalidBarcode."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidBarcode(_l("The barcode is empty."))
    if not all(" " <= ch <= "~" for ch in code):
        raise InvalidBarcode(
            _l("A barcode may only contain printable ASCII characters: %(code)s", code=code)
        )
    if len(code) == 13 and code.isdigit():
        if not is_valid_ean13(code):
            raise InvalidBarcode(_l("%(code)s has a wrong EAN-13 check digit.", code=code))
        return "ean13"
    return "code128"


def bar_pattern(code: str) -> BarPattern:
    """Return the symbology and module string of ``code`` (validated first)."""
    symbology = symbology_for(code)
    return _bar_pattern(code, symbology)


class _Code128(_pybarcode.codex.Code128):
    """python-barcode's Code 128 without its start-code shortcut's bug.

    Its `_try_to_optimize` merges [Start, Code X] into one start code. In code set C the
    value 99 is the data "99", not "Code C", so codes starting with 99 lost those digits
    (e.g. "99" drew an empty symbol that no scanner reads). Keep the shortcut otherwise.
    """

    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        start_c = _pybarcode.charsets.code128.START_CODES["C"]
        if len(encoded) > 1 and encoded[0] == start_c and encoded[1] == 99:
            return encoded  # the digits "99", not a switch
        return super()._try_to_optimize(encoded)


@lru_cache(maxsize=8192)
def _bar_pattern(code: str, symbology: Symbology) -> BarPattern:
    try:
        if symbology == "code128":
            built = _Code128(code).build()
        else:
            built = _pybarcode.get(symbology, code).build()
    except BarcodeError as exc:  # pragma: no cover - validated above
        raise InvalidBarcode(str(exc)) from exc
    if len(built) != 1:  # pragma: no cover - both symbologies build one row
        raise InvalidBarcode(_l("Unexpected barcode layout for %(code)s.", code=code))
    modules = built[0]
    if symbology == "ean13":
        # python-barcode silently "fixes" a wrong check digit: make sure the
        # pattern it built is for the code we were given.
        if len(modules) != 95:  # pragma: no cover
            raise InvalidBarcode(_l("Unexpected barcode layout for %(code)s.", code=code))
    return BarPattern(code=code, symbology=symbology, modules=modules)
