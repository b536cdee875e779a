"""Configuration: environment variables, then instance/config.py, then defaults.

Every setting the app reads is listed here and documented in the README.
"""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("BOOKCAFE_INSTANCE", ROOT / "instance"))


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one generated once into instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = INSTANCE / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when several gunicorn workers start at once, the first one wins.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'bookcafe.db'}"
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Production and development settings."""

    SECRET_KEY: str | None = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    TESTING = False

    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    # Messages of `flask library ...` commands (no browser to ask).
    CLI_LOCALE = os.environ.get("BOOKCAFE_CLI_LOCALE", "en")
    LANGUAGES = ("ko", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool(os.environ.get("SESSION_COOKIE_SECURE"), False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # CSRF is checked by our own hook, after access control (see app.register_hooks).
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None  # a scan station stays open all day
    MAX_CONTENT_LENGTH = int(os.environ.get("BOOKCAFE_MAX_UPLOAD_MB", "16")) * 1024 * 1024

    # The café's own settings.
    CAFE_NAME = os.environ.get("BOOKCAFE_NAME", "서산시민센터 북카페")
    API_TOKEN_DAYS = int(os.environ.get("BOOKCAFE_API_TOKEN_DAYS", "30"))
    # Metadata lookup: National Library of Korea key (optional) and isbnlib services.
    NLK_API_KEY = os.environ.get("NLK_API_KEY", "")
    METADATA_SERVICES = tuple(
        s.strip()
        for s in os.environ.get("BOOKCAFE_METADATA_SERVICES", "nlk,openl,goob").split(",")
        if s.strip()
    )
    METADATA_TIMEOUT = float(os.environ.get("BOOKCAFE_METADATA_TIMEOUT", "2.5"))
    METADATA_BUDGET = float(os.environ.get("BOOKCAFE_METADATA_BUDGET", "4"))
    # The desk forgets the current borrower after this many idle seconds.
    DESK_IDLE_SECONDS = int(os.environ.get("BOOKCAFE_DESK_IDLE_SECONDS", "120"))
    # Where uploaded import files wait between preview and import (default: instance/imports).
    IMPORT_UPLOAD_DIR = os.environ.get("BOOKCAFE_IMPORT_DIR") or None
    # SMTP for overdue reminders (off unless MAIL_SERVER is set).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool(os.environ.get("MAIL_USE_TLS"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "bookcafe@localhost")
    # Notices (flask library send-notices): text messages through a provider (off unless
    # NOTICES_SMS_PROVIDER and its key, secret and sender number are set); one timeout for
    # the SMTP server and the provider, in seconds.
    NOTICES_SMS_PROVIDER = os.environ.get("NOTICES_SMS_PROVIDER", "")
    NOTICES_TIMEOUT = float(os.environ.get("NOTICES_TIMEOUT", "10"))
    SOLAPI_API_URL = os.environ.get("SOLAPI_API_URL", "https://api.solapi.com")
    SOLAPI_API_KEY = os.environ.get("SOLAPI_API_KEY", "")
    SOLAPI_API_SECRET = os.environ.get("SOLAPI_API_SECRET", "")
    SOLAPI_SENDER = os.environ.get("SOLAPI_SENDER", "")
    SOLAPI_KAKAO_PFID = os.environ.get("SOLAPI_KAKAO_PFID", "")
    NOTICES_KAKAO_TEMPLATES = os.environ.get("NOTICES_KAKAO_TEMPLATES", "")

    @classmethod
    def load(cls) -> dict:
        """Return this class's settings as a dict, resolving the computed ones."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        if settings["SQLALCHEMY_DATABASE_URI"] is None:
            settings["SQLALCHEMY_DATABASE_URI"] = _database_url()
        if settings["SECRET_KEY"] is None:
            settings["SECRET_KEY"] = _secret_key()
        return settings


class TestConfig(Config):
    """Settings for the test suite: the database URL comes from the fixture."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    NLK_API_KEY = ""
    METADATA_SERVICES = ("openl", "goob")
    METADATA_TIMEOUT = 0.5
    METADATA_BUDGET = 1.0
    MAIL_SERVER = ""
    NOTICES_SMS_PROVIDER = ""
    # Hashing stays real (salted PBKDF2) but cheap, so a thousand tests stay fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (a method name)
