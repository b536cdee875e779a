"""The scan station (/intake): start a donation, scan books in, fix records afterwards.

Every action is a plain form POST answered with a redirect to the station (so the page
works without JavaScript); static/js/intake.js sends the same forms with fetch() and
swaps in the new station body, keeping the focus in the scan field. The station's state
machine is app.intake.station; its state is kept in the session here.
"""

from collections.abc import Callable

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.campaigns.services import default_campaign
from app.catalog import callnumbers
from app.core.access import access
from app.core.idempotency import idempotent
from app.core.params import page_arg
from app.core.refusals import shown_inline
from app.extensions import db
from app.intake import bp
from app.intake.books import edit_book, incomplete_books_query
from app.intake.forms import (
    ActionForm,
    CampaignForm,
    EditBookForm,
    ManualBookForm,
    ScanForm,
    StartForm,
    TriageForm,
)
from app.intake.station import KEYS, Station, book_view, find_donor
from app.intake.triage_station import TRIAGE_KEYS
from app.models import Book, Role, utcnow

STATE = "intake"  # the session key of the station's state


def _station() -> Station | None:
    return Station.restore(session.get(STATE))


def _open_station() -> Station | None:
    """Return the donation being received; without one, say to start one."""
    station = _station()
    if station is None:
        flash(_("Start a donation first."), "error")
    return station


def _keep(station: Station) -> None:
    session[STATE] = station.state


def _to_station():
    return redirect(url_for("intake.station"))


def _step(station: Station, action: Callable[[Station], object]):
    """Do one station action: committed, or refused and noted as the station's result."""
    with shown_inline(station.refused):
        action(station)
        db.session.commit()
    _keep(station)
    return _to_station()


def _act(action: Callable[[Station], object]):
    """Do a one-button action (another copy, undo, no ISBN) on the donation being received."""
    station = _open_station()
    if station is None or not ActionForm().validate_on_submit():
        return _to_station()
    return _step(station, action)


def _render_start(form: StartForm, matches=(), status: int = 200):
    return render_template("intake/start.html", form=form, matches=matches), status


def _render_station(station: Station, manual_form: ManualBookForm | None = None,
                    status: int = 200):
    campaign = station.context.campaign
    campaign_form = CampaignForm(formdata=None, campaign_id=str(campaign.id) if campaign else "")
    if station.pending is not None and manual_form is None:
        manual_form = ManualBookForm(formdata=None)
    return render_template(
        "intake/station.html", **station.view(), manual_form=manual_form,
        scan_form=ScanForm(formdata=None), action_form=ActionForm(), campaign_form=campaign_form,
        keys=KEYS, triage_keys=TRIAGE_KEYS, triage_form=TriageForm(formdata=None),
    ), status


# ---------------------------------------------------------------------------
# Starting and finishing a donation
# ---------------------------------------------------------------------------


@bp.route("")
@access(Role.VOLUNTEER)
def station():
    """The scan station: the start form, or the donation being received."""
    station = _station()
    if station is not None:
        return _render_station(station)
    default = default_campaign()
    return _render_start(StartForm(formdata=None, campaign_id=str(default.id) if default else ""))


@bp.route("/start", methods=["POST"])
@access(Role.VOLUNTEER)
def start():
    """Start a donation: a donor's card, a donor found by name or phone, or anonymous."""
    form = StartForm()
    if form.validate_on_submit():
        with shown_inline(form.donor.errors):
            donor = find_donor(anonymous=bool(form.anonymous.data), donor_id=form.donor_id.data,
                               text=form.donor.data)
            if isinstance(donor, list):  # several members match: the volunteer picks one
                return _render_start(form, matches=donor)
            _keep(Station.begin(donor=donor, campaign_id=form.campaign_number(),
                                by=current_user, now=utcnow()))
            return _to_station()
    return _render_start(form, status=400)


@bp.route("/campaign", methods=["POST"])
@access(Role.VOLUNTEER)
def change_campaign():
    """Count the donation being received towards another campaign."""
    station, form = _open_station(), CampaignForm()
    if station is None or not form.validate_on_submit():
        return _to_station()
    station.change_campaign(form.campaign_number(), by=current_user, now=utcnow())
    db.session.commit()
    _keep(station)
    flash(_("The campaign is changed."), "success")
    return _to_station()


