"""Take everything out: catalogue, members and loans exports, and database backups."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from app.exports import routes  # noqa: E402,F401
