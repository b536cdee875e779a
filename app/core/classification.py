"""Readable names for the KDC main classes and the Korean add-on reader groups."""

from flask_babel import lazy_gettext as _l

# KDC (Korean Decimal Classification) main classes, 0-9.
KDC_CLASSES = {
    "0": _l("General works"),
    "1": _l("Philosophy"),
    "2": _l("Religion"),
    "3": _l("Social sciences"),
    "4": _l("Natural sciences"),
    "5": _l("Technology"),
    "6": _l("Arts"),
    "7": _l("Language"),
    "8": _l("Literature"),
    "9": _l("History"),
}

# The first digit of the 5-digit add-on (부가기호): who the book is for.
READER_GROUPS = {
    "0": _l("General"),
    "1": _l("Practical"),
    "2": _l("Women"),
    "4": _l("Youth"),
    "5": _l("Study aids (secondary school)"),
    "6": _l("Study aids (primary school)"),
    "7": _l("Children"),
    "9": _l("Specialist"),
}


def kdc_class_name(code: str | None) -> str:
    """Return the name of a KDC main class digit (or 'Not classified')."""
    if code is None or code == "":
        return str(_l("Not classified"))
    return str(KDC_CLASSES.get(code, code))


def reader_group_name(code: str | None) -> str:
    """Return the name of an add-on reader group digit (or 'No add-on code')."""
    if code is None or code == "":
        return str(_l("No add-on code"))
    return str(READER_GROUPS.get(code, _l("Reserved (%(code)s)", code=code)))

# The second digit of the add-on: the book's form (발행형태).
ADDON_FORMS = {
    "0": _l("Pocket book"),
    "1": _l("Dictionary"),
    "2": _l("Small-format book"),
    "3": _l("Single volume"),
    "4": _l("Set or series"),
    "5": _l("Electronic publication"),
    "6": _l("Illustrated guide"),
    "7": _l("Picture book or comics"),
    "8": _l("Mixed materials"),
}
