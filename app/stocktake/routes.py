"""Stocktake and weeding pages: thin views over app.stocktake's services."""

from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.core.access import access
from app.core.csvutil import csv_response
from app.core.forms import submitted
from app.core.idempotency import idempotent
from app.errors import InvalidInput
from app.extensions import db
from app.models import Copy, Disposition, Role, Site, WithdrawalReason, utcnow
from app.stocktake import bp, report, scanning, sessions, weeding
from app.stocktake.forms import (
    CandidatesForm,
    CapForm,
    ConfirmForm,
    DispositionForm,
    LeastBorrowedForm,
    MissingForm,
    ReinstateForm,
    ScanForm,
    StartForm,
    WithdrawForm,
)
from app.stocktake.pdf import ReportDocument, report_pdf

# The missing copies a report page lists (the CSV and the PDF list them all).
MISSING_SHOWN = 1000


@bp.context_processor
def _helpers() -> dict:
    return {"describe_scope": report.describe_scope}


def _is_fetch() -> bool:
    return request.headers.get("X-Stocktake-Fetch") == "1"


def _invalid(form) -> InvalidInput:
    errors = [str(e) for field in form for e in field.errors]
    return InvalidInput(errors[0] if errors else None)


def _back() -> str:
    """Return the page the form was sent from (on this site), else the stocktakes."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return urlunsplit(("", "", referrer.path, referrer.query, ""))
    return url_for("stocktake.index")


def _sites() -> list[Site]:
    return list(db.session.scalars(sa.select(Site).order_by(Site.is_default.desc(), Site.name)))


def _start_form() -> StartForm:
    form = StartForm()
    form.site.choices = [SelectChoice("", _("All sites"))] + [
        SelectChoice(str(s.id), s.name) for s in _sites()]
    return form


def _local(when) -> str:
    return format_datetime(when, "yyyy-MM-dd HH:mm") if when else ""


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------


@bp.route("/stocktake")
@access(Role.VOLUNTEER)
def index():
    """The stocktakes (open ones first) and the form that starts one."""
    return render_template("stocktake/index.html", form=_start_form(),
                           stocktakes=sessions.recent_stocktakes())


@bp.route("/stocktake", methods=["POST"])
@access(Role.VOLUNTEER)
def start():
    """Start a stocktake of a scope; its expected list is frozen now."""
    form = _start_form()
    if not form.validate_on_submit():
        raise _invalid(form)
    scope = sessions.make_scope(site_id=int(form.site.data) if form.site.data else None,
                                shelf=form.shelf.data, call_from=form.call_from.data,
                                call_to=form.call_to.data)
    stocktake = sessions.start_stocktake(scope, in_order=form.in_order.data,
                                         note=form.note.data, by=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("stocktake.show", stocktake_id=stocktake.id), code=303)


def _scan_page(stocktake, answer: dict | None = None, counts: dict | None = None):
    return render_template(
        "stocktake/scan.html", stocktake=stocktake, form=ScanForm(), answer=answer,
        counts=counts or stocktake.totals, confirm_form=ConfirmForm(),
        scans=scanning.recent_scans(stocktake.id, current_user.id))


def _panel(stocktake_id: int, counts: dict, **shown):
    """The scan station's changing part, for the page's script (which keeps the list of
    the volunteer's last scans itself)."""
    return render_template("stocktake/_panel.html", stocktake_id=stocktake_id, counts=counts,
                           **shown)


@bp.route("/stocktake/<int(max=2147483647):stocktake_id>")
@access(Role.VOLUNTEER)
def show(stocktake_id: int):
    """An open stocktake's scan station, or a closed one's report."""
    stocktake = sessions.get_stocktake(stocktake_id)
    if stocktake.is_open:
        return _scan_page(stocktake)
    return render_template("stocktake/report.html", stocktake=stocktake,
                           report=report.stocktake_report(stocktake, limit=MISSING_SHOWN),
                           missing_form=MissingForm(), status_name=report.status_name)


@bp.route("/stocktake/<int(max=2147483647):stocktake_id>/scan", methods=["POST"])
@access(Role.VOLUNTEER)
@idempotent
def scan(stocktake_id: int):
    """Take one scan: the result panel for the page's script, or the whole page."""
    stocktake = sessions.get_stocktake(stocktake_id)
    form = ScanForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    answer = scanning.scan(stocktake, form.code.data, by=current_user, now=utcnow(),
                           lane=form.lane.data or "")
    shown = answer.view()  # before the commit, which expires what it would read
    db.session.commit()
    if _is_fetch():
        return _panel(stocktake_id, answer.counts, answer=shown)
    return _scan_page(stocktake, shown, answer.counts)


@bp.route("/stocktake/reinstate", methods=["POST"])
@access(Role.VOLUNTEER)
def reinstate():
    """Put a withdrawn copy found on a shelf back into the collection."""
    form = ReinstateForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    copy = db.get_or_404(Copy, form.copy_id.data)
    hold = weeding.reinstate(copy, by=current_user, now=utcnow())
    notice = {"title": copy.book.title, "barcode": copy.barcode, "hold": hold is not None}
    db.session.commit()
    stocktake_id = form.stocktake_id.data
    if _is_fetch() and stocktake_id and stocktake_id.isdigit():
        stocktake = sessions.get_stocktake(int(stocktake_id))
        return _panel(stocktake.id, stocktake.totals, notice=notice)
    flash(_("%(title)s is back in the collection.", title=notice["title"]), "success")
    return redirect(_back(), code=303)


@bp.route("/stocktake/<int(max=2147483647):stocktake_id>/close", methods=["POST"])
@access(Role.COORDINATOR)
def close(stocktake_id: int):
    """Close a stocktake: its missing list is fixed."""
    stocktake = sessions.get_stocktake(stocktake_id)
    submitted(ConfirmForm())
    sessions.close_stocktake(stocktake, by=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("stocktake.show", stocktake_id=stocktake.id), code=303)


@bp.route("/stocktake/<int(max=2147483647):stocktake_id>/missing", methods=["POST"])
@access(Role.COORDINATOR)
def mark_missing(stocktake_id: int):
    """Mark copies of the missing list missing (or lost, when missing already)."""
    stocktake = sessions.get_stocktake(stocktake_id)
    form = MissingForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    chosen = None if form.every.data else form.copy_ids.data
    done = sessions.mark_missing(stocktake, chosen, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("Marked missing: %(missing)d. Marked lost: %(lost)d.", **done), "success")
    return redirect(url_for("stocktake.show", stocktake_id=stocktake.id), code=303)


def _report_words(stocktake, rep) -> ReportDocument:
    when = _local
    columns = [_("Call number"), _("Barcode"), _("Title"), _("State"), _("Last loan"),
               _("Last seen")]
    groups = [(g.label, [[i.call_number or "", i.copy.barcode, i.copy.book.title,
                          report.status_name(i.copy.status), when(i.last_loan),
                          when(i.last_seen)] for i in g.copies]) for g in rep.groups]
    lines = [report.describe_scope(stocktake),
             _("Started %(when)s", when=when(stocktake.started_at)),
             _("Closed %(when)s", when=when(stocktake.closed_at)) if stocktake.closed_at
             else _("Still open")]
    return ReportDocument(
        title=_("Stocktake no. %(id)d", id=stocktake.id), lines=lines, figures=rep.figures(),
        heading=_("Missing copies"), columns=columns, groups=groups,
        empty=_("Nothing is missing.") if stocktake.closed_at
        else _("The missing list is made when the stocktake is closed."),
        footer=_("Stocktake no. %(id)d", id=stocktake.id))


@bp.route("/stocktake/<int(max=2147483647):stocktake_id>/report.csv")
@access(Role.VOLUNTEER)
def report_csv(stocktake_id: int):
    """The report as CSV: the counts, then the missing list."""
    stocktake = sessions.get_stocktake(stocktake_id)
    header, rows = report.csv_rows(report.stocktake_report(stocktake), _local)
    return csv_response(f"stocktake-{stocktake.id}.csv", header, rows)


@bp.route("/stocktake/<int(max=2147483647):stocktake_id>/report.pdf")
@access(Role.VOLUNTEER)
def report_file(stocktake_id: int):
    """The report as an A4 PDF."""
    stocktake = sessions.get_stocktake(stocktake_id)
    body = report_pdf(_report_words(stocktake, report.stocktake_report(stocktake)))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="stocktake-{stocktake.id}.pdf"',
        "Cache-Control": "no-store"})


