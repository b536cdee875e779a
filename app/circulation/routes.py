"""Circulation pages: the lending desk, overdue letters, members' renewals and holds."""

import time

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.routes import safe_next
from app.admin.accesslog import log_access
from app.circulation import bp, copies, holds, loans, lookups
from app.circulation import desk as scans
from app.circulation.forms import (
    DESK_MODES,
    MAX_ID,
    BorrowerForm,
    ConfirmForm,
    CopyStateForm,
    HoldForm,
    ModeForm,
    ScanForm,
    SelfCheckoutForm,
)
from app.circulation.overdue import overdue_by_member
from app.circulation.rules import local_date, member_blocks, rules_for
from app.core.access import access
from app.errors import DomainError
from app.extensions import db
from app.models import Book, Copy, CopyStatus, Hold, HoldStatus, Loan, Member, Role, utcnow

# The current borrower is forgotten after this long without a scan (a shared desk PC).
DESK_IDLE_SECONDS = 120
# How many check-ins the running list of check-in mode shows.
RETURNS_SHOWN = 30


# ---------------------------------------------------------------------------
# Desk state (kept in the volunteer's session)
# ---------------------------------------------------------------------------


def _idle_seconds() -> int:
    return int(current_app.config.get("DESK_IDLE_SECONDS", DESK_IDLE_SECONDS))


def _borrower() -> Member | None:
    """Return the desk's current borrower, forgetting them after the idle time."""
    state = session.get("desk_member")
    if not state:
        return None
    if time.time() - state.get("at", 0) > _idle_seconds():
        session.pop("desk_member", None)
        return None
    member = db.session.get(Member, state.get("id"))
    if member is None:
        session.pop("desk_member", None)
    return member


def _set_borrower(member_id: int | None) -> None:
    if member_id is None:
        session.pop("desk_member", None)
    else:
        session["desk_member"] = {"id": member_id, "at": time.time()}


def _touch_borrower() -> None:
    state = session.get("desk_member")
    if state:
        session["desk_member"] = {"id": state["id"], "at": time.time()}


def _mode() -> str:
    mode = session.get("desk_mode", "auto")
    return mode if mode in DESK_MODES else "auto"


def _returns() -> list[dict]:
    """Return check-in mode's running list, newest first."""
    entries = session.get("desk_returns", [])
    ids = {entry[0] for entry in entries}
    copies = {c.id: c for c in db.session.scalars(sa.select(Copy).where(Copy.id.in_(ids)))}
    return [{"item": copies[copy_id], "outcome": outcome, "holder": holder}
            for copy_id, outcome, holder in entries if copy_id in copies]


def _is_fetch() -> bool:
    return request.headers.get("X-Desk-Fetch") == "1"


def _desk_context(result: dict | None) -> dict:
    """Gather what the desk panel shows."""
    now = utcnow()
    borrower = _borrower()
    panel = {"borrower": borrower, "mode": _mode(), "result": result,
             "returns": _returns() if _mode() == "checkin" else [],
             "today": local_date(now), "idle_seconds": _idle_seconds(),
             "confirm_form": ConfirmForm()}
    if borrower is not None:
        panel["loans"] = lookups.open_loans(borrower)
        panel["holds"] = lookups.active_holds(borrower)
        panel["blocks"] = member_blocks(borrower, now=now)
    if result and result.get("choices"):
        panel["choices"] = db.session.scalars(
            sa.select(Member).where(Member.id.in_(result["choices"])).order_by(Member.name)
        ).all()
        panel["borrower_form"] = BorrowerForm()
    if result and result.get("book_id"):
        panel["book"] = db.session.get(Book, result["book_id"])
        panel["copy_loans"] = {
            loan.copy_id: loan for loan in db.session.scalars(
                sa.select(Loan).join(Copy).where(Copy.book_id == result["book_id"],
                                                 Loan.returned_at.is_(None)))
        }
        panel["copy_holds"] = {
            hold.copy_id: hold for hold in db.session.scalars(
                sa.select(Hold).where(Hold.book_id == result["book_id"],
                                      Hold.status == HoldStatus.READY))
        }
    return panel


def _answer(result: dict | None):
    """Answer a desk action: the panel for the page's script, else redirect to the desk."""
    if _is_fetch():
        return render_template("circulation/_desk_panel.html", **_desk_context(result))
    if result is not None:
        session["desk_result"] = result
    return redirect(url_for("circulation.desk"), code=303)


# ---------------------------------------------------------------------------
# The desk
# ---------------------------------------------------------------------------


