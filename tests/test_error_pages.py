"""Production error pages: a request id, no stack trace, and the same id in the log."""

import logging
import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import Config
from app.core.access import ANYONE
from app.extensions import db


@pytest.fixture
def production_app(_schema, monkeypatch):
    """The app with the production settings (not TestConfig), plus a route that fails."""
    monkeypatch.setenv("DATABASE_URL", _schema)
    monkeypatch.setenv("SECRET_KEY", "a production-like secret for this test")
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=_schema)
    assert not app.testing and not app.debug

    def fail():
        raise RuntimeError("secret internals: /srv/bookcafe/app.py line 42")

    fail._access = ANYONE
    app.add_url_rule("/test-only/fail", "test_only_fail", fail)
    app.add_url_rule("/api/v1/test-only/fail", "test_only_api_fail", fail)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_unhandled_error_page_shows_a_request_id_and_logs_it(production_app, caplog):
    client = production_app.test_client()
    with caplog.at_level(logging.ERROR, logger=production_app.logger.name):
        response = client.get("/test-only/fail", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert f"Request id: {request_id}" in page
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page and "secret internals" not in page
    assert "RuntimeError" not in page
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert request_id in logged[0].getMessage()
    assert logged[0].exc_info and logged[0].exc_info[0] is RuntimeError  # the trace: log only


def test_unhandled_api_error_is_json_without_a_trace(production_app, caplog):
    client = production_app.test_client()
    with caplog.at_level(logging.ERROR, logger=production_app.logger.name):
        response = client.get("/api/v1/test-only/fail", headers={"X-Request-ID": "probe-42"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"
    assert response.json["error"]["request_id"] == "probe-42"
    assert response.headers["X-Request-ID"] == "probe-42"
    assert "secret internals" not in response.get_data(as_text=True)
    assert any("probe-42" in r.getMessage() for r in caplog.records)


def test_a_request_id_that_is_not_a_plain_token_is_replaced(production_app):
    client = production_app.test_client()
    response = client.get("/test-only/fail", headers={"X-Request-ID": "<script>x</script>"})
    assert response.status_code == 500
    assert re.fullmatch(r"[0-9a-f]{12}", response.headers["X-Request-ID"])
    assert "<script>x" not in response.get_data(as_text=True)


def test_a_refused_use_case_goes_back_to_its_page_with_the_reason_and_keeps_nothing(
        app, client, csrf_token, make_book):
    """One mapping: a route lets a DomainError through; the form's page shows why."""
    from app.errors import CopyNotAvailable
    from app.models import Book

    def refuse():
        make_book(title="kept")  # committed before the use case
        db.session.add(Book(title="half-written", search_text=""))
        raise CopyNotAvailable()

    refuse._access = ANYONE
    app.add_url_rule("/test-only/refuse", "test_only_refuse", refuse, methods=["GET", "POST"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {"csrf_token": csrf_token("/catalog")}
    response = client.post("/test-only/refuse", data=form,
                           headers={"Referer": "http://localhost/catalog?q=x"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/catalog?q=x"
    page = client.get("/catalog?q=x").get_data(as_text=True)
    assert str(CopyNotAvailable()) in page
    assert [b.title for b in db.session.scalars(sa.select(Book))] == ["kept"]
    # From another site, or with no referrer: back to the form's own URL.
    response = client.post("/test-only/refuse", data=form,
                           headers={"Referer": "https://evil.example/x"})
    assert response.headers["Location"] == "/test-only/refuse"
    assert client.get("/test-only/refuse").status_code == 409


def test_a_refusal_shown_inline_is_rolled_back_or_kept_and_its_reason_given(app):
    """The page that shows a refusal itself: nothing kept (or, asked, what it wrote)."""
    from app.core import audit
    from app.core.refusals import shown_inline
    from app.errors import CopyNotAvailable, TooManyAttempts
    from app.models import AuditEvent

    def events() -> list[str]:
        return list(db.session.scalars(sa.select(AuditEvent.action)))

    with app.test_request_context(headers={"Accept-Language": "en"}):
        errors: list[str] = []
        with shown_inline(errors) as refusal:
            audit.record("test.rolled_back", actor=None)
            raise CopyNotAvailable()
        assert errors == [str(CopyNotAvailable())] and refusal.status == 409
        noted = []
        with shown_inline(noted.append, keep=True) as refusal:
            audit.record("test.kept", actor=None)
            raise TooManyAttempts(minutes=15)
        assert [type(e) for e in noted] == [TooManyAttempts] and refusal.status == 429
        with shown_inline(errors) as refusal:
            pass
        assert refusal.error is None and refusal.status == 200
        assert events() == ["test.kept"]
