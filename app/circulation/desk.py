"""The desk's scan routing: what one scan means, given the current borrower and mode.

A scan is a member card (that member becomes the borrower), a copy (check out to the
borrower, or check in), an ISBN (show the book and its copies), or text (find a member
by name or phone). The answer is a plain dict the page shows big and clear, and that
fits in the session for the no-JavaScript round trip.

A whole visit goes with the member selected (app/circulation/visit.py): their own book
scanned again is returned (with Undo), a copy lent to someone else is returned and then
lent, and the hold-shelf copy kept for them is lent. Nobody selected, a copy just lent is
not returned without asking, and a hold-shelf copy says whose it is.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.circulation import loans, lookups, visit  # visit uses this module's answers
from app.circulation.privacy import mask_name
from app.circulation.rules import local_date
from app.core.i18n import sentence_date
from app.core.refusals import shown_inline
from app.errors import UnknownLoan
from app.extensions import db
from app.isbn import ScanKind, parse_scan
from app.models import Book, Copy, Loan, Member

OK = "ok"
REFUSED = "refused"
INFO = "info"
HOLD = "hold"
ASK = "ask"  # amber: the desk needs the volunteer to do something (a card, a second scan)


def result(outcome: str, title: str, detail: str = "", **extra) -> dict:
    """Return a desk result: outcome (ok, refused, info, hold), a headline and details."""
    return {"outcome": outcome, "title": title, "detail": detail, **extra}


def nothing_scanned() -> dict:
    """Return the answer to an empty scan."""
    return result(REFUSED, _("Nothing was scanned."),
                  _("Scan a card, a copy or an ISBN, or type a name."))


def mode_changed(mode: str) -> dict:
    """Return the answer to switching between the desk and check-in mode."""
    if mode == "checkin":
        return result(INFO, _("Check-in mode"), _("Every copy scanned now is checked in."))
    return result(INFO, _("Desk mode"),
                  _("Scan a member card to lend, or a copy to check it in."))


def scan(code: str, *, borrower: Member | None, mode: str, by: Member, now: datetime,
         asked: dict | None = None) -> dict:
    """Do what one scan at the desk means, and say what happened.

    `asked` is what the previous answer asked for (a copy to scan again to return it, a
    holder's card for a hold-shelf copy), so the next scan can complete it.
    """
    asked = asked or {}
    parsed = parse_scan(code)
    raw = lookups.clean_code(code)
    if parsed.kind is ScanKind.MEMBER:
        chosen = _member_scan(parsed.code)
        if chosen.get("borrower_id") and asked.get("pickup") and mode != "checkin":
            return visit.pickup_after_card(chosen, asked["pickup"], by=by, now=now)
        return chosen
    if parsed.kind is ScanKind.ISBN:
        return _isbn_scan(parsed.isbn13, parsed.hyphenated or parsed.isbn13)
    copy_code = parsed.code if parsed.kind is ScanKind.COPY else raw
    copy = db.session.scalar(sa.select(Copy).where(Copy.barcode == copy_code))
    if copy is not None:
        if mode == "checkin":
            return check_in(copy, by=by, now=now)
        if borrower is None:
            return visit.scan_with_nobody(copy, by=by, now=now,
                                          confirmed=asked.get("return") == copy.id)
        return visit.scan_for_borrower(copy, borrower, by=by, now=now)
    if parsed.kind is ScanKind.COPY:
        return result(REFUSED, _("Unknown copy"), _("No copy has the barcode %(code)s.",
                                                    code=parsed.code))
    if parsed.kind in (ScanKind.BAD_CHECK_DIGIT, ScanKind.OTHER_EAN):
        return result(REFUSED, _("Not read"), str(parsed.message))
    return _find_member(raw)


def _member_scan(card: str) -> dict:
    with shown_inline() as refused:
        member = lookups.member_by_card(card)
        return result(OK, _("Borrower: %(name)s", name=member.name), borrower_id=member.id)
    return result(REFUSED, _("Unknown card"), str(refused))


def _find_member(text: str) -> dict:
    members = lookups.find_members(text, limit=10)
    if len(members) == 1:
        return result(OK, _("Borrower: %(name)s", name=members[0].name),
                      borrower_id=members[0].id)
    if members:
        return result(INFO, _("%(count)d members match “%(text)s”", count=len(members),
                              text=text), _("Choose one below."),
                      choices=[m.id for m in members])
    return result(REFUSED, _("Nothing found"),
                  _("“%(text)s” is no barcode we know, and no member has this name or phone "
                    "number.", text=text[:40]))


def _isbn_scan(isbn13: str, shown: str) -> dict:
    book = db.session.scalar(sa.select(Book).where(Book.isbn13 == isbn13))
    if book is None:
        return result(REFUSED, _("Not in the catalogue"),
                      _("No book with ISBN %(isbn)s is in our catalogue.", isbn=shown))
    return result(INFO, book.title, _("ISBN %(isbn)s", isbn=shown), book_id=book.id)


def due_text(loan) -> str:
    """Return a loan's due date as the desk shows it."""
    return sentence_date(loan.due_on)


def check_out(copy: Copy, borrower: Member, *, by: Member, now: datetime) -> dict:
    """Check a copy out to the current borrower and say so."""
    title = copy.book.title
    with shown_inline() as refused:
        done = loans.check_out(copy, borrower, by=by, now=now)
    if refused:
        return result(REFUSED, _("Not lent: %(title)s", title=title), str(refused),
                      code=refused.error.code, barcode=copy.barcode, copy_id=copy.id)
    if not done.created:
        return result(INFO, _("Already on loan: %(title)s", title=title),
                      _("%(name)s has it until %(due)s. Nothing changed.",
                        name=borrower.name, due=due_text(done.loan)),
                      barcode=copy.barcode, copy_id=copy.id)
    detail = _("Due %(due)s", due=due_text(done.loan))
    if done.hold is not None:
        detail = _("Hold picked up. Due %(due)s", due=due_text(done.loan))
    return result(OK, _("Checked out: %(title)s", title=title), detail,
                  barcode=copy.barcode, copy_id=copy.id,
                  due_on=done.loan.due_on.isoformat(),
                  warnings=visit.warnings(copy, borrower, done.loan, now=now))


def renew(loan_id: int, *, by: Member, now: datetime) -> dict:
    """Renew a loan of the current borrower and say until when (or why not)."""
    with shown_inline() as refused:
        loan = loans.renew(lookups.loan_for(loan_id, by), by=by, now=now)
        return result(OK, _("Renewed: %(title)s", title=loan.copy.book.title),
                      _("Now due %(due)s", due=due_text(loan)))
    return result(REFUSED, _("Not renewed"), str(refused))


def undo_return(loan_id: int, *, borrower: Member | None, by: Member, now: datetime) -> dict:
    """Undo a return the desk just made for the current borrower, and say so."""
    with shown_inline() as refused:
        loan = db.session.get(Loan, loan_id)
        if borrower is None or loan is None:
            raise UnknownLoan()
        loan = loans.undo_return(loan, borrower, by=by, now=now)
        return result(OK, _("Undone: %(title)s is on loan again", title=loan.copy.book.title),
                      _("Due %(due)s", due=due_text(loan)), barcode=loan.copy.barcode,
                      copy_id=loan.copy_id)
    return result(REFUSED, _("Not undone"), str(refused))


def check_in(copy: Copy, *, by: Member, now: datetime) -> dict:
    """Check a copy in and say where it goes now (the shelf, or the hold shelf)."""
    title = copy.book.title
    with shown_inline() as refused:
        done = loans.return_copy(copy, by=by, now=now)
    if refused:
        shelf = lookups.ready_hold_for_copy(copy)
        if shelf is not None and refused.error.code == "not_on_loan":
            return visit.on_hold_shelf(copy, shelf)
        return result(REFUSED, _("Not checked in: %(title)s", title=title), str(refused),
                      code=refused.error.code, barcode=copy.barcode, copy_id=copy.id)
    holder = None
    if done.hold is not None and done.hold.member is not None:
        holder = mask_name(done.hold.member.name)
    if done.repeated:
        outcome = HOLD if holder else INFO
        detail = _("It was just checked in. Nothing changed.")
        if holder:
            detail += " " + _("Hold shelf: %(holder)s", holder=holder)
        return result(outcome, _("Already returned: %(title)s", title=title), detail,
                      barcode=copy.barcode, copy_id=copy.id, holder=holder)
    if holder:
        return result(HOLD, _("Hold shelf: %(holder)s", holder=holder),
                      _("%(title)s: put it on the hold shelf (pick up by %(date)s).",
                        title=title, date=sentence_date(done.hold.pickup_by)),
                      barcode=copy.barcode, copy_id=copy.id, holder=holder)
    if done.expired and not holder:
        return result(OK, _("Hold expired: %(title)s", title=title),
                      _("Nobody picked it up in time. Put it back on the shelf."),
                      barcode=copy.barcode, copy_id=copy.id)
    if done.found:
        return result(OK, _("Found again: %(title)s", title=title),
                      _("The lost copy is back in the collection. Put it on the shelf."),
                      barcode=copy.barcode, copy_id=copy.id)
    detail = _("Put it back on the shelf.")
    if done.loan is not None and done.loan.returned_at and done.loan.due_on < (
        local_date(now)
    ):
        detail = _("It was %(days)d days late. Put it back on the shelf.",
                   days=(local_date(now) - done.loan.due_on).days)
    return result(OK, _("Returned: %(title)s", title=title), detail,
                  barcode=copy.barcode, copy_id=copy.id)
