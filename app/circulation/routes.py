"""Circulation pages: the lending desk, overdue letters, members' renewals and holds."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.routes import safe_next
from app.admin.accesslog import log_access
from app.circulation import bp, copies, desk_state, holds, loans, lookups
from app.circulation import desk as scans
from app.circulation.forms import (
    BorrowerForm,
    ConfirmForm,
    CopyStateForm,
    HoldForm,
    ModeForm,
    ScanForm,
    SelfCheckoutForm,
)
from app.circulation.overdue import Overdue, overdue_by_member
from app.circulation.rules import local_date, rules_for
from app.core.access import access
from app.core.idempotency import idempotent
from app.core.params import int_arg
from app.core.refusals import shown_inline
from app.extensions import db
from app.models import Book, Copy, CopyStatus, Hold, Loan, Member, Role, utcnow


def _answer(result: dict | None):
    """Answer a desk action: the panel for the page's script, else redirect to the desk."""
    if request.headers.get("X-Desk-Fetch") == "1":
        return render_template("circulation/_desk_panel.html", **desk_state.panel(result))
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
    return render_template("circulation/desk.html", form=ScanForm(), **desk_state.panel(result))


@bp.route("/desk/scan", methods=["POST"])
@access(Role.VOLUNTEER)
@idempotent
def scan():
    """Route one scan: card, copy (out or in), ISBN, or a name or phone number."""
    form = ScanForm()
    if not form.validate_on_submit():
        return _answer(scans.nothing_scanned())
    result = scans.scan(form.code.data, borrower=desk_state.borrower(), mode=desk_state.mode(),
                        by=current_user, now=utcnow(), asked=desk_state.asked())
    db.session.commit()
    desk_state.record_scan(result)
    return _answer(result)


@bp.route("/desk/borrower", methods=["POST"])
@access(Role.VOLUNTEER)
def choose_borrower():
    """Make a member found by name or phone the current borrower."""
    form = BorrowerForm()
    member = db.session.get(Member, form.member_id.data) if form.validate_on_submit() else None
    if member is None or not member.is_active:
        return _answer(scans.result(scans.REFUSED, _("Unknown member"), ""))
    desk_state.set_borrower(member.id)
    return _answer(scans.result(scans.OK, _("Borrower: %(name)s", name=member.name)))


@bp.route("/desk/clear", methods=["POST"])
@access(Role.VOLUNTEER)
def clear_borrower():
    """Forget the current borrower (the next copy scanned is checked in)."""
    ConfirmForm().validate_on_submit()
    desk_state.set_borrower(None)
    return _answer(scans.result(scans.INFO, _("Ready for the next member"),
                               _("Scan a member card, or scan books to check them in.")))


@bp.route("/desk/mode", methods=["POST"])
@access(Role.VOLUNTEER)
def set_mode():
    """Switch between the normal desk and check-in mode (every scan is a return)."""
    form = ModeForm()
    mode = form.mode.data if form.validate_on_submit() else "auto"
    desk_state.set_mode(mode)
    return _answer(scans.mode_changed(mode))


@bp.route("/desk/loans/<int(max=2147483647):loan_id>/renew", methods=["POST"])
@access(Role.VOLUNTEER)
def desk_renew(loan_id: int):
    """Renew a loan of the current borrower at the desk."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = scans.renew(loan_id, by=current_user, now=utcnow())
    db.session.commit()
    desk_state.touch_borrower()
    return _answer(result)


@bp.route("/desk/loans/<int(max=2147483647):loan_id>/undo-return", methods=["POST"])
@access(Role.VOLUNTEER)
def desk_undo_return(loan_id: int):
    """Put back a loan of the current borrower that a scan just returned."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = scans.undo_return(loan_id, borrower=desk_state.borrower(), by=current_user,
                               now=utcnow())
    db.session.commit()
    desk_state.touch_borrower()
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


def _letter(group: Overdue) -> Markup:
    """Render one member's reminder letter in their own language."""
    locale = group.member.locale if group.member.locale in ("ko", "en") else "ko"
    with force_locale(locale):
        # Markup: the output of an autoescaped template, not raw user input.
        return Markup(render_template(  # noqa: S704  # nosec B704
            "circulation/_letter.html", group=group, cafe_name=current_app.config["CAFE_NAME"]))


