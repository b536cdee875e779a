"""Labels: the print queue, sheet templates and member cards (PDF rendering in pdf.py)."""

from flask import Blueprint

from app.core.defaults import sheet_name

bp = Blueprint("labels", __name__)
# A sheet's name as pages show it (`{{ t.name | sheet_name }}`): a built-in sheet's in the
# page's language, a coordinator's as typed.
bp.add_app_template_filter(sheet_name, "sheet_name")

from app.labels import routes  # noqa: E402,F401