# ---------------------------------------------------------------------------
# Weeding
# ---------------------------------------------------------------------------


def _candidate_query(form: CandidatesForm) -> weeding.CandidateQuery:
    if not form.validate():
        return weeding.CandidateQuery()
    return weeding.CandidateQuery(unborrowed_years=form.years.data, damaged=form.damaged.data,
                                  copies_over=form.copies_over.data,
                                  kdc_class=form.kdc_class.data or None)


@bp.route("/weeding")
@access(Role.COORDINATOR)
def weeding_page():
    """Weeding candidates, this year's withdrawals against the cap, and the withdraw form."""
    now = utcnow()
    form = CandidatesForm(request.args)
    query = _candidate_query(form) if request.args else weeding.CandidateQuery()
    return render_template(
        "stocktake/weeding.html", form=form, query=query, figure=weeding.year_figure(now=now),
        candidates=weeding.weeding_candidates(query, now=now), withdraw_form=WithdrawForm(),
        cap_form=CapForm(percent=weeding.cap_percent()))


@bp.route("/weeding/withdraw", methods=["POST"])
@access(Role.COORDINATOR)
def withdraw():
    """Withdraw the chosen copies (제적) with a reason and what becomes of them."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    now = utcnow()
    made = weeding.withdraw(weeding.copies_by_id(form.copy_ids.data),
                            reason=WithdrawalReason(form.reason.data),
                            disposition=Disposition(form.disposition.data),
                            passed_to=form.passed_to.data, note=form.note.data,
                            by=current_user, now=now)
    db.session.commit()
    flash(_("Withdrawn: %(count)d.", count=len(made)), "success")
    figure = weeding.year_figure(now=now)
    if figure.over:
        cap = format(figure.cap_percent, "g")
        flash(_("This year's withdrawals (%(count)d) are past the yearly cap of %(cap)s%% "
                "(%(allowed)d copies): a committee's review is needed.",
                count=figure.withdrawn, cap=cap, allowed=figure.allowed), "warning")
    return redirect(url_for("stocktake.withdrawals"), code=303)


@bp.route("/weeding/cap", methods=["POST"])
@access(Role.COORDINATOR)
def set_cap():
    """Change the yearly cap."""
    form = CapForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    weeding.set_cap_percent(form.percent.data, by=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("stocktake.weeding_page"), code=303)


@bp.route("/weeding/withdrawals")
@access(Role.COORDINATOR)
def withdrawals():
    """This year's withdrawals, and older ones whose fate is not recorded yet."""
    now = utcnow()
    return render_template("stocktake/withdrawals.html", figure=weeding.year_figure(now=now),
                           withdrawals=weeding.withdrawals_of_year(now=now),
                           form=DispositionForm(), reinstate_form=ReinstateForm())


