"""The OpenAPI 3.1 description of /api/v1, kept by hand beside the code.

tests/api/test_openapi.py checks it against the app's URL map both ways (every
/api/v1 route is described, every described operation is served) and validates it,
and a schemathesis run checks the public GET endpoints' answers against it. When
you add or change an API route, change this file in the same commit.
"""

from copy import deepcopy

API_PREFIX = "/api/v1"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


MEMBER = [{"bearerAuth": []}, {"cookieAuth": []}]
PUBLIC: list = []
AUTH_ERRORS = {
    "401": _error("Not logged in, or the token is invalid or expired."),
    "403": _error("The caller's role may not do this."),
}

SEARCH_PARAMS = [
    _query("q", {"type": "string", "maxLength": 200},
           "Words to find in title, subtitle, authors and publisher (each word a substring, "
           "case- and accent-insensitive; two Korean syllables are enough), or an ISBN in "
           "any form (10 or 13 digits, hyphens, an 18-digit scan with its add-on)."),
    _query("available", {"type": "boolean"}, "Only books with a copy available now."),
    _query("language", {"type": "string", "pattern": "^[a-z]{2,3}$"},
           "Only books in this language (ISO 639 code, e.g. ko, en)."),
    _query("subject", {"type": "string", "pattern": "^[0-9]$"},
           "Only books of this KDC main class (0-9)."),
    _query("new", {"type": "boolean"}, "Only books catalogued in the last 30 days."),
    _query("page", {"type": "integer", "minimum": 1, "maximum": 10000}, "Page number."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100},
           "Results per page (default 20)."),
]
LIMIT_PARAM = _query("limit", {"type": "integer", "minimum": 1, "maximum": 50},
                     "How many books (default 10).")

