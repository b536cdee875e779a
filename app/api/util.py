"""Helpers shared by the API's routes: reading JSON bodies, field validation."""

import unicodedata
from datetime import date, datetime

from flask import request
from flask_babel import gettext as _

from app.errors import InvalidInput


class InvalidJSON(InvalidInput):
    code = "invalid_json"


def json_body() -> dict:
    """Return the request's JSON object, or raise InvalidJSON with a clear message."""
    if not request.is_json:
        raise InvalidJSON(_("Send a JSON object with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidJSON(_("The request body is not a valid JSON object."))
    return data


def field(data: dict, name: str, kind: type, *, required: bool = True, max_length: int = 500):
    """Return one validated field of a JSON body."""
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(_("The field '%(name)s' is required.", name=name))
        return None
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput(_("The field '%(name)s' must be a whole number.", name=name))
    if kind is bool and not isinstance(value, bool):
        raise InvalidInput(_("The field '%(name)s' must be true or false.", name=name))
    if kind is str:
        if not isinstance(value, str):
            raise InvalidInput(_("The field '%(name)s' must be text.", name=name))
        value = unicodedata.normalize("NFC", value).strip()
        if required and not value:
            raise InvalidInput(_("The field '%(name)s' is required.", name=name))
        if len(value) > max_length:
            raise InvalidInput(
                _("The field '%(name)s' is too long (at most %(max)d characters).",
                  name=name, max=max_length)
            )
    if kind is date:
        try:
            value = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            value = None
        if value is None:
            raise InvalidInput(_("The field '%(name)s' must be a date (YYYY-MM-DD).", name=name))
    return value


def iso(value: datetime | date | None) -> str | None:
    """Return an ISO 8601 string (datetimes keep their UTC offset)."""
    return value.isoformat() if value is not None else None
