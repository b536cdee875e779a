"""How an API view declares its shapes: one `@operation(...)` per view.

The declaration names the request body model, the query model and the answer of each status
code. The view receives the validated `body` / `query` as keyword arguments and returns a
response model (or `(model, status)`); the wrapper turns it into JSON. app/api/openapi.py
reads the same declarations (with each view's `@access` and URL rule) to write the OpenAPI
document, so what is validated, answered and documented is one thing.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from app.core.idempotency import answer_once
from app.core.jsonbody import read_json
from app.core.validation import parse_args, parse_body

# A time in an answer: ISO 8601 with its offset ("+00:00", as Python writes it; not "Z").
DateTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                     WithJsonSchema({"type": "string", "format": "date-time"})]


class ErrorDetail(BaseModel):
    """What went wrong: a stable code for programs and a message for people."""

    code: str = Field(pattern="^[a-z0-9_]+$")
    message: str
    request_id: str | None = Field(None, description="On server errors: the id in the log.")
    reason: str | None = Field(None, description="triage_required: the rule that held the "
                                                 "item back (copy_cap, old_reference, damaged, "
                                                 "set).")
    copies: int | None = Field(None, description="triage_required: the title's copies.")


class Error(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorDetail


@dataclass(frozen=True)
class Reply:
    """One documented answer: a model (JSON), or another media type with its own schema."""

    model: type[BaseModel] | None = None
    description: str = ""
    media_type: str | None = "application/json"
    schema: dict | None = None


@dataclass(frozen=True)
class Operation:
    """What a view declares: its id, tag, inputs and answers (read by app/api/openapi.py)."""

    operation_id: str
    tag: str
    responses: dict[int, Reply]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # Public and cacheable: CORS for any origin, ETag and max-age, 304 on If-None-Match.
    public_read: bool = False
    description: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # path parameters' descriptions


def as_reply(status: int, value) -> Reply:
    """Return the Reply a `responses` entry of @operation stands for."""
    if isinstance(value, Reply):
        return value
    if isinstance(value, tuple):
        model, description = value
        return Reply(model, description)
    if isinstance(value, type) and issubclass(value, BaseModel):
        return Reply(value, (value.__doc__ or "").strip().splitlines()[0])
    if status >= 400:  # an error: its codes, said in the description
        return Reply(Error, value)
    return Reply(None, value, media_type=None)  # 204, 304: no body


def operation(operation_id: str, *, tag: str, responses: dict, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None, public_read: bool = False,
              description: str | None = None, params: dict[str, str] | None = None) -> Callable:
    """Declare a view's shapes; the view gets `body=` and `query=` validated.

    `responses` maps a status code to a model, `(model, description)`, a Reply, or (errors,
    204, 304) a description. 400 for a declared body or query, 401 and 403 for a view that
    needs a role, and 304 for a public read are added when not given.
    """
    declared = Operation(
        operation_id=operation_id, tag=tag, body=body, query=query, public_read=public_read,
        description=description, params=params or {},
        responses={status: as_reply(status, value) for status, value in responses.items()},
    )

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(**kwargs):
            if declared.body is not None:
                kwargs["body"] = parse_body(declared.body, read_json())
            if declared.query is not None:
                kwargs["query"] = parse_args(declared.query, request.args)
            # A write sent again with its Idempotency-Key gets the first answer, done once.
            return answer_once(lambda: _respond(declared, view(**kwargs)))

        run.operation = declared
        return run

    return decorate


def declared_operation(endpoint: str | None) -> Operation | None:
    """Return the @operation declaration of an endpoint's view, or None."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "operation", None)


def _respond(declared: Operation, result) -> Response:
    """Turn a view's answer into a response; in tests, refuse one its declaration lacks."""
    result, status = result if isinstance(result, tuple) else (result, 200)
    if current_app.testing:
        reply = declared.responses.get(status)
        model = type(result) if isinstance(result, BaseModel) else None
        if reply is None or reply.model is not model:
            raise TypeError(f"{declared.operation_id} answered {status} with {model}; "
                            f"declared: {reply}")
    if isinstance(result, BaseModel):
        response = jsonify(result.model_dump(mode="json", by_alias=True, exclude_unset=True))
        response.status_code = status
        return response
    return result if status == 200 else (result, status)
