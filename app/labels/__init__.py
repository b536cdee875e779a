"""Labels: the print queue, sheet templates and member cards (PDF rendering in pdf.py)."""

from flask import Blueprint

bp = Blueprint("labels", __name__)

from app.labels import routes  # noqa: E402,F401
