"""Input shapes declared once, as pydantic models, and their refusals in words people read.

A JSON body or a query string is described by one pydantic model. Validating a request and
the API's OpenAPI document (app/api/openapi.py) both come from it, so the two cannot drift.
This module holds the building blocks (text, dates, query flags and numbers) and turns the
first of pydantic's errors into InvalidInput with a translatable message that names the field.
"""

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, TypeVar, get_args

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, PydanticUseDefault

from app.errors import InvalidInput, InvalidJSON

Model = TypeVar("Model", bound=BaseModel)

# Ids are the databases' integer columns; a number past a 64-bit integer is refused outright.
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1


class Messages:
    """Field metadata: messages that replace the generic ones for some pydantic error types.

    `Annotated[list[str], Messages(too_long=_l("At most %(max)d ..."))]`; `default` serves any
    error but a missing field. `params` fills the message's placeholders besides name/max/low/high.
    """

    def __init__(self, default=None, params: dict | None = None, **by_type):
        self.default = default
        self.params = params or {}
        self.by_type = by_type

    def for_type(self, kind: str):
        """Return the message for a pydantic error type, or None."""
        if kind == "missing":
            return None
        return self.by_type.get(kind, self.default)


# ---------------------------------------------------------------------------
# Building blocks (constraints before validators in Annotated, or pydantic cannot put
# them into the JSON Schema)
# ---------------------------------------------------------------------------

def _typed_text(value: Any) -> Any:
    """Text as typed in NFC (macOS and some keyboards send NFD Hangul), without outer spaces."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


# PostgreSQL cannot store U+0000 in text (SQLite can): refused in any text that may be kept.
NO_NUL = r"^[^\x00]*$"


def Text(max_length: int, *, required: bool = True) -> Any:  # noqa: N802 (a type, read as one)
    """Return the type of a text field: NFC, trimmed, at most `max_length` characters, no NUL."""
    return Annotated[str, Field(min_length=1 if required else None, max_length=max_length,
                                pattern=NO_NUL),
                     BeforeValidator(_typed_text)]


def Code(max_length: int) -> Any:  # noqa: N802 (a type, read as one)
    """Return the type of a scanned or typed code: NFC, trimmed (the service that looks it up
    drops control characters, so a stray one finds nothing rather than being refused)."""
    return Annotated[str, Field(min_length=1, max_length=max_length),
                     BeforeValidator(_typed_text)]


def _iso_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # the date validator refuses it
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise PydanticCustomError("date_parsing", "not a date (YYYY-MM-DD)")


# A date in a JSON body: exactly YYYY-MM-DD.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _query_flag(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise PydanticCustomError("bool_parsing", "not true or false")


# A yes/no query parameter: 1/true/yes/on or 0/false/no/off (empty: no).
QueryFlag = Annotated[bool, BeforeValidator(_query_flag)]


def _query_int(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    if not value:
        raise PydanticUseDefault()
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise PydanticCustomError("int_parsing", "not a whole number")
    return int(value)


def QueryInt(low: int, high: int) -> Any:  # noqa: N802 (a type, read as one)
    """Return the type of a whole-number query parameter from `low` to `high` (empty: default)."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_query_int)]


# ---------------------------------------------------------------------------
# Validating, and saying what is wrong
# ---------------------------------------------------------------------------

def parse_body(model: type[Model], data: object) -> Model:
    """Validate a parsed JSON body: JSON's own types only (no "5" for 5, no 1 for true)."""
    if not isinstance(data, dict):
        raise InvalidJSON()
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as error:
        raise refusal(error, model, where="field") from None


def parse_args(model: type[Model], args: Mapping) -> Model:
    """Validate query parameters (each the first value given; the rest are ignored)."""
    data = {name: args.get(name) for name in model.model_fields if args.get(name) is not None}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise refusal(error, model, where="parameter") from None


