"""Donation campaigns: goals, totals, donors' own page section and acknowledgements."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__)

from app.campaigns import routes  # noqa: E402


@bp.record_once
def _register_me_section(state) -> None:
    """Add 'My donations' to the member's own page (/me)."""
    state.app.extensions.setdefault("me_sections", []).append(routes.my_donations_section)
