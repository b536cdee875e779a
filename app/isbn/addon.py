"""Korean 5-digit add-on codes (부가기호): reader group, form and KDC subject of a book."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.core.classification import KDC_CLASSES

# The ISBN prefixes of Korean books (978-89, 979-11), the ones that carry 부가기호.
KOREAN_ISBN_PREFIXES = ("97889", "97911")

_READER_GROUPS: dict[str, LazyString] = {
    "0": _l("General"),
    "1": _l("Practical"),
    "2": _l("Women"),
    "3": _l("Reserved"),
    "4": _l("Youth"),
    "5": _l("Study aids (secondary school)"),
    "6": _l("Study aids (primary school)"),
    "7": _l("Children"),
    "8": _l("Reserved"),
    "9": _l("Specialist"),
}

_FORMS: dict[str, LazyString] = {
    "0": _l("Pocket edition"),
    "1": _l("Dictionary"),
    "2": _l("Small-format paperback"),
    "3": _l("Monograph"),
    "4": _l("Complete works / series"),
    "5": _l("Electronic publication"),
    "6": _l("Illustrated guide"),
    "7": _l("Picture book / comics"),
    "8": _l("Mixed media / braille / microform"),
    "9": _l("Reserved"),
}


@dataclass(frozen=True)
class Addon:
    """A decoded Korean 5-digit add-on code (부가기호)."""

    code: str
    reader_group: str
    reader_group_label: LazyString = field(compare=False)
    form: str
    form_label: LazyString = field(compare=False)
    kdc_class: str
    kdc_class_label: LazyString = field(compare=False)
    subject: str


def decode_addon(code: str) -> Addon:
    """Decode a 5-digit Korean add-on code; raise ValueError unless it is 5 digits."""
    if not isinstance(code, str):
        raise TypeError(f"add-on code must be a string, got {code!r}")
    code = unicodedata.normalize("NFKC", code).strip()
    if not re.fullmatch(r"[0-9]{5}", code):
        raise ValueError(f"add-on code must be 5 digits, got {code!r}")
    return Addon(
        code=code,
        reader_group=code[0],
        reader_group_label=_READER_GROUPS[code[0]],
        form=code[1],
        form_label=_FORMS[code[1]],
        kdc_class=code[2],
        kdc_class_label=KDC_CLASSES[code[2]],
        subject=code[2:5],
    )
