"""Intake: the scan station where volunteers catalogue donated books."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

from app.intake import routes, triage_routes  # noqa: E402,F401
