"""The one reader of JSON request bodies: every JSON endpoint (the API, the label queue) uses it.

It refuses, with 400 `invalid_json`, a body that is not JSON, larger than MAX_BYTES or nested
deeper than MAX_DEPTH, before anything else looks at it. (Flask's `get_json` handed a body of
50,000 opening brackets to Python's recursive parser, and the RecursionError became a 500.)
"""

import math

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic_core import from_json

from app.errors import InvalidJSON

# The largest API body is a label batch: 2,000 barcodes of 13 digits are about 35 KB.
MAX_BYTES = 256 * 1024
# Our bodies are two levels deep (intake's metadata object); 32 leaves room and no risk.
MAX_DEPTH = 32


def read_json() -> object:
    """Return the request's JSON value, or raise InvalidJSON (wrong type, malformed, too big)."""
    if not request.is_json:
        raise InvalidJSON(_l("Send a JSON object with Content-Type: application/json."))
    if (request.content_length or 0) > MAX_BYTES:
        raise _too_large()
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BYTES:  # a chunked body has no Content-Length to check first
        raise _too_large()
    try:
        # pydantic's parser (jiter) is not recursive in Python and stops at 200 levels itself;
        # it also refuses NaN, Infinity and lone surrogates, which Python's json module accepts.
        value = from_json(raw, allow_inf_nan=False)
    except ValueError:
        raise InvalidJSON() from None
    levels, finite = _walk(value)
    if levels > MAX_DEPTH:
        raise InvalidJSON(_l("The request body is nested too deeply (at most %(max)d levels)."),
                          max=MAX_DEPTH)
    if not finite:  # a number too large for a float (1e400) is read as infinity
        raise InvalidJSON()
    return value


def read_json_object() -> dict:
    """Return the request's JSON object (see read_json); anything but an object is refused."""
    value = read_json()
    if not isinstance(value, dict):
        raise InvalidJSON()
    return value


def depth(value: object) -> int:
    """Return how deeply arrays and objects nest in a JSON value (a scalar is 0), counting no
    further than one past MAX_DEPTH."""
    return _walk(value)[0]


def _walk(value: object) -> tuple[int, bool]:
    """Return the nesting depth (up to one past MAX_DEPTH) and whether every number is finite."""
    deepest, finite, todo = 0, True, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, float):
            finite = finite and math.isfinite(item)
            continue
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        todo.extend((child, level + 1) for child in children)
    return deepest, finite


def _too_large() -> InvalidJSON:
    return InvalidJSON(_l("The request body is too large (at most %(max)d KB)."),
                       max=MAX_BYTES // 1024)
