"""The scan station (/intake): start a donation, scan books in, fix records afterwards.

Every action is a plain form POST answered with a redirect to the station (so the page
works without JavaScript); static/js/intake.js sends the same forms with fetch() and
swaps in the new station body, keeping the focus in the scan field.
"""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app import isbn as isbnmod
from app.core.access import access
from app.core.params import page_arg
from app.errors import DomainError, MetadataRequired, NoBookYet
from app.extensions import db
from app.intake import bp, services
from app.intake.forms import (
    ActionForm,
    CampaignForm,
    EditBookForm,
    ManualBookForm,
    ScanForm,
    StartForm,
    split_authors,
)
from app.models import Book, Campaign, Copy, Donation, Member, Role, utcnow

STATE = "intake"
RECENT = 10
# Typed into the scan field (or pressed alone, with JavaScript): one key per action.
KEY_AGAIN, KEY_UNDO, KEY_NO_ISBN = "+", "-", "*"


# ---------------------------------------------------------------------------
# The station's state lives in the session: who gives, which campaign, which donation
# ---------------------------------------------------------------------------


def _state() -> dict | None:
    state = session.get(STATE)
    return dict(state) if isinstance(state, dict) else None


def _save(state: dict | None) -> None:
    if state is None:
        session.pop(STATE, None)
    else:
        session[STATE] = state


def _context(state: dict) -> services.DonationContext:
    donor = db.session.get(Member, state["donor_id"]) if state.get("donor_id") else None
    campaign = (db.session.get(Campaign, state["campaign_id"])
                if state.get("campaign_id") else None)
    donation = (db.session.get(Donation, state["donation_id"])
                if state.get("donation_id") else None)
    return services.DonationContext(donor=donor, campaign=campaign, donation=donation)


def _remember(state: dict, context: services.DonationContext, **last) -> None:
    if context.donation is not None:
        state["donation_id"] = context.donation.id
    state["last"] = last
    _save(state)


def _to_station():
    return redirect(url_for("intake.station"))


def _campaign_choices() -> list[tuple[str, str]]:
    choices = [("", _("No campaign"))]
    choices += [(str(c.id), c.name) for c in services.open_campaigns()]
    return choices


def book_view(book: Book) -> dict:
    """Return what the station shows of a book, the add-on spelled out."""
    addon = None
    if book.addon_code:
        try:
            addon = isbnmod.decode_addon(book.addon_code)
        except ValueError:
            addon = None
    return {"book": book, "addon": addon}


# ---------------------------------------------------------------------------
# Starting and finishing a donation
# ---------------------------------------------------------------------------


def _render_start(form: StartForm, matches=None, status: int = 200):
    return render_template("intake/start.html", form=form, matches=matches or []), status


@bp.route("")
@access(Role.VOLUNTEER)
def station():
    """The scan station: the start form, or the donation being received."""
    state = _state()
    if state is None:
        form = StartForm()
        form.campaign_id.choices = _campaign_choices()
        default = services.default_campaign()
        form.campaign_id.data = str(default.id) if default else ""
        return _render_start(form)
    return _render_station(state)


def _render_station(state: dict, manual_form: ManualBookForm | None = None, status: int = 200):
    context = _context(state)
    last = state.get("last") or {}
    last_copy = db.session.get(Copy, last["copy_id"]) if last.get("copy_id") else None
    recent = []
    if context.donation is not None:
        recent = list(db.session.scalars(
            db.select(Copy).where(Copy.donation_id == context.donation.id)
            .order_by(Copy.id.desc()).limit(RECENT)
        ))
    pending = state.get("pending")
    campaign_form = CampaignForm(formdata=None)
    campaign_form.campaign_id.choices = _campaign_choices()
    campaign_form.campaign_id.data = str(context.campaign.id) if context.campaign else ""
    if pending is not None and manual_form is None:
        manual_form = ManualBookForm(formdata=None)
    return render_template(
        "intake/station.html",
        context=context,
        tally=services.donation_tally(context.donation),
        last=last,
        last_copy=last_copy,
        last_view=book_view(last_copy.book) if last_copy else None,
        recent=recent,
        pending=pending,
        manual_form=manual_form,
        scan_form=ScanForm(formdata=None),
        action_form=ActionForm(),
        campaign_form=campaign_form,
        keys={"again": KEY_AGAIN, "undo": KEY_UNDO, "no_isbn": KEY_NO_ISBN},
    ), status