@bp.route("/finish", methods=["POST"])
@access(Role.VOLUNTEER)
def finish():
    """Finish the donation being received (the copies stay, of course)."""
    if not ActionForm().validate_on_submit():
        return _to_station()
    station = _station()
    if station is not None and (copies := station.received()):
        flash(ngettext("Donation finished: %(num)d book received. Thank you!",
                       "Donation finished: %(num)d books received. Thank you!", copies),
              "success")
    session.pop(STATE, None)
    return _to_station()


# ---------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------


@bp.route("/scan", methods=["POST"])
@access(Role.VOLUNTEER)
@idempotent
def scan():
    """One scan: a book's ISBN (a new copy), or one of the one-key commands."""
    station, form = _open_station(), ScanForm()
    if station is None or not form.validate_on_submit():
        return _to_station()
    return _step(station, lambda s: s.scan(form.scan.data, by=current_user, now=utcnow()))


@bp.route("/triage", methods=["POST"])
@access(Role.VOLUNTEER)
def settle():
    """Record what becomes of the item held back (kept anyway, passed on, declined)."""
    station, form = _open_station(), TriageForm()
    if station is None or not form.validate_on_submit() or form.outcome() is None:
        return _to_station()
    return _step(station, lambda s: s.settle(form.outcome(), reason=form.reason.data,
                                             partner_id=form.partner_id.data,
                                             by=current_user, now=utcnow()))


@bp.route("/again", methods=["POST"])
@access(Role.VOLUNTEER)
def again():
    """Add another copy of the last scanned book, on purpose."""
    return _act(lambda station: station.again(by=current_user, now=utcnow()))


@bp.route("/undo", methods=["POST"])
@access(Role.VOLUNTEER)
def undo():
    """Undo the last scan of this donation."""
    return _act(lambda station: station.undo(by=current_user, now=utcnow()))


@bp.route("/no-isbn", methods=["POST"])
@access(Role.VOLUNTEER)
def no_isbn():
    """Open the short form for a book without an ISBN."""
    return _act(Station.no_isbn)


@bp.route("/manual", methods=["POST"])
@access(Role.VOLUNTEER)
def manual():
    """Save the book typed into the short form (or with its ISBN only), with its copy."""
    station, form = _open_station(), ManualBookForm()
    if station is None or station.pending is None:
        return _to_station()
    if form.cancel.data and form.validate_on_submit():
        return _step(station, Station.cancel_manual)
    if form.validate_on_submit():
        with shown_inline(form.title.errors):
            next_scan = station.save_manual(form.fields(), later=bool(form.later.data),
                                            by=current_user, now=utcnow())
            db.session.commit()
            _keep(station)
            if next_scan is None:
                return _to_station()
            return _step(station, lambda s: s.scan(next_scan, by=current_user, now=utcnow()))
    return _render_station(station, manual_form=form, status=400)


# ---------------------------------------------------------------------------
# Incomplete records and editing
# ---------------------------------------------------------------------------


@bp.route("/incomplete")
@access(Role.VOLUNTEER)
def incomplete():
    """The books saved with their ISBN only, waiting for someone to complete them."""
    page = db.paginate(incomplete_books_query(), page=page_arg(), per_page=50,
                       error_out=False)
    return render_template("intake/incomplete.html", page=page)


@bp.route("/books/<int(max=2147483647):book_id>/edit", methods=["GET", "POST"])
@access(Role.VOLUNTEER)
def edit(book_id: int):
    """Correct or complete a book's metadata (every change is audited)."""
    book = db.get_or_404(Book, book_id)
    form = EditBookForm(obj=book)
    if request.method == "GET":
        form.show(book)
    if form.validate_on_submit():
        with shown_inline(form.isbn13.errors):
            changes = edit_book(book, form.values(), by=current_user, now=utcnow())
            db.session.commit()
            if changes:
                flash(_("The book is saved."), "success")
            return redirect(url_for("intake.incomplete") if request.args.get("next") == "incomplete"
                            else url_for("intake.edit", book_id=book.id))
    status = 400 if form.is_submitted() else 200
    return render_template("intake/edit.html", form=form, call_number=callnumbers.preview(book),
                           **book_view(book)), status
