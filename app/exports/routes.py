"""Coordinators download exports and backups."""

from io import BytesIO

from flask import abort, render_template, send_file
from flask_login import current_user

from app.core import audit
from app.core.access import access
from app.core.forms import submitted
from app.exports import backup, bp, services
from app.extensions import db
from app.imports.forms import ImportForm
from app.models import Role, utcnow


@bp.route("")
@access(Role.COORDINATOR)
def index():
    """The export and backup page."""
    return render_template("exports/index.html", formats=services.FORMATS, form=ImportForm())


@bp.route("/<what>.<fmt>")
@access(Role.COORDINATOR)
def download(what: str, fmt: str):
    """Download the catalogue, members or loans in a format."""
    if fmt not in services.FORMATS.get(what, ()):
        abort(404)
    now = utcnow()
    data = services.download(what, fmt, by=current_user, now=now)
    db.session.commit()
    return send_file(BytesIO(data), mimetype=services.MIMETYPES[fmt], as_attachment=True,
                     download_name=services.export_filename(what, fmt, now), max_age=0)


@bp.route("/backup", methods=["POST"])
@access(Role.COORDINATOR)
def download_backup():
    """Make a backup of the database and download it."""
    submitted(ImportForm())
    now = utcnow()
    handle = backup.open_backup()
    audit.record("backup.download", actor=current_user, now=now)
    db.session.commit()
    return send_file(handle, mimetype="application/octet-stream", as_attachment=True,
                     download_name=f"bookcafe-{now:%Y%m%d-%H%M}{backup.backup_suffix()}",
                     max_age=0)
