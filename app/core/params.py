"""Whole numbers from a request: one reading, with bounds, for every page and form.

A number past the database's integer range would reach the driver and fail there
(SQLite: OverflowError past 64 bits; PostgreSQL: "integer out of range" past 32), a 500.
Read here, it is a 400 (query strings) or the form's error (app.core.forms.IntegerField).
"""

import re
from collections.abc import Mapping

from flask import request
from flask_babel import lazy_gettext as _l

from app.errors import InvalidInput

# PostgreSQL's integer: the type of ids, counts and years.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
# The deepest page a list goes to (10,000 pages of 50 is more than any list here holds).
MAX_PAGE = 10_000

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def bounded_int(value: str | int, *, low: int = DB_INT_MIN, high: int = DB_INT_MAX) -> int:
    """Return `value` as a whole number from low to high; raise ValueError otherwise."""
    if isinstance(value, str):
        value = value.strip()
        if not _WHOLE_NUMBER.fullmatch(value):
            raise ValueError(value)
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(value)
    return value


def int_arg(name: str, default: int | None = None, *, low: int = 1, high: int = DB_INT_MAX,
            args: Mapping[str, str] | None = None) -> int | None:
    """Read a whole number from the query string (or `args`): absent or blank is `default`.

    Anything else outside low..high raises InvalidInput, which the pages answer with 400.
    """
    value = (request.args if args is None else args).get(name)
    if value is None or not value.strip():
        return default
    try:
        return bounded_int(value, low=low, high=high)
    except ValueError:
        raise InvalidInput(
            _l("The parameter '%(name)s' must be a whole number from %(low)d to %(high)d."),
            name=name, low=low, high=high,
        ) from None


def page_arg() -> int:
    """Return the list page asked for in `?page=` (1 when absent)."""
    return int_arg("page", 1, low=1, high=MAX_PAGE)
