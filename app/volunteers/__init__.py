"""Volunteer hours: dated shifts, a coordinator's approval, a monthly export for funders."""

from flask import Blueprint

bp = Blueprint("volunteers", __name__)

from app.volunteers import routes  # noqa: E402,F401
