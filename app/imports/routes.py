"""Coordinators import a collection: upload, preview with the mapping, dry run, import."""

from contextlib import suppress
from io import BytesIO
from pathlib import Path

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core.access import access
from app.errors import DomainError
from app.extensions import db
from app.imports import bp, services
from app.imports.forms import ImportForm, UploadForm
from app.imports.rows import FIELDS
from app.models import Role, utcnow


def _upload_root() -> Path:
    root = current_app.config.get("IMPORT_UPLOAD_DIR")
    return Path(root) if root else Path(current_app.instance_path) / "imports"


@bp.route("", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def index():
    """Upload a file to import."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = services.store_upload(_upload_root(), form.file.data.stream,
                                       form.file.data.filename, by=current_user)
        try:
            services.file_kind(upload.path)
        except DomainError as error:
            services.discard_upload(upload)
            form.file.errors.append(str(error))
            return render_template("imports/index.html", form=form), error.status
        return redirect(url_for("imports.preview", token=upload.token))
    status = 400 if form.is_submitted() else 200
    return render_template("imports/index.html", form=form), status


def _prepare(upload: services.Upload):
    source = services.load_source(upload.path)
    mapping = upload.mapping
    if source.kind != "marc" and mapping is None:
        mapping = services.guess_mapping(source.headers)
    return source, mapping


@bp.route("/<token>", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def preview(token: str):
    """Show every row's verdict; change the mapping; run a dry run or the import."""
    upload = services.open_upload(_upload_root(), token)
    form = ImportForm()
    if form.validate_on_submit():
        source = services.load_source(upload.path)
        if source.kind != "marc" and any(k.startswith("map_") for k in request.form):
            upload.mapping = services.parse_mapping(source.headers, request.form)
            upload.save()
        upload.report_path.unlink(missing_ok=True)
        action = request.form.get("action", "preview")
        if action in ("dry_run", "import"):
            return _run(upload, dry_run=action == "dry_run")
        return redirect(url_for("imports.preview", token=upload.token))
    source, mapping = _prepare(upload)
    try:
        rows = services.check_rows(source, mapping)
    except DomainError as error:
        flash(str(error), "error")
        rows = []
    plan = services.plan_import(rows, source_kind=source.kind)
    db.session.rollback()
    return _preview_page(form, upload, source, mapping, plan, result=None)


# The page lists this many rows (a 10,000-row file would make a page of megabytes that
# takes seconds to draw); the report (CSV) has every row, and the counts link to each verdict.
ROWS_SHOWN = 500


def _preview_page(form, upload: services.Upload, source, mapping, plan, **extra):
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
                           rows=rows,
                           matching=matching, shown_verdict=shown_verdict,
                           verdict_labels=labels, **extra)


def _run(upload: services.Upload, *, dry_run: bool):
    source, mapping = _prepare(upload)
    try:
        rows = services.check_rows(source, mapping)
        result = services.run_import(rows, source_kind=source.kind, by=current_user,
                                     now=utcnow(), filename=upload.filename)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("imports.preview", token=upload.token))
    except IntegrityError:
        # Someone added the same ISBN or barcode meanwhile: nothing was written.
        db.session.rollback()
        flash(_("The catalogue changed while importing; nothing was imported. "
                "Please look at the preview again."), "error")
        return redirect(url_for("imports.preview", token=upload.token))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    upload.report_path.write_bytes(services.report_csv(result.plan))
    counts = result.plan.counts()
    if dry_run:
        flash(_("Dry run: %(books)d books and %(copies)d copies would be added. "
                "Nothing was changed.", books=result.books_added,
                copies=result.copies_added), "warning")
    else:
        flash(_("Imported %(books)d books and %(copies)d copies.", books=result.books_added,
                copies=result.copies_added), "success")
    return _preview_page(ImportForm(), upload, source, mapping, result.plan, result=result,
                         dry_run=dry_run, counts=counts)


@bp.route("/<token>/report.csv")
@access(Role.COORDINATOR)
def report(token: str):
    """Download the report of the last run (or of the preview) as CSV."""
    upload = services.open_upload(_upload_root(), token)
    name = f"import-report-{Path(upload.filename).stem or 'file'}.csv"
    if upload.report_path.exists():
        data = upload.report_path.read_bytes()
    else:
        source, mapping = _prepare(upload)
        plan = services.plan_import(services.check_rows(source, mapping),
                                    source_kind=source.kind)
        db.session.rollback()
        data = services.report_csv(plan)
    return send_file(BytesIO(data), mimetype="text/csv", as_attachment=True,
                     download_name=name, max_age=0)
