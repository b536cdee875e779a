"""The reports page (charts and tables for a date range) and each report's CSV."""

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from app.admin.accesslog import log_access
from app.core.access import access
from app.core.csvutil import csv_response
from app.core.timebuckets import local_today
from app.extensions import db
from app.models import Role, utcnow
from app.reports import bp
from app.reports.forms import RangeForm
from app.reports.tables import REPORT_KEYS, build, default_range


def _range() -> tuple[RangeForm, date, date, date, bool]:
    """Return the range form, the chosen (or default) range, today, and whether it was valid."""
    today = local_today(utcnow())
    start, end = default_range(today)
    if "start" not in request.args and "end" not in request.args:
        return RangeForm(formdata=None, data={"start": start, "end": end}), start, end, today, True
    form = RangeForm(formdata=request.args)
    if form.validate():
        return form, form.start.data, form.end.data, today, True
    return form, start, end, today, False


@bp.route("")
@access(Role.COORDINATOR)
def index():
    """Every report for the chosen date range, each as a chart and a table."""
    form, start, end, today, valid = _range()
    shared: dict = {}
    reports = [build(key, start, end, today, shared) for key in REPORT_KEYS]
    log_access("overdue_list", actor=current_user, page="reports")  # the overdue report names
    db.session.commit()
    return render_template("reports/index.html", form=form, reports=reports, start=start,
                           end=end, today=today), 200 if valid else 400


@bp.route("/<key>.csv")
@access(Role.COORDINATOR)
def export(key: str):
    """Download one report for the chosen date range as CSV."""
    if key not in REPORT_KEYS:
        abort(404)
    _form, start, end, today, valid = _range()
    if not valid:
        abort(400)
    report = build(key, start, end, today)
    if key == "overdue":  # names of members: an export of member data
        log_access("overdue_report", actor=current_user)
        db.session.commit()
    return csv_response(f"{key}-{start.isoformat()}-{end.isoformat()}.csv", report.headers,
                        report.rows)