# The fields of app.api.serializers.book_json, with or without the copies.
BOOK_RECORD_REQUIRED = ["id", "title", "authors", "isbn13", "addon", "needs_metadata"]
BOOK_RECORD_PROPERTIES = {
    "id": {"type": "integer"},
    "isbn13": _nullable("string"),
    "isbn10": _nullable("string"),
    "title": {"type": "string"},
    "subtitle": _nullable("string"),
    "authors": {"type": "array", "items": {"type": "string"}},
    "publisher": _nullable("string"),
    "year": _nullable("integer"),
    "language": _nullable("string"),
    "kdc": _nullable("string"),
    "kdc_class": _nullable("string"),
    "addon": {"oneOf": [_ref("Addon"), {"type": "null"}]},
    "needs_metadata": {"type": "boolean",
                       "description": "Saved with its ISBN only; the record is to be completed."},
    "metadata_source": _nullable("string", description="Where the record came from."),
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "message": {"type": "string"},
                    "request_id": {"type": "string",
                                   "description": "On server errors: the id in the log."},
                },
            }
        },
    },
    "BookSummary": {
        "type": "object",
        "required": ["id", "title", "authors", "isbn13", "copies", "available"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "authors": {"type": "array", "items": {"type": "string"}},
            "isbn13": _nullable("string", pattern="^97[89][0-9]{10}$"),
            "copies": {"type": "integer", "minimum": 0,
                       "description": "Copies in the collection."},
            "available": {"type": "integer", "minimum": 0,
                          "description": "Copies on the shelf now."},
        },
    },
    "BookPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": _ref("BookSummary")},
            "total": {"type": "integer", "minimum": 0,
                      "description": "Books found; a text search counts at most 1000."},
            "total_capped": {"type": "boolean",
                             "description": "True when a text search found more books than "
                                            "`total` (it ranks only the first 1000 matches)."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
        },
    },
    "BookList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("BookSummary")}},
    },
    "PopularList": {
        "type": "object",
        "required": ["days", "items"],
        "properties": {
            "days": {"type": "integer"},
            "items": {
                "type": "array",
                "items": {
                    "allOf": [_ref("BookSummary")],
                    "type": "object",
                    "required": ["loans"],
                    "properties": {"loans": {"type": "integer", "minimum": 1}},
                },
            },
        },
    },
    "Addon": {
        "type": "object",
        "description": "The Korean 5-digit add-on code (부가기호), decoded.",
        "required": ["code", "reader_group", "form", "kdc_class", "subject"],
        "properties": {
            "code": {"type": "string", "pattern": "^[0-9]{5}$"},
            "reader_group": {"type": "string"},
            "reader_group_label": {"type": "string"},
            "form": {"type": "string"},
            "form_label": {"type": "string"},
            "kdc_class": {"type": "string"},
            "kdc_class_label": {"type": "string"},
            "subject": {"type": "string"},
        },
    },
    "CopyStatus": {
        "type": "string",
        "enum": ["available", "on_loan", "on_hold_shelf", "lost", "damaged", "withdrawn"],
    },
    "PublicCopy": {
        "type": "object",
        "description": "A copy as the public sees it: never who has it.",
        "required": ["barcode", "status", "site", "call_number", "due_on"],
        "properties": {
            "barcode": {"type": "string"},
            "status": _ref("CopyStatus"),
            "site": {"type": "string"},
            "call_number": _nullable("string"),
            "due_on": _nullable("string", format="date"),
        },
    },
    "BookRecord": {
        "type": "object",
        "description": "A book record (intake answers with it; Book adds its copies).",
        "required": BOOK_RECORD_REQUIRED,
        "properties": BOOK_RECORD_PROPERTIES,
    },
    "Book": {
        "type": "object",
        "required": [*BOOK_RECORD_REQUIRED, "copies", "available"],
        "properties": {
            **BOOK_RECORD_PROPERTIES,
            "copies": {"type": "array", "items": _ref("PublicCopy")},
            "available": {"type": "integer", "minimum": 0},
            "donors": {"type": "array", "items": {"type": "string"},
                       "description": "Donors who agreed to be named."},
        },
    },
    "Member": {
        "type": "object",
        "required": ["id", "name", "email", "role", "card"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "role": {"type": "string", "enum": ["member", "volunteer", "coordinator"]},
            "card": {"type": "string"},
            "locale": {"type": "string"},
        },
    },
    "Token": {
        "type": "object",
        "required": ["token", "expires_at"],
        "properties": {
            "token": {"type": "string"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "Loan": {
        "type": "object",
        "required": ["id", "copy_barcode", "due_on"],
        "properties": {
            "id": {"type": "integer"},
            "copy_barcode": {"type": "string"},
            "member_card": _nullable("string"),
            "due_on": {"type": "string", "format": "date"},
            "renewals": {"type": "integer"},
            "checked_out_at": {"type": "string", "format": "date-time"},
            "returned_at": _nullable("string", format="date-time"),
        },
    },
    "Hold": {
        "type": "object",
        "required": ["id", "book_id", "status"],
        "properties": {
            "id": {"type": "integer"},
            "book_id": {"type": "integer"},
            "status": {"type": "string",
                       "enum": ["waiting", "ready", "fulfilled", "cancelled", "expired"]},
            "placed_at": {"type": "string", "format": "date-time"},
            "pickup_by": _nullable("string", format="date"),
        },
    },
    "Campaign": {
        "type": "object",
        "required": ["id", "name", "goal_books", "books_donated", "titles", "donors",
                     "starts_on", "ends_on"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "description": _nullable("string"),
            "goal_books": _nullable("integer"),
            "books_donated": {"type": "integer"},
            "titles": {"type": "integer"},
            "donors": {"type": "integer"},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": _nullable("string", format="date"),
        },
    },
    "IsbnInfo": {
        "type": "object",
        "required": ["isbn13", "isbn10", "hyphenated", "addon", "group", "book", "metadata",
                     "source"],
        "properties": {
            "isbn13": {"type": "string"},
            "isbn10": _nullable("string"),
            "hyphenated": _nullable("string"),
            "addon": {},
            "group": _nullable("string"),
            "book": {},
            "metadata": {},
            "source": _nullable("string"),
        },
    },
}

BOOK_TAG = ["catalogue"]


def _paths() -> dict:
    return {
        "/tokens": {
            "post": {
                "tags": ["accounts"], "operationId": "createToken", "security": PUBLIC,
                "summary": "Exchange email and password for a bearer token.",
                "requestBody": _body({
                    "type": "object", "required": ["email", "password"],
                    "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
                }),
                "responses": {
                    "201": _json(_ref("Token"), "A new token."),
                    "400": _error("The body is not valid."),
                    "401": _error("Wrong email or password."),
                    "403": _error("The account is deactivated."),
                    "429": _error("Too many failed attempts."),
                },
            }
        },
        "/tokens/current": {
            "delete": {
                "tags": ["accounts"], "operationId": "revokeCurrentToken", "security": MEMBER,
                "summary": "Revoke the bearer token this request is made with.",
                "responses": {
                    "204": {"description": "Revoked; the token now gets 401."},
                    "400": _error("The request was not made with a bearer token."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/tokens/{token_id}": {
            "delete": {
                "tags": ["accounts"], "operationId": "revokeToken", "security": MEMBER,
                "summary": "Revoke one of the caller's own tokens (ids are listed on the "
                           "account settings page).",
                "parameters": [_path_id("token_id", "The token's id.")],
                "responses": {
                    "204": {"description": "Revoked (or already revoked)."},
                    "404": _error("No such token among the caller's own."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/me": {
            "get": {
                "tags": ["accounts"], "operationId": "getMe", "security": MEMBER,
                "summary": "The member the request is authenticated as.",
                "responses": {"200": _json(_ref("Member"), "The member."), **AUTH_ERRORS},
            }
        },
        "/me/loans": {
            "get": {
                "tags": ["circulation"], "operationId": "getMyLoans", "security": MEMBER,
                "summary": "The authenticated member's loans.",
                "responses": {
                    "200": _json({"type": "object", "required": ["items"], "properties": {
                        "items": {"type": "array", "items": _ref("Loan")}}}, "The loans."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/me/holds": {
            "get": {
                "tags": ["circulation"], "operationId": "getMyHolds", "security": MEMBER,
                "summary": "The authenticated member's waiting and ready holds.",
                "responses": {
                    "200": _json({"type": "object", "required": ["items"], "properties": {
                        "items": {"type": "array", "items": _ref("Hold")}}}, "The holds."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/health": {
            "get": {
                "tags": ["meta"], "operationId": "getHealth", "security": PUBLIC,
                "summary": "Tell that the app answers (no database work).",
                "responses": {
                    "200": _json({"type": "object", "required": ["status"], "properties": {
                        "status": {"type": "string", "enum": ["ok"]}}}, "The app answers."),
                },
            }
        },
        "/books": {
            "get": {
                "tags": BOOK_TAG, "operationId": "searchBooks", "security": PUBLIC,
                "summary": "Search the catalogue (no query: every book).",
                "description": "Ranking: an exact ISBN first, then title matches, then "
                               "author matches, then the rest. Public, CORS-enabled, "
                               "cacheable (ETag, Cache-Control).",
                "parameters": SEARCH_PARAMS,
                "responses": {
                    "200": _json(_ref("BookPage"), "One page of results."),
                    "304": {"description": "Not modified (If-None-Match)."},
                    "400": _error("A parameter is not valid."),
                },
            }
        },
        "/books/{book_id}": {
            "get": {
                "tags": BOOK_TAG, "operationId": "getBook", "security": PUBLIC,
                "summary": "One book with its copies and their status.",
                "parameters": [_path_id("book_id", "The book's id.")],
                "responses": {
                    "200": _json(_ref("Book"), "The book."),
                    "304": {"description": "Not modified (If-None-Match)."},
                    "404": _error("No such book."),
                },
            }
        },
        "/books/new": {
            "get": {
                "tags": BOOK_TAG, "operationId": "newBooks", "security": PUBLIC,
                "summary": "The newest books.",
                "parameters": [LIMIT_PARAM],
                "responses": {
                    "200": _json(_ref("BookList"), "Newest first."),
                    "304": {"description": "Not modified (If-None-Match)."},
                    "400": _error("A parameter is not valid."),
                },
            }
        },
        "/books/popular": {
            "get": {
                "tags": BOOK_TAG, "operationId": "popularBooks", "security": PUBLIC,
                "summary": "The books borrowed most in the last 90 days.",
                "parameters": [LIMIT_PARAM],
                "responses": {
                    "200": _json(_ref("PopularList"), "Most loans first."),
                    "304": {"description": "Not modified (If-None-Match)."},
                    "400": _error("A parameter is not valid."),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "tags": ["meta"], "operationId": "getOpenApi", "security": PUBLIC,
                "summary": "This description (OpenAPI 3.1).",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document."),
                              "304": {"description": "Not modified (If-None-Match)."}},
            }
        },
        "/isbn/{raw}": {
            "get": {
                "tags": ["intake"], "operationId": "lookupIsbn", "security": MEMBER,
                "summary": "Parse a scan or ISBN and look up its metadata (volunteer+).",
                "parameters": [{"name": "raw", "in": "path", "required": True,
                                "schema": {"type": "string"},
                                "description": "Raw scan: ISBN-10/13, hyphens, add-on."}],
                "responses": {
                    "200": _json(_ref("IsbnInfo"), "What the ISBN is and what we know."),
                    "400": _error("Not a valid ISBN (invalid_isbn)."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/intake": {
            "post": {
                "tags": ["intake"], "operationId": "intake", "security": MEMBER,
                "summary": "Receive a donated copy (volunteer+).",
                "requestBody": _body({
                    "type": "object", "required": ["scan"],
                    "properties": {
                        "scan": {"type": "string"},
                        "donor_card": {"type": "string"},
                        "campaign_id": {"type": "integer"},
                        "anonymous": {"type": "boolean"},
                        "metadata": {"type": "object", "properties": {
                            "title": {"type": "string"}, "authors": {},
                            "publisher": {"type": "string"}, "year": {"type": "integer"},
                            "language": {"type": "string"}}},
                    },
                }),
                "responses": {
                    "200": _json({"type": "object", "required": ["copy", "book", "donation"],
                                  "properties": {"copy": {"type": "object"},
                                                 "book": {"type": "object"},
                                                 "donation": {"type": "object"}}},
                                 "A repeated scan (duplicate: true): the copy received "
                                 "moments ago, not a second one."),
                    "201": _json({"type": "object", "required": ["copy", "book", "donation"],
                                  "properties": {"copy": {"type": "object"},
                                                 "book": _ref("BookRecord"),
                                                 "donation": {"type": "object"}}},
                                 "The new copy, its book and the donation."),
                    "400": _error("The body or the scan is not valid."),
                    "404": _error("unknown_campaign or unknown_member (no member has the "
                                  "donor card)."),
                    "422": _error("No source knows the ISBN and no metadata was sent "
                                  "(metadata_required)."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/checkouts": {
            "post": {
                "tags": ["circulation"], "operationId": "checkOut", "security": MEMBER,
                "summary": "Lend a copy to a member (volunteer+).",
                "requestBody": _body({
                    "type": "object", "required": ["member_card", "copy_barcode"],
                    "properties": {"member_card": {"type": "string"},
                                   "copy_barcode": {"type": "string"}},
                }),
                "responses": {
                    "200": _json({"type": "object", "properties": {"loan": _ref("Loan")}},
                                 "A double scan: the same open loan."),
                    "201": _json({"type": "object", "required": ["loan"],
                                  "properties": {"loan": _ref("Loan")}}, "The new loan."),
                    "400": _error("The body is not valid."),
                    "404": _error("unknown_copy or unknown_member."),
                    "409": _error("copy_not_available, loan_limit_reached, member_blocked "
                                  "or held_for_other."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/checkins": {
            "post": {
                "tags": ["circulation"], "operationId": "checkIn", "security": MEMBER,
                "summary": "Take a copy back (volunteer+).",
                "requestBody": _body({"type": "object", "required": ["copy_barcode"],
                                      "properties": {"copy_barcode": {"type": "string"}}}),
                "responses": {
                    "200": _json({"type": "object", "required": ["loan", "hold"],
                                  "properties": {"loan": _ref("Loan"), "hold": {
                                      "oneOf": [_ref("Hold"), {"type": "null"}]}}},
                                 "The closed loan and the hold it now fills, if any."),
                    "400": _error("The body is not valid."),
                    "404": _error("unknown_copy."),
                    "409": _error("not_on_loan."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/loans/{loan_id}/renew": {
            "post": {
                "tags": ["circulation"], "operationId": "renewLoan", "security": MEMBER,
                "summary": "Renew a loan (the borrower, or volunteer+).",
                "parameters": [_path_id("loan_id", "The loan's id.")],
                "responses": {
                    "200": _json({"type": "object", "required": ["loan"],
                                  "properties": {"loan": _ref("Loan")}}, "The renewed loan."),
                    "404": _error("No such loan."),
                    "409": _error("renewal_limit_reached or book_on_hold."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/holds": {
            "post": {
                "tags": ["circulation"], "operationId": "placeHold", "security": MEMBER,
                "summary": "Place a hold on a book (member).",
                "requestBody": _body({"type": "object", "required": ["book_id"],
                                      "properties": {"book_id": {"type": "integer"}}}),
                "responses": {
                    "201": _json({"type": "object", "required": ["hold"],
                                  "properties": {"hold": _ref("Hold")}}, "The new hold."),
                    "400": _error("The body is not valid."),
                    "404": _error("No such book."),
                    "409": _error("The hold is refused (e.g. already held, limit reached)."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/holds/{hold_id}": {
            "delete": {
                "tags": ["circulation"], "operationId": "cancelHold", "security": MEMBER,
                "summary": "Cancel a hold (the holder, or volunteer+).",
                "parameters": [_path_id("hold_id", "The hold's id.")],
                "responses": {
                    "204": {"description": "Cancelled."},
                    "404": _error("No such hold."),
                    "409": _error("The hold can no longer be cancelled."),
                    **AUTH_ERRORS,
                },
            }
        },
        "/campaigns": {
            "get": {
                "tags": ["campaigns"], "operationId": "listCampaigns", "security": PUBLIC,
                "summary": "Donation campaigns with their totals.",
                "responses": {"200": _json({"type": "object", "properties": {
                    "items": {"type": "array", "items": _ref("Campaign")}}}, "Campaigns.")},
            },
            "post": {
                "tags": ["campaigns"], "operationId": "createCampaign", "security": MEMBER,
                "summary": "Start a campaign (coordinator).",
                "requestBody": _body({
                    "type": "object", "required": ["name", "goal_books", "starts_on"],
                    "properties": {
                        "name": {"type": "string"}, "goal_books": {"type": "integer"},
                        "starts_on": {"type": "string", "format": "date"},
                        "ends_on": {"type": "string", "format": "date"},
                        "description": {"type": "string"},
                    },
                }),
                "responses": {
                    "201": _json(_ref("Campaign"), "The campaign."),
                    "400": _error("The body is not valid."),
                    **AUTH_ERRORS,
                },
            },
        },
        "/campaigns/{campaign_id}": {
            "get": {
                "tags": ["campaigns"], "operationId": "getCampaign", "security": PUBLIC,
                "summary": "One campaign with its totals.",
                "parameters": [_path_id("campaign_id", "The campaign's id.")],
                "responses": {
                    "200": _json(_ref("Campaign"), "The campaign."),
                    "404": _error("No such campaign."),
                },
            }
        },
        "/labels": {
            "post": {
                "tags": ["labels"], "operationId": "printLabels", "security": MEMBER,
                "summary": "A PDF sheet of copy labels (volunteer+).",
                "requestBody": _body({
                    "type": "object", "required": ["copies"],
                    "properties": {
                        "copies": {"type": "array", "items": {"type": "string"}},
                        "template": {}, "start_at": {"type": "integer", "minimum": 1},
                    },
                }),
                "responses": {
                    "200": {"description": "The labels.",
                            "content": {"application/pdf": {"schema": {
                                "type": "string", "contentMediaType": "application/pdf"}}}},
                    "400": _error("The body is not valid."),
                    "404": _error("unknown_copy."),
                    "422": _error("unknown_barcodes: some codes are not valid barcodes or "
                                  "no copy has them (listed in invalid and unknown)."),
                    **AUTH_ERRORS,
                },
            }
        },
    }


def spec() -> dict:
    """Return the OpenAPI 3.1 document (a fresh copy the caller may change)."""
    return deepcopy({
        "openapi": "3.1.0",
        "info": {
            "title": "Book Café library API",
            "version": "1.0.0",
            "description": "The café's catalogue, circulation and campaigns. Errors are "
                           "`{\"error\": {\"code\", \"message\"}}` with a 4xx status. Times "
                           "are ISO 8601 with offset; dates are YYYY-MM-DD.",
        },
        "servers": [{"url": API_PREFIX}],
        "security": MEMBER,
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A token from POST /tokens."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "A logged-in browser session (with CSRF for "
                                              "writes)."},
            },
        },
    })