@bp.route("/desk/overdue/letters")
@access(Role.VOLUNTEER)
def letters():
    """Printable reminder letters, each in its member's language (?member=ID for one)."""
    member = None
    member_id = int_arg("member")
    if member_id is not None:
        member = db.get_or_404(Member, member_id)
    now = utcnow()
    groups = overdue_by_member(now=now, member=member)
    log_access("overdue_letters", actor=current_user, member=member, now=now,
               members=len(groups))
    db.session.commit()
    return render_template("circulation/letters.html", pages=[_letter(g) for g in groups])


@bp.route("/desk/copies/<int(max=2147483647):copy_id>", methods=["GET", "POST"])
@access(Role.VOLUNTEER)
def copy_state(copy_id: int):
    """One copy: where it is, and marking it lost, damaged, withdrawn or back in service."""
    copy = db.get_or_404(Copy, copy_id)
    form = CopyStateForm()
    if form.validate_on_submit():
        copies.set_copy_state(copy, CopyStatus(form.state.data), by=current_user, now=utcnow())
        db.session.commit()
        flash(_("The copy's state is saved."), "success")
        return redirect(url_for("circulation.copy_state", copy_id=copy.id), code=303)
    return render_template("circulation/copy.html", copy=copy, form=form,
                           loan=lookups.open_loan(copy), hold=lookups.ready_hold_for_copy(copy))


# ---------------------------------------------------------------------------
# Members: renew, holds, self-checkout (all on /me)
# ---------------------------------------------------------------------------


def me_section(member: Member) -> Markup:
    """Render the member's loans, holds and kept history for /me."""
    rules = rules_for()
    holds_now = lookups.active_holds(member)
    now = utcnow()
    open_now = lookups.open_loans(member)
    # Why a loan cannot be renewed, so its button is disabled with the reason beside it.
    no_renewal = {loan.id: str(refusal) for loan in open_now
                  if (refusal := loans.renewal_refusal(loan, now=now)) is not None}
    # Markup: the output of an autoescaped template, not raw user input.
    return Markup(render_template(  # noqa: S704  # nosec B704
        "circulation/_me.html", member=member, loans=open_now, no_renewal=no_renewal,
        holds=[(hold, lookups.queue_position(hold)) for hold in holds_now],
        history=lookups.loan_history(member) if member.keep_history else [],
        today=local_date(now), rules=rules, confirm_form=ConfirmForm(),
        self_checkout_form=SelfCheckoutForm() if rules.self_checkout else None,
    ))


@bp.app_context_processor
def _hold_offer():
    """Give book pages `hold_refusal(book)`: why the current member cannot place a hold
    (a copy is on the shelf, they hold or have it already ...), or None."""

    def hold_refusal(book: Book) -> str | None:
        if not current_user.is_authenticated:
            return None
        refusal = holds.hold_refusal(book, current_user)
        return str(refusal) if refusal is not None else None

    return {"hold_refusal": hold_refusal}


@bp.record_once
def _register_me_section(state) -> None:
    """Show loans, holds and history on the member's own page (/me)."""
    state.app.extensions.setdefault("me_sections", []).append(me_section)


def _back_to_me():
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.me"), code=303)


def _my_loan(loan_id: int) -> Loan:
    """Return my own loan with this id; anyone else's is a 404, like none."""
    loan = db.session.get(Loan, loan_id)
    if loan is None or not loan.is_borrowed_by(current_user):
        abort(404)
    return loan


def _my_hold(hold_id: int) -> Hold:
    """Return my own hold with this id; anyone else's is a 404, like none."""
    hold = db.session.get(Hold, hold_id)
    if hold is None or not hold.is_held_by(current_user):
        abort(404)
    return hold


@bp.route("/loans/<int(max=2147483647):loan_id>/renew", methods=["POST"])
@access(Role.MEMBER)
def renew(loan_id: int):
    """Renew one of my loans."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    loan = _my_loan(loan_id)
    with shown_inline() as refused:
        loans.renew(loan, by=current_user, now=utcnow())
        db.session.commit()
        flash(_("Renewed: %(title)s is now due %(due)s.", title=loan.copy.book.title,
                due=scans.due_text(loan)), "success")
    if refused:  # the reason, with what was refused
        flash(_("Not renewed: %(reason)s", reason=str(refused)), "error")
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
    holds.place_hold(book, current_user, now=utcnow())
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
    hold = _my_hold(hold_id)
    holds.cancel_hold(hold, by=current_user, now=utcnow())
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
    copy = lookups.copy_by_barcode(form.barcode.data)
    done = loans.self_check_out(copy, current_user, now=utcnow())
    db.session.commit()
    flash(_("Checked out: %(title)s, due %(due)s.", title=copy.book.title,
            due=scans.due_text(done.loan)), "success")
    return _back_to_me()
