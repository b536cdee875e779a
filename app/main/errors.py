"""Error answers: a page for people, `{"error": {...}}` for the API. Never a stack trace."""

from flask import Flask, g, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.access import api_error, is_api_request
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


def register(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        db.session.rollback()
        if is_api_request():  # its code and message, and what else it tells (as_json)
            return jsonify(error.as_json()), error.status
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