@bp.route("/start", methods=["POST"])
@access(Role.VOLUNTEER)
def start():
    """Start a donation: a donor's card, a donor found by name or phone, or anonymous."""
    form = StartForm()
    form.campaign_id.choices = _campaign_choices()
    if not form.validate_on_submit():
        return _render_start(form, status=400)
    now = utcnow()
    try:
        campaign = services.campaign_for(int(form.campaign_id.data)
                                         if form.campaign_id.data else None)
        if form.anonymous.data:
            donor = None
        elif form.donor_id.data:
            donor = db.session.get(Member, form.donor_id.data)
            if donor is None:
                form.donor.errors.append(_("No member has this card."))
                return _render_start(form, status=400)
        else:
            text = (form.donor.data or "").strip()
            if not text:
                form.donor.errors.append(
                    _("Scan the donor's card, type a name or phone, or choose anonymous.")
                )
                return _render_start(form, status=400)
            scan = isbnmod.parse_scan(text)
            if scan.kind is isbnmod.ScanKind.MEMBER:
                donor = services.donor_by_card(scan.code)
            else:
                matches = services.find_donors(text)
                if len(matches) != 1:
                    if not matches:
                        form.donor.errors.append(_("No member matches. Try another name or "
                                                   "phone, or choose anonymous."))
                    return _render_start(form, matches=matches, status=200 if matches else 400)
                donor = matches[0]
        context = services.start_donation(donor=donor, campaign=campaign, by=current_user,
                                          now=now)
    except DomainError as error:
        db.session.rollback()
        form.donor.errors.append(str(error))
        return _render_start(form, status=400)
    _save({
        "donor_id": context.donor.id if context.donor else None,
        "campaign_id": context.campaign.id if context.campaign else None,
        "donation_id": None, "last": None, "pending": None,
    })
    return _to_station()


