"""Volunteer hours (/shifts): my shifts, start/end my shift, log one; a coordinator approves
and exports a month per volunteer (CSV, PDF) for the funder."""

from datetime import datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.access import access
from app.core.csvutil import csv_response
from app.core.params import int_arg
from app.core.refusals import shown_inline
from app.core.timebuckets import LOCAL_TZ, local_today
from app.errors import InvalidInput
from app.extensions import db
from app.models import Role, ShiftActivity, utcnow
from app.volunteers import bp, shifts
from app.volunteers.forms import ApproveForm, EndShiftForm, LogShiftForm, StartShiftForm
from app.volunteers.pdf import month_pdf

CSV_HEADERS = (_l("Volunteer"), _l("Date"), _l("Start time"), _l("End time"), _l("Minutes"),
               _l("Activity"), _l("Note"))


def _back():
    """Back to the page the button was on: the scan station, the desk, or my shifts."""
    back = {"intake": "intake.station", "desk": "circulation.desk"}.get(request.form.get("back"))
    return redirect(url_for(back or "volunteers.mine"))


@bp.app_template_global()
def my_open_shift():
    """The signed-in volunteer's shift under way (for the start/end button on other pages)."""
    return shifts.open_shift(current_user) if current_user.is_authenticated else None


def _page(log_form: LogShiftForm | None = None, status: int = 200):
    return render_template(
        "volunteers/shifts.html", shifts=shifts.my_shifts(current_user),
        open_shift=shifts.open_shift(current_user), start_form=StartShiftForm(formdata=None),
        end_form=EndShiftForm(), log_form=log_form or LogShiftForm(formdata=None),
        labels=shifts.ACTIVITY_LABELS, tz=LOCAL_TZ,
    ), status


@bp.route("/shifts")
@access(Role.VOLUNTEER)
def mine():
    """My shifts, and the forms to start, end or log one."""
    return _page()


@bp.route("/shifts/start", methods=["POST"])
@access(Role.VOLUNTEER)
def start():
    """Start my shift now."""
    form = StartShiftForm()
    if form.validate_on_submit():
        shifts.start_shift(current_user, ShiftActivity(form.activity.data), now=utcnow())
        db.session.commit()
        flash(_("Your shift has started."), "success")
    return _back()


@bp.route("/shifts/end", methods=["POST"])
@access(Role.VOLUNTEER)
def end():
    """End my shift now."""
    if EndShiftForm().validate_on_submit():
        shifts.end_shift(current_user, now=utcnow())
        db.session.commit()
        flash(_("Your shift has ended. Thank you!"), "success")
    return _back()


@bp.route("/shifts/log", methods=["POST"])
@access(Role.VOLUNTEER)
def log():
    """Log a shift afterwards."""
    form = LogShiftForm()
    if form.validate_on_submit():
        with shown_inline(form.note.errors):
            start = datetime.combine(form.day.data, form.start.data, tzinfo=LOCAL_TZ)
            end = datetime.combine(form.day.data, form.end.data, tzinfo=LOCAL_TZ)
            shifts.log_shift(current_user, start=start, end=end,
                             activity=ShiftActivity(form.activity.data),
                             note=form.note.data, now=utcnow())
            db.session.commit()
            flash(_("The shift is logged."), "success")
            return redirect(url_for("volunteers.mine"))
    return _page(form, 400)


@bp.route("/shifts/review")
@access(Role.COORDINATOR)
def review():
    """The finished shifts waiting for approval."""
    today = local_today(utcnow())
    return render_template("volunteers/review.html", shifts=shifts.unapproved(),
                           approve_form=ApproveForm(), labels=shifts.ACTIVITY_LABELS,
                           tz=LOCAL_TZ, year=today.year, month=today.month)


@bp.route("/shifts/approve", methods=["POST"])
@access(Role.COORDINATOR)
def approve():
    """Approve one shift."""
    form = ApproveForm()
    if form.validate_on_submit():
        shifts.approve(form.shift_id.data, by=current_user, now=utcnow())
        db.session.commit()
    return redirect(url_for("volunteers.review"))


def _month() -> tuple[int, int, int | None]:
    today = local_today(utcnow())
    year = int_arg("year", today.year, low=2000, high=2100)
    month = int_arg("month", today.month, low=1, high=12)
    member_id = int_arg("member_id")
    if year is None or month is None:
        raise InvalidInput()
    return year, month, member_id


@bp.route("/shifts/month.csv")
@access(Role.COORDINATOR)
def month_csv():
    """A month's approved shifts (of one volunteer, or all) as CSV."""
    year, month, member_id = _month()
    rows = [(r.volunteer, r.day.isoformat(), r.start, r.end, r.minutes, r.activity, r.note)
            for r in shifts.month_rows(year, month, member_id)]
    return csv_response(f"shifts-{year}-{month:02d}.csv", [str(h) for h in CSV_HEADERS], rows)


@bp.route("/shifts/month.pdf")
@access(Role.COORDINATOR)
def month_pdf_view():
    """A month's approved shifts (of one volunteer, or all) as a PDF to sign."""
    year, month, member_id = _month()
    data = month_pdf(year, month, shifts.month_rows(year, month, member_id))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="shifts-{year}-{month:02d}.pdf"'})
