"""Bring a collection in: CSV, Excel and MARC import with a preview and a report."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from app.imports import routes  # noqa: E402,F401
