"""Accounts: registration, login, logout, language, the member's own profile."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import routes  # noqa: E402,F401
