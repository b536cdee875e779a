"""Circulation: the lending desk, renewals, holds, overdue reminders, members' loans."""

from flask import Blueprint

bp = Blueprint("circulation", __name__)


@bp.record_once
def _register_me_section(state) -> None:
    """Show loans, holds and history on the member's own page (/me)."""
    from app.circulation.routes import me_section

    state.app.extensions.setdefault("me_sections", []).append(me_section)


from app.circulation import routes  # noqa: E402,F401