@bp.route("/desk")
@access(Role.VOLUNTEER)
def desk():
    """The lending desk: one scan field for cards, copies, ISBNs and names."""
    result = session.pop("desk_result", None)
    return render_template("circulation/desk.html", form=ScanForm(),
                           **_desk_context(result))


@bp.route("/desk/scan", methods=["POST"])
@access(Role.VOLUNTEER)
def scan():
    """Route one scan: card, copy (out or in), ISBN, or a name or phone number."""
    form = ScanForm()
    if not form.validate_on_submit():
        return _answer(scans.result(scans.REFUSED, _("Nothing was scanned."),
                                   _("Scan a card, a copy or an ISBN, or type a name.")))
    now = utcnow()
    borrower = _borrower()
    result = scans.scan(form.code.data, borrower=borrower, mode=_mode(),
                       by=current_user, now=now)
    db.session.commit()
    if "borrower_id" in result:
        _set_borrower(result["borrower_id"])
    elif borrower is not None:
        _touch_borrower()
    if _mode() == "checkin" and result.get("copy_id"):
        # Ids only: the session is a cookie and must stay small.
        entry = [result["copy_id"], result["outcome"], result.get("holder")]
        session["desk_returns"] = [entry, *session.get("desk_returns", [])][:RETURNS_SHOWN]
    return _answer(result)


@bp.route("/desk/borrower", methods=["POST"])
@access(Role.VOLUNTEER)
def choose_borrower():
    """Make a member found by name or phone the current borrower."""
    form = BorrowerForm()
    member = db.session.get(Member, form.member_id.data) if form.validate_on_submit() else None
    if member is None or not member.is_active:
        return _answer(scans.result(scans.REFUSED, _("Unknown member"), ""))
    _set_borrower(member.id)
    return _answer(scans.result(scans.OK, _("Borrower: %(name)s", name=member.name)))


@bp.route("/desk/clear", methods=["POST"])
@access(Role.VOLUNTEER)
def clear_borrower():
    """Forget the current borrower (the next copy scanned is checked in)."""
    ConfirmForm().validate_on_submit()
    _set_borrower(None)
    return _answer(scans.result(scans.INFO, _("Ready for the next member"),
                               _("Scan a member card, or scan books to check them in.")))


@bp.route("/desk/mode", methods=["POST"])
@access(Role.VOLUNTEER)
def set_mode():
    """Switch between the normal desk and check-in mode (every scan is a return)."""
    form = ModeForm()
    mode = form.mode.data if form.validate_on_submit() else "auto"
    session["desk_mode"] = mode
    session.pop("desk_returns", None)
    if mode == "checkin":
        _set_borrower(None)
        result = scans.result(scans.INFO, _("Check-in mode"),
                             _("Every copy scanned now is checked in."))
    else:
        result = scans.result(scans.INFO, _("Desk mode"),
                             _("Scan a member card to lend, or a copy to check it in."))
    return _answer(result)


@bp.route("/desk/loans/<int(max=2147483647):loan_id>/renew", methods=["POST"])
@access(Role.VOLUNTEER)
def desk_renew(loan_id: int):
    """Renew a loan of the current borrower at the desk."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        loan = lookups.loan_for(loan_id, current_user)
        loans.renew(loan, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        result = scans.result(scans.REFUSED, _("Not renewed"), str(error))
    else:
        db.session.commit()
        result = scans.result(scans.OK, _("Renewed: %(title)s", title=loan.copy.book.title),
                             _("Now due %(due)s", due=scans.due_text(loan)))
    _touch_borrower()
    return _answer(result)


@bp.route("/desk/overdue")
@access(Role.VOLUNTEER)
def overdue():
    """Members with overdue books: days overdue and how to reach them."""
    now = utcnow()
    groups = overdue_by_member(now=now)
    log_access("overdue_list", actor=current_user, now=now, members=len(groups))
    db.session.commit()
    return render_template("circulation/overdue.html", groups=groups)


@bp.route("/desk/overdue/letters")
@access(Role.VOLUNTEER)
def letters():
    """Printable reminder letters, each in its member's language (?member=ID for one)."""
    member = None
    if request.args.get("member"):
        member_id = request.args.get("member", type=int)
        member = db.session.get(Member, member_id) if 0 < (member_id or 0) <= MAX_ID else None
        if member is None:
            abort(404)
    now = utcnow()
    pages = []
    groups = overdue_by_member(now=now, member=member)
    log_access("overdue_letters", actor=current_user, member=member, now=now,
               members=len(groups))
    db.session.commit()
    for group in groups:
        locale = group.member.locale if group.member.locale in ("ko", "en") else "ko"
        with force_locale(locale):
            # Markup: the output of an autoescaped template, not raw user input.
            pages.append(Markup(render_template(  # noqa: S704  # nosec B704
                "circulation/_letter.html", group=group,
                cafe_name=current_app.config["CAFE_NAME"])))
    return render_template("circulation/letters.html", pages=pages)


