"""The OpenAPI 3.1 document of /api/v1, written from the code, never by hand.

Each /api/v1 view declares its shapes with `@operation` (app/api/spec.py); this module walks
the app's URL map and writes one operation per (rule, method): the path parameters from the
rule's converters, the query parameters and the request body from the declared pydantic
models, the answers from the declared response models, and the security from `@access`.
The schemas are pydantic's JSON Schemas (2020-12, which OpenAPI 3.1 uses) under
#/components/schemas. A view without a declaration makes building the document fail.
"""

import re
from collections.abc import Callable
from copy import deepcopy

from flask import Flask, current_app
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from werkzeug.routing import IntegerConverter, Rule

from app.api.spec import Error, Operation, as_reply
from app.core.access import ANYONE
from app.models import Role

API_PREFIX = "/api/v1"
REF_TEMPLATE = "#/components/schemas/{model}"
MEMBER = [{"bearerAuth": []}, {"cookieAuth": []}]
IGNORED_METHODS = {"HEAD", "OPTIONS"}
WHO = {
    ANYONE: "Anyone may call this (no token needed).",
    Role.MEMBER: "For members (any account).",
    Role.VOLUNTEER: "For volunteers and coordinators.",
    Role.COORDINATOR: "For coordinators.",
}
AUTOMATIC = {
    "body": (400, "The body is not valid: invalid_json (not a JSON object, over 256 KB or "
                  "nested too deeply) or invalid_input (a field)."),
    "query": (400, "A parameter is not valid (invalid_input)."),
    "401": (401, "Not logged in, or the token is invalid or expired."),
    "403": (403, "The caller's role may not do this."),
    "304": (304, "Not modified (If-None-Match)."),
    "409": (409, "Conflict: the request cannot be done as things stand (its code says why), "
                 "or idempotency_key_in_progress (the first request with this key is still "
                 "being answered)."),
    "422": (422, "idempotency_key_reused: the key was first used for another request."),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Every write a member makes may carry a key: sent again with it, it is done once.
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    "description": "Any 1-255 visible ASCII characters (a UUID, say). Sent again with the "
                   "same key and body within a day, the request is not done again: the first "
                   "answer comes back with `Idempotent-Replayed: true`.",
}


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every property (models keep theirs)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def spec() -> dict:
    """Return the current app's OpenAPI document (built once per app; a copy to change)."""
    app = current_app._get_current_object()
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = build(app)
    return deepcopy(app.extensions["openapi"])


def declared_operations(app: Flask) -> list[tuple[Rule, str, Callable]]:
    """Return (rule, method, view) for every /api/v1 operation the app serves."""
    found = []
    for rule in app.url_map.iter_rules():  # in the order the modules declare them
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "operation", None) is None:
            raise LookupError(f"{rule.endpoint}: declare its shapes with @operation "
                              "(app/api/spec.py)")
        found += [(rule, method, view) for method in sorted(rule.methods - IGNORED_METHODS)]
    return found


def build(app: Flask) -> dict:
    """Write the OpenAPI 3.1 document from the declarations of the app's /api/v1 views."""
    operations = declared_operations(app)
    wanted = {(Error, "serialization")}
    for _rule, _method, view in operations:
        declared = view.operation
        if declared.body is not None:
            wanted.add((declared.body, "validation"))
        wanted |= {(r.model, "serialization") for r in declared.responses.values() if r.model}
    refs, defs = models_json_schema(
        sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1])),
        ref_template=REF_TEMPLATE, schema_generator=_Schemas,
    )
    schemas = defs.get("$defs", {})
    paths: dict[str, dict] = {}
    for rule, method, view in operations:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX):])
        paths.setdefault(path, {})[method.lower()] = _operation(rule, method, view, refs,
                                                                schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Book Café library API",
            "version": "1.0.0",
            "description": "The café's catalogue, circulation and campaigns. Errors are "
                           "`{\"error\": {\"code\", \"message\"}}` with a 4xx status. Times "
                           "are ISO 8601 with offset; dates are YYYY-MM-DD. A write sent "
                           "with an `Idempotency-Key` header (1-255 visible ASCII "
                           "characters) is done once per member and key: for a day, the "
                           "same key gets the first answer back (`Idempotent-Replayed: "
                           "true`); with another body, 422 idempotency_key_reused.",
        },
        "servers": [{"url": API_PREFIX}],
        "security": MEMBER,
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A token from POST /tokens."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "A logged-in browser session (with CSRF for "
                                              "writes)."},
            },
        },
    }


def _operation(rule: Rule, method: str, view: Callable, refs: dict, schemas: dict) -> dict:
    declared: Operation = view.operation
    who = getattr(view, "_access", None)
    doc = (view.__doc__ or "").strip()
    summary = doc.splitlines()[0] if doc else declared.operation_id
    description = " ".join(filter(None, [declared.description, WHO.get(who)]))
    item = {"tags": [declared.tag], "operationId": declared.operation_id, "summary": summary,
            "description": description, "security": [] if who == ANYONE else MEMBER}
    parameters = _path_parameters(rule, declared)
    if declared.query is not None:
        parameters += _query_parameters(declared.query, schemas)
    keyed = method in WRITES and who != ANYONE
    if keyed:
        parameters.append(IDEMPOTENCY_KEY)
    if parameters:
        item["parameters"] = parameters
    if declared.body is not None:
        item["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(declared.body, "validation")]}}}
    automatic = []
    if declared.body is not None:
        automatic.append(AUTOMATIC["body"])
    elif declared.query is not None:
        automatic.append(AUTOMATIC["query"])
    if who != ANYONE:
        automatic += [AUTOMATIC["401"], AUTOMATIC["403"]]
    if declared.public_read:
        automatic.append(AUTOMATIC["304"])
    if keyed:
        automatic.append(AUTOMATIC["422"])
        if 409 not in declared.responses:
            automatic.append(AUTOMATIC["409"])
    responses = {}
    for status, reply in [*((s, as_reply(s, d)) for s, d in automatic),
                          *declared.responses.items()]:
        answer = {"description": reply.description or "No description."}
        if reply.media_type is not None:
            schema = reply.schema if reply.model is None else refs[(reply.model,
                                                                    "serialization")]
            answer["content"] = {reply.media_type: {"schema": schema}}
        responses[str(status)] = answer
    item["responses"] = dict(sorted(responses.items()))
    return item


def _path_parameters(rule: Rule, declared: Operation) -> list[dict]:
    parameters = []
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": converter.min or 0}
            if converter.max is not None:
                schema["maximum"] = converter.max
            default = f"The {name.removesuffix('_id').replace('_', ' ')}'s id."
        else:
            schema, default = {"type": "string"}, f"The {name.replace('_', ' ')}."
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema,
                           "description": declared.params.get(name, default)})
    return parameters


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    """One parameter per field of a query model (never null: an absent one takes its default)."""
    document = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=_Schemas)
    schemas.update(document.pop("$defs", {}))
    required = set(document.get("required", []))
    parameters = []
    for name, schema in document["properties"].items():
        schema = dict(schema)
        description = schema.pop("description", None)
        options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
        if options:
            schema = {**options[0], **schema} if len(options) == 1 else {"anyOf": options,
                                                                        **schema}
        if schema.get("default", "") is None:
            del schema["default"]
        parameter = {"name": name, "in": "query", "required": name in required,
                     "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters
