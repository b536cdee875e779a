"""Usage reports for coordinators: loans, members, collection, cataloguing."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import routes, yearly_routes  # noqa: E402,F401