@bp.route("/weeding/withdrawals/<int(max=2147483647):withdrawal_id>", methods=["POST"])
@access(Role.COORDINATOR)
def dispose(withdrawal_id: int):
    """Record what became of a withdrawn copy (폐기, or passed on)."""
    withdrawal = weeding.get_withdrawal(withdrawal_id)
    form = DispositionForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    weeding.record_disposition(withdrawal, Disposition(form.disposition.data),
                               passed_to=form.passed_to.data, by=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("stocktake.withdrawals"), code=303)


def _least_borrowed(form: LeastBorrowedForm, limit: int):
    years = form.years.data if form.validate() and form.years.data else 3
    kdc_class = form.kdc_class.data or None
    return years, weeding.least_borrowed(years=years, kdc_class=kdc_class, now=utcnow(),
                                         limit=limit)


@bp.route("/weeding/least-borrowed")
@access(Role.COORDINATOR)
def least_borrowed():
    """The titles borrowed least in the last years."""
    form = LeastBorrowedForm(request.args)
    years, rows = _least_borrowed(form, 200)
    return render_template("stocktake/least_borrowed.html", form=form, years=years, rows=rows)


@bp.route("/weeding/least-borrowed.csv")
@access(Role.COORDINATOR)
def least_borrowed_csv():
    """The least-borrowed titles as CSV."""
    years, rows = _least_borrowed(LeastBorrowedForm(request.args), 5000)
    return csv_response(
        f"least-borrowed-{years}y.csv",
        [_("Title"), _("Authors"), _("Class"), _("Copies"), _("Loans"), _("Last loan")],
        [(r.title, r.authors, r.kdc_class, r.copies, r.loans, _local(r.last_loan))
         for r in rows])
