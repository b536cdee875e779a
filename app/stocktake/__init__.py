"""Stocktake and weeding: scan the shelves against a frozen list, find what is missing,
and retire copies by the rules (제적, 폐기, passing on)."""

from flask import Blueprint

bp = Blueprint("stocktake", __name__)

from app.stocktake import routes  # noqa: E402,F401