@bp.route("/desk/copies/<int(max=2147483647):copy_id>", methods=["GET", "POST"])
@access(Role.VOLUNTEER)
def copy_state(copy_id: int):
    """One copy: where it is, and marking it lost, damaged, withdrawn or back in service."""
    copy = db.get_or_404(Copy, copy_id)
    form = CopyStateForm()
    if form.validate_on_submit():
        try:
            copies.set_copy_state(copy, CopyStatus(form.state.data), by=current_user,
                                    now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The copy's state is saved."), "success")
        return redirect(url_for("circulation.copy_state", copy_id=copy.id), code=303)
    return render_template("circulation/copy.html", copy=copy, form=form,
                           loan=lookups.open_loan(copy),
                           hold=lookups.ready_hold_for_copy(copy))


# ---------------------------------------------------------------------------
# Members: renew, holds, self-checkout (all on /me)
# ---------------------------------------------------------------------------


def me_section(member: Member) -> Markup:
    """Render the member's loans, holds and kept history for /me."""
    now = utcnow()
    rules = rules_for()
    holds = lookups.active_holds(member)
    # Markup: the output of an autoescaped template, not raw user input.
    return Markup(render_template(  # noqa: S704  # nosec B704
        "circulation/_me.html", member=member, loans=lookups.open_loans(member),
        holds=[(hold, lookups.queue_position(hold)) for hold in holds],
        history=lookups.loan_history(member) if member.keep_history else [],
        today=local_date(now), rules=rules, confirm_form=ConfirmForm(),
        self_checkout_form=SelfCheckoutForm() if rules.self_checkout else None,
    ))


def _back_to_me():
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.me"), code=303)


@bp.route("/loans/<int(max=2147483647):loan_id>/renew", methods=["POST"])
@access(Role.MEMBER)
def renew(loan_id: int):
    """Renew one of my loans."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    loan = db.session.get(Loan, loan_id)
    if loan is None or not loan.is_borrowed_by(current_user):
        abort(404)
    try:
        loans.renew(loan, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(_("Not renewed: %(reason)s", reason=str(error)), "error")
    else:
        db.session.commit()
        flash(_("Renewed: %(title)s is now due %(due)s.", title=loan.copy.book.title,
                due=scans.due_text(loan)), "success")
    return _back_to_me()


@bp.route("/holds/new/<int(max=2147483647):book_id>")
@access(Role.MEMBER)
def new_hold(book_id: int):
    """Ask to confirm a hold on a book (until the catalogue's book page offers it)."""
    book = db.get_or_404(Book, book_id)
    return render_template("circulation/hold_new.html", book=book)


@bp.route("/holds", methods=["POST"])
@access(Role.MEMBER)
def place_hold():
    """Place a hold on a book for myself."""
    form = HoldForm()
    if not form.validate_on_submit():
        abort(400)
    book = db.get_or_404(Book, form.book_id.data)
    try:
        holds.place_hold(book, current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Your hold on %(title)s is placed. We will keep the next returned copy "
                "for you.", title=book.title), "success")
    return _back_to_me()


@bp.route("/holds/<int(max=2147483647):hold_id>/cancel", methods=["POST"])
@access(Role.MEMBER)
def cancel_hold(hold_id: int):
    """Cancel one of my holds."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    hold = db.session.get(Hold, hold_id)
    if hold is None or not hold.is_held_by(current_user):
        abort(404)
    try:
        holds.cancel_hold(hold, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Your hold is cancelled."), "success")
    return _back_to_me()


@bp.route("/me/checkout", methods=["POST"])
@access(Role.MEMBER)
def self_checkout():
    """Check out a copy myself by its barcode (when the café allows it)."""
    form = SelfCheckoutForm()
    if not form.validate_on_submit():
        flash(_("Type or scan the copy's barcode."), "error")
        return _back_to_me()
    try:
        copy = lookups.copy_by_barcode(form.barcode.data)
        done = loans.self_check_out(copy, current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Checked out: %(title)s, due %(due)s.", title=copy.book.title,
                due=scans.due_text(done.loan)), "success")
    return _back_to_me()
