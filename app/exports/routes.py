"""Coordinators download exports and backups."""

import os
import tempfile
from io import BytesIO
from pathlib import Path

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.accesslog import log_access
from app.core import audit
from app.core.access import access
from app.errors import DomainError
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
    data = services.export_bytes(what, fmt, now=now)
    if what in ("members", "loans"):  # personal data: the access log (kept a year)
        log_access(f"export_{what}", actor=current_user, now=now, format=fmt)
    else:
        audit.record(f"export.{what}", actor=current_user, now=now, format=fmt)
    db.session.commit()
    return send_file(BytesIO(data), mimetype=services.MIMETYPES[fmt], as_attachment=True,
                     download_name=services.export_filename(what, fmt, now), max_age=0)


@bp.route("/backup", methods=["POST"])
@access(Role.COORDINATOR)
def download_backup():
    """Make a backup of the database and download it."""
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("exports.index"))
    now = utcnow()
    fd, name = tempfile.mkstemp(prefix="bookcafe-backup-", suffix=backup.backup_suffix())
    os.close(fd)
    path = Path(name)
    try:
        backup.backup_database(path)
        handle = open(path, "rb")  # noqa: SIM115 - send_file closes it
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("exports.index"))
    finally:
        path.unlink(missing_ok=True)  # the open handle keeps the data until sent
    audit.record("backup.download", actor=current_user, now=now)
    db.session.commit()
    return send_file(handle, mimetype="application/octet-stream", as_attachment=True,
                     download_name=f"bookcafe-{now:%Y%m%d-%H%M}{backup.backup_suffix()}",
                     max_age=0)
