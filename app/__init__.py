"""The Book Café library: a Flask app for a community book café's lending library."""

import logging
import re
import time
import uuid
from pathlib import Path

from flask import Flask, g, request, session
from flask_login import current_user

from app.catalog.store import install_guard as install_catalog_guard
from app.config import INSTANCE, Config
from app.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# No inline scripts and nothing from another origin: every asset is served by the app.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # WebAssembly (the camera's barcode decoder, app/static/vendor/zxing-wasm) compiles
    # only with 'wasm-unsafe-eval'; JavaScript's eval stays forbidden.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}


def create_app(config_class: type[Config] = Config, **overrides) -> Flask:
    """Create and configure the app."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(INSTANCE),
        instance_relative_config=True,
    )
    app.config.update(config_class.load())
    if not app.config["TESTING"]:
        app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)

    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions to the app."""
    db.init_app(app)
    # The search index is derived from the books: only the catalogue store writes either.
    install_catalog_guard()
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Seoul")

    from app.accounts.services import load_session_member

    login_manager.user_loader(load_session_member)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"


def _select_locale() -> str:
    from flask import current_app, has_request_context

    languages = ("ko", "en")
    if not has_request_context():  # CLI commands, background work
        return current_app.config.get("CLI_LOCALE", "en")
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        # An API client says per request which language its messages should be in.
        return request.accept_languages.best_match(languages) or "ko"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or "ko"


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per area."""
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.campaigns import bp as campaigns_bp
    from app.catalog import bp as catalog_bp
    from app.circulation import bp as circulation_bp
    from app.core.access import ANYONE
    from app.exports import bp as exports_bp
    from app.imports import bp as imports_bp
    from app.intake import bp as intake_bp
    from app.labels import bp as labels_bp
    from app.main import bp as main_bp
    from app.notices import bp as notices_bp
    from app.reports import bp as reports_bp
    from app.stocktake import bp as stocktake_bp
    from app.volunteers import bp as volunteers_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(intake_bp, url_prefix="/intake")
    app.register_blueprint(circulation_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(labels_bp, url_prefix="/labels")
    app.register_blueprint(imports_bp, url_prefix="/admin/import")
    app.register_blueprint(exports_bp, url_prefix="/admin/export")
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(stocktake_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(volunteers_bp)
    app.view_functions["static"]._access = ANYONE


def register_hooks(app: Flask) -> None:
    """Per-request hooks: request id, reference data, access control."""
    from app.core.access import enforce_access
    from app.core.defaults import ensure_defaults

    state = {"defaults": False}

    @app.before_request
    def _request_id():
        g.started = time.perf_counter()
        # A proxy's id is kept when it is a plain token (it goes into logs and pages).
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:12]

    @app.before_request
    def _defaults():
        if not state["defaults"] and request.endpoint != "static":
            ensure_defaults()
            db.session.commit()
            state["defaults"] = True

    @app.before_request
    def _bearer_token():
        # A Bearer token, when sent, decides who the request is from (not the cookie).
        if request.headers.get("Authorization", "").lower().startswith("bearer"):
            from flask_login import AnonymousUserMixin

            from app.accounts.services import load_token_member

            g._login_user = load_token_member(request) or AnonymousUserMixin()
            if g.get("token_touched"):
                db.session.commit()  # the token's "last used" time

    app.before_request(enforce_access)

    @app.before_request
    def _csrf():
        # After the access check, so a refused user learns 401/403, not "bad token".
        # The API checks CSRF itself, for cookie sessions only (see app.api).
        if request.endpoint is None:
            return  # no such route: the 404/405 answer comes next
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.blueprint != "api":
            csrf.protect()

    @app.after_request
    def _headers(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if "started" in g:
            # Time spent in the app, for browsers' dev tools and `make bench`.
            elapsed_ms = (time.perf_counter() - g.started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_errorhandlers(app: Flask) -> None:
    """Answer errors as pages, or as JSON under /api/."""
    from app.main.errors import register

    register(app)
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)


def register_template_helpers(app: Flask) -> None:
    """Template globals: navigation, the café's name, formatting."""
    from app.main.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    """Register the `flask library ...` command group."""
    from app.cli import library

    app.cli.add_command(library)