@bp.route("/campaign", methods=["POST"])
@access(Role.VOLUNTEER)
def change_campaign():
    """Count the donation being received towards another campaign."""
    state = _station_state()
    form = CampaignForm()
    form.campaign_id.choices = _campaign_choices()
    if state is None or not form.validate_on_submit():
        return _to_station()
    context = _context(state)
    try:
        campaign = services.campaign_for(int(form.campaign_id.data)
                                         if form.campaign_id.data else None)
        services.change_campaign(context, campaign, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_station()
    db.session.commit()
    state["campaign_id"] = campaign.id if campaign else None
    _save(state)
    flash(_("The campaign is changed."), "success")
    return _to_station()


@bp.route("/finish", methods=["POST"])
@access(Role.VOLUNTEER)
def finish():
    """Finish the donation being received (the copies stay, of course)."""
    if not ActionForm().validate_on_submit():
        return _to_station()
    state = _state()
    if state is not None:
        context = _context(state)
        tally = services.donation_tally(context.donation)
        if tally["copies"]:
            flash(ngettext("Donation finished: %(num)d book received. Thank you!",
                           "Donation finished: %(num)d books received. Thank you!",
                           tally["copies"]),
                  "success")
    _save(None)
    return _to_station()


# ---------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------


def _station_state():
    state = _state()
    if state is None:
        flash(_("Start a donation first."), "error")
    return state


def _refusal(state: dict, context: services.DonationContext, error: DomainError, raw: str):
    """Remember a refusal, saying what a non-book scan was when we know it."""
    message = str(error)
    scan = isbnmod.parse_scan(raw)
    if scan.kind is isbnmod.ScanKind.COPY:
        copy = db.session.scalar(db.select(Copy).where(Copy.barcode == scan.code))
        if copy is not None:
            message = _("This is the copy %(barcode)s of “%(title)s”, already catalogued.",
                        barcode=copy.barcode, title=copy.book.title)
    elif scan.kind is isbnmod.ScanKind.MEMBER:
        message = _("This is a member card. To receive books from another donor, finish "
                    "this donation and start a new one.")
    _remember(state, context, kind="refused", code=error.code, message=message, raw=raw[:64])


@bp.route("/scan", methods=["POST"])
@access(Role.VOLUNTEER)
def scan():
    """One scan: a book's ISBN (a new copy), or one of the one-key commands."""
    state = _station_state()
    if state is None:
        return _to_station()
    form = ScanForm()
    if not form.validate_on_submit():
        return _to_station()
    raw = form.scan.data.strip()
    if raw == KEY_AGAIN:
        return _again(state)
    if raw == KEY_UNDO:
        return _undo(state)
    if raw == KEY_NO_ISBN:
        return _no_isbn(state)
    return _scan_book(state, raw)


def _scan_book(state: dict, raw: str):
    context = _context(state)
    state["pending"] = None
    try:
        result = services.intake_scan(raw, context, by=current_user, now=utcnow())
    except MetadataRequired:
        db.session.commit()  # keep what the metadata cache learnt; nothing else was written
        state["pending"] = _pending(raw)
        _remember(state, context, kind="unknown", raw=raw[:64])
        return _to_station()
    except DomainError as error:
        db.session.rollback()
        _refusal(state, context, error, raw)
        return _to_station()
    db.session.commit()
    _result(state, context, result)
    return _to_station()


def _pending(raw: str) -> dict:
    """Remember an unknown ISBN (with its add-on) for the short form."""
    scan = isbnmod.parse_scan(raw)
    code = scan.isbn13 + (scan.addon.code if scan.addon else "")
    return {"isbn": code, "isbn13": scan.isbn13, "hyphenated": scan.hyphenated}


def _result(state: dict, context: services.DonationContext,
            result: services.IntakeResult) -> None:
    state["book_id"] = result.book.id
    kind = "duplicate" if result.duplicate else "created"
    _remember(state, context, kind=kind, copy_id=result.copy.id,
              created_book=result.created_book, source=result.source)


def _again(state: dict):
    context = _context(state)
    book = db.session.get(Book, state["book_id"]) if state.get("book_id") else None
    try:
        if book is None:
            raise NoBookYet()
        result = services.add_another_copy(book, context, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        _remember(state, context, kind="refused", code=error.code, message=str(error))
        return _to_station()
    db.session.commit()
    _result(state, context, result)
    return _to_station()


def _undo(state: dict):
    context = _context(state)
    try:
        undone = services.undo_last(context, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        _remember(state, context, kind="refused", code=error.code, message=str(error))
        return _to_station()
    db.session.commit()
    state["pending"] = None
    if undone.book_removed:
        state["book_id"] = None
    _remember(state, context, kind="undone", barcode=undone.barcode, title=undone.title)
    return _to_station()


def _no_isbn(state: dict):
    context = _context(state)
    state["pending"] = {"isbn": None, "isbn13": None, "hyphenated": None}
    _remember(state, context, kind="no_isbn")
    return _to_station()


@bp.route("/again", methods=["POST"])
@access(Role.VOLUNTEER)
def again():
    """Add another copy of the last scanned book, on purpose."""
    state = _station_state()
    if state is None or not ActionForm().validate_on_submit():
        return _to_station()
    return _again(state)


@bp.route("/undo", methods=["POST"])
@access(Role.VOLUNTEER)
def undo():
    """Undo the last scan of this donation."""
    state = _station_state()
    if state is None or not ActionForm().validate_on_submit():
        return _to_station()
    return _undo(state)


@bp.route("/no-isbn", methods=["POST"])
@access(Role.VOLUNTEER)
def no_isbn():
    """Open the short form for a book without an ISBN."""
    state = _station_state()
    if state is None or not ActionForm().validate_on_submit():
        return _to_station()
    return _no_isbn(state)


@bp.route("/manual", methods=["POST"])
@access(Role.VOLUNTEER)
def manual():
    """Save the book typed into the short form (or with its ISBN only), with its copy."""
    state = _station_state()
    if state is None:
        return _to_station()
    pending = state.get("pending")
    form = ManualBookForm()
    if pending is None:
        return _to_station()
    context = _context(state)
    if form.cancel.data and form.validate_on_submit():
        state["pending"] = None
        _remember(state, context, kind="cancelled")
        return _to_station()
    if not form.validate_on_submit():
        return _render_station(state, manual_form=form, status=400)
    later = bool(form.later.data) and pending.get("isbn") is not None
    title = (form.title.data or "").strip()
    # A scanner fired into the title field: the volunteer moved on to the next book.
    next_scan = None
    if pending.get("isbn") and isbnmod.parse_scan(title).is_book:
        next_scan, title, later = title, "", True
    if not title and not later:
        form.title.errors.append(
            _("Type the title, or save with the ISBN only.") if pending.get("isbn")
            else _("Type the title.")
        )
        return _render_station(state, manual_form=form, status=400)
    fields = services.BookFields(
        title=title or None, authors=split_authors(form.authors.data),
        publisher=form.publisher.data, year=form.year.data, language=form.language.data,
    )
    try:
        result = services.save_manual_book(context, isbn=pending.get("isbn"), fields=fields,
                                           complete_later=later, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        form.title.errors.append(str(error))
        return _render_station(state, manual_form=form, status=400)
    db.session.commit()
    state["pending"] = None
    _result(state, context, result)
    if next_scan is not None:
        return _scan_book(_state(), next_scan)
    return _to_station()


# ---------------------------------------------------------------------------
# Incomplete records and editing
# ---------------------------------------------------------------------------


@bp.route("/incomplete")
@access(Role.VOLUNTEER)
def incomplete():
    """The books saved with their ISBN only, waiting for someone to complete them."""
    page = db.paginate(services.incomplete_books_query(), page=page_arg(), per_page=50,
                       error_out=False)
    return render_template("intake/incomplete.html", page=page)


@bp.route("/books/<int(max=2147483647):book_id>/edit", methods=["GET", "POST"])
@access(Role.VOLUNTEER)
def edit(book_id: int):
    """Correct or complete a book's metadata (every change is audited)."""
    book = db.get_or_404(Book, book_id)
    form = EditBookForm(obj=book)
    if request.method == "GET":
        form.authors.data = "; ".join(book.author_list)
        if book.needs_metadata and book.isbn13 and \
                book.title == services.provisional_title(book.isbn13):
            form.title.data = ""
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.EDITABLE}
        values["authors"] = split_authors(form.authors.data)
        try:
            changes = services.edit_book(book, values, by=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.isbn13.errors.append(str(error))
        else:
            db.session.commit()
            if changes:
                flash(_("The book is saved."), "success")
            next_url = request.args.get("next")
            if next_url == "incomplete":
                return redirect(url_for("intake.incomplete"))
            return redirect(url_for("intake.edit", book_id=book.id))
    status = 400 if form.is_submitted() else 200
    return render_template("intake/edit.html", form=form, **book_view(book)), status
