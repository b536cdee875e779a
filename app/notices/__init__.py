"""Notices members read: what is due for each member, gathered into one message per member
and channel (email, text message), on a schedule, outside quiet hours, with a log."""

from flask import Blueprint

bp = Blueprint("notices", __name__)

from app.notices import routes  # noqa: E402


@bp.record_once
def _register_me_section(state) -> None:
    """Add 'My notices' to the member's own page (/me)."""
    state.app.extensions.setdefault("me_sections", []).append(routes.my_notices_section)
