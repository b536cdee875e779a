"""Circulation: the lending desk, renewals, holds, overdue reminders, members' loans."""

from flask import Blueprint

bp = Blueprint("circulation", __name__)

from app.circulation import routes  # noqa: E402,F401
