"""Error answers: a page for people, `{"error": {...}}` for the API. Never a stack trace.

A DomainError a route lets through is mapped here, in one place (`register`). A page that
shows a refusal itself (a form re-rendered with the reason under a field, the scan
station's result) runs the use case in `shown_inline`, the one other place that catches it.
"""

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core.access import api_error, is_api_request
from app.errors import DomainError
from app.extensions import db

HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
}


def _messages() -> dict:
    return {
        400: _("The request could not be understood."),
        401: _("Please log in first."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist."),
        405: _("This action is not possible here."),
        413: _("The file or request is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. It has been logged."),
    }


def _render(status: int, message: str | None = None):
    message = message or _messages().get(status) or _("Something went wrong.")
    if is_api_request():
        code = HTTP_CODES.get(status, "server_error" if status >= 500 else "error")
        if status >= 500:  # the id to quote when reporting it; the log line has it too
            return api_error(status, code, message, request_id=g.get("request_id", ""))
        return api_error(status, code, message)
    return render_template(
        "errors/error.html", status=status, message=message, request_id=g.get("request_id")
    ), status


def _back() -> str:
    """Return the page the form was sent from (on this site), else the form's own URL."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return urlunsplit(("", "", referrer.path, referrer.query, ""))
    return request.full_path.rstrip("?")


def register(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        """The one mapping of a refused use case: the route let it through, nothing is kept.

        The API answers its JSON error; a form sent from a page that was refused (a conflict,
        bad input, a number that names nothing, a rule such as self-checkout being off) goes
        back to that page with the reason as a message (post/redirect/get); a page asked for
        gets an error page. Role checks and unknown ids in a URL are not DomainErrors (abort,
        get_or_404): they stay 403 and 404 pages.
        """
        db.session.rollback()
        if is_api_request():
            return jsonify(error.as_json()), error.status  # its code, message and details
        if request.method == "POST":
            flash(str(error), "error")
            return redirect(_back(), code=303)
        return _render(error.status, str(error))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        db.session.rollback()
        message = _(
            "The form has expired or was already sent. Please reload the page and try again."
        )
        if is_api_request():
            return api_error(400, "csrf_failed", message)
        return _render(400, message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error (request id %s)", g.get("request_id"))
        return _render(500)