# What each pydantic error type is about; the wording comes from the tables below.
_FAMILY = {
    "missing": "required", "string_too_short": "required", "too_short": "required",
    "string_type": "text", "string_too_long": "too_long",
    "int_type": "whole", "int_parsing": "whole", "int_from_float": "whole",
    "greater_than_equal": "range", "less_than_equal": "range",
    "greater_than": "range", "less_than": "range",
    "bool_type": "bool", "bool_parsing": "bool",
    "date_type": "date", "date_parsing": "date",
    "model_type": "object", "model_attributes_type": "object", "dict_type": "object",
    "list_type": "list", "extra_forbidden": "unknown",
    "string_pattern_mismatch": "characters",  # NO_NUL; other patterns bring their Messages
}

_FIELD_MESSAGES = {
    "required": _l("The field '%(name)s' is required."),
    "text": _l("The field '%(name)s' must be text."),
    "too_long": _l("The field '%(name)s' is too long (at most %(max)d characters)."),
    "whole": _l("The field '%(name)s' must be a whole number."),
    "range": _l("The field '%(name)s' must be a whole number from %(low)d to %(high)d."),
    "bool": _l("The field '%(name)s' must be true or false."),
    "date": _l("The field '%(name)s' must be a date (YYYY-MM-DD)."),
    "object": _l("The field '%(name)s' must be an object."),
    "list": _l("The field '%(name)s' must be a list."),
    "unknown": _l("The field '%(name)s' is not known."),
    "characters": _l("The field '%(name)s' contains characters that are not allowed."),
    None: _l("The field '%(name)s' is not valid."),
}

_PARAMETER_MESSAGES = {
    "whole": _l("The parameter '%(name)s' must be a whole number from %(low)d to %(high)d."),
    "range": _l("The parameter '%(name)s' must be a whole number from %(low)d to %(high)d."),
    "bool": _l("The parameter '%(name)s' must be true or false."),
    "too_long": _l("The parameter '%(name)s' is too long (at most %(max)d characters)."),
    None: _l("The parameter '%(name)s' is not valid."),
}


def refusal(error: ValidationError, model: type[BaseModel], *, where: str) -> InvalidInput:
    """Return InvalidInput for the first problem pydantic found, worded for a person."""
    detail = error.errors(include_url=False)[0]
    kind, loc, ctx = detail["type"], detail["loc"], detail.get("ctx") or {}
    name, info = _field_at(model, loc)
    if name is None:  # not one of the model's fields (an unknown one, for instance)
        name = next((p for p in reversed(loc) if isinstance(p, str)), "body")
    metadata = _metadata(info) if info is not None else []
    family = _FAMILY.get(kind)
    if detail.get("input") is None and family in ("text", "whole", "bool", "date", "object",
                                                   "list"):
        family = kind = "missing"  # null where a value is required
    low = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in metadata if getattr(m, "le", None) is not None), None)
    params = {"name": name, "low": low, "high": high,
              "max": ctx.get("max_length", high)}
    messages = next((m for m in metadata if isinstance(m, Messages)), None)
    message = messages.for_type(kind) if messages is not None else None
    if message is not None:
        params.update(messages.params)
    else:
        table = _FIELD_MESSAGES if where == "field" else _PARAMETER_MESSAGES
        if family in ("whole", "range") and (low is None or high is None):
            family = "whole" if where == "field" and family == "whole" else None
        if family == "too_long" and params["max"] is None:
            family = None
        message = table.get(family, table[None])
    return InvalidInput(message, **{k: v for k, v in params.items() if v is not None})


def _field_at(model: type[BaseModel], loc: tuple) -> tuple[str | None, FieldInfo | None]:
    """Return the name and declaration of the innermost model field an error is located at."""
    name, info, current = None, None, model
    for part in loc:
        if isinstance(part, str) and current is not None and part in current.model_fields:
            name, info = part, current.model_fields[part]
            current = _model_in(info.annotation)
    return name, info


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _metadata(info: FieldInfo) -> list:
    """Return a field's metadata, also that nested in Annotated and unions (`X | None`)."""
    found, todo = list(info.metadata), [info.annotation]
    while todo:
        for arg in get_args(todo.pop()):
            if isinstance(arg, FieldInfo):
                found += arg.metadata
            elif not isinstance(arg, type):
                found.append(arg)
            todo.append(arg)
    return found
