"""Memos that live as long as one request."""

from flask import has_request_context, request


def request_memo(name: str) -> dict | None:
    """Return a dict that lives as long as the current request (None outside a request).

    Kept in the request's WSGI environ, not in `g`: a test that holds an app context open
    shares its `g` with every request it makes.
    """
    if not has_request_context():
        return None
    return request.environ.setdefault(f"bookcafe.memo.{name}", {})
