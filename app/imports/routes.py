"""Coordinators import a collection: upload, preview with the mapping, dry run, import."""

from contextlib import suppress
from io import BytesIO
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.access import access
from app.core.refusals import shown_inline
from app.extensions import db
from app.imports import bp, reading, services, uploads
from app.imports.forms import ImportForm, UploadForm
from app.imports.report import report_csv
from app.imports.rows import FIELDS, guess_mapping
from app.models import Role, utcnow

# The page lists this many rows (a 10,000-row file would make a page of megabytes that
# takes seconds to draw); the report (CSV) has every row, and the counts link to each verdict.
ROWS_SHOWN = 500


def _upload_root() -> Path:
    root = current_app.config.get("IMPORT_UPLOAD_DIR")
    return Path(root) if root else Path(current_app.instance_path) / "imports"


def _prepare(upload: uploads.Upload):
    source = reading.load_source(upload.path)
    mapping = upload.mapping
    if source.kind != "marc" and mapping is None:
        mapping = guess_mapping(source.headers)
    return source, mapping


def _flash(error) -> None:
    flash(str(error), "error")


def _preview_page(form, upload: uploads.Upload, source, mapping, plan, **extra):
    """Render the preview (or the result) of an import: counts, mapping and the rows."""
    shown_verdict = None
    if extra.get("result") is None:
        with suppress(ValueError):
            shown_verdict = services.Verdict(request.args.get("show", ""))
    rows, matching = plan.shown(shown_verdict, ROWS_SHOWN)
    # Each label is translated once here, not once per row.
    labels = {verdict: str(label) for verdict, label in services.VERDICT_LABELS.items()}
    ignored = [header or _("column %(n)d", n=index + 1)
               for index, header in enumerate(source.headers)
               if index not in (mapping or {}).values()]
    return render_template("imports/preview.html", form=form, upload=upload, source=source,
                           mapping=mapping or {}, ignored=ignored, fields=FIELDS, plan=plan,
                           rows=rows, matching=matching, shown_verdict=shown_verdict,
                           verdict_labels=labels, **extra)


def _run(upload: uploads.Upload, *, dry_run: bool):
    """Import the file (or only try, for a dry run) and show what was done, row by row."""
    source, mapping = _prepare(upload)
    result = services.run_import(reading.check_rows(source, mapping), source_kind=source.kind,
                                 by=current_user, now=utcnow(), filename=upload.filename)
    if dry_run:
        db.session.rollback()
        flash(_("Dry run: %(books)d books and %(copies)d copies would be added. "
                "Nothing was changed.", books=result.books_added,
                copies=result.copies_added), "warning")
    else:
        db.session.commit()
        flash(_("Imported %(books)d books and %(copies)d copies.", books=result.books_added,
                copies=result.copies_added), "success")
    upload.report_path.write_bytes(report_csv(result.plan))
    return _preview_page(ImportForm(), upload, source, mapping, result.plan, result=result,
                         dry_run=dry_run, counts=result.plan.counts())


@bp.route("", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def index():
    """Upload a file to import."""
    form, status = UploadForm(), 200
    if form.validate_on_submit():
        with shown_inline(form.file.errors) as refusal:
            upload = uploads.store_upload(_upload_root(), form.file.data.stream,
                                          form.file.data.filename, by=current_user)
            return redirect(url_for("imports.preview", token=upload.token))
        status = refusal.status
    elif form.is_submitted():
        status = 400
    return render_template("imports/index.html", form=form), status


@bp.route("/<token>", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def preview(token: str):
    """Show every row's verdict; change the mapping; run a dry run or the import."""
    upload = uploads.open_upload(_upload_root(), token)
    form = ImportForm()
    if form.validate_on_submit():
        uploads.remap(upload, request.form)
        action = request.form.get("action", "preview")
        if action in ("dry_run", "import"):
            return _run(upload, dry_run=action == "dry_run")
        return redirect(url_for("imports.preview", token=upload.token))
    source, mapping = _prepare(upload)
    rows = []
    with shown_inline(_flash):  # no title column: the page says so, and lists no rows
        rows = reading.check_rows(source, mapping)
    plan = services.plan_import(rows, source_kind=source.kind)
    db.session.rollback()
    return _preview_page(form, upload, source, mapping, plan, result=None)


@bp.route("/<token>/report.csv")
@access(Role.COORDINATOR)
def report(token: str):
    """Download the report of the last run (or of the preview) as CSV."""
    upload = uploads.open_upload(_upload_root(), token)
    if upload.report_path.exists():
        data = upload.report_path.read_bytes()
    else:
        source, mapping = _prepare(upload)
        plan = services.plan_import(reading.check_rows(source, mapping),
                                    source_kind=source.kind)
        db.session.rollback()
        data = report_csv(plan)
    return send_file(BytesIO(data), mimetype="text/csv", as_attachment=True, max_age=0,
                     download_name=f"import-report-{Path(upload.filename).stem or 'file'}.csv")
