"""A member's whole visit at the desk: returns, loans and a hold pickup with them selected.

What a copy scan means depends on the copy and on who is selected:

| selected | the copy is                          | the desk                                   |
| -------- | ------------------------------------ | ------------------------------------------ |
| member   | on loan to them, lent seconds ago    | nothing (a double scan)                    |
| member   | on loan to them, from an older visit | returns it (said plainly, with Undo)       |
| member   | on loan to someone else, for a while | returns it, then lends it (both said)      |
| member   | lent to someone else minutes ago     | refuses (check it in first)                |
| member   | on the hold shelf for them           | lends it; the hold is fulfilled            |
| nobody   | lent minutes ago (Esc, then rescan)  | asks: scan it again to return it           |
| nobody   | on the hold shelf for someone        | says whose, asks for that card (amber)     |
| nobody   | on loan                              | returns it                                 |

A loan made also says, in amber lines that need no key: other members wait for the title,
the member already has a copy of it, the member is near the loan limit.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.circulation import desk, loans, lookups
from app.circulation.privacy import mask_name
from app.circulation.rules import local_date, rules_for
from app.core.i18n import sentence_date
from app.errors import DomainError
from app.extensions import db, savepoint
from app.models import Copy, CopyStatus, Hold, HoldStatus, Loan, Member

# A copy lent this recently and scanned again with nobody selected (Esc, then the same
# book) is returned only on a second scan: it is far more likely a slip than a return.
JUST_LENT = timedelta(minutes=15)


def scan_for_borrower(copy: Copy, borrower: Member, *, by: Member, now: datetime) -> dict:
    """Answer a copy scanned with a member selected."""
    loan = lookups.open_loan(copy)
    if loan is None or now - loan.checked_out_at <= loans.DOUBLE_SCAN_WINDOW:
        return desk.check_out(copy, borrower, by=by, now=now)
    if loan.is_borrowed_by(borrower):
        return _return_own(copy, loan, borrower, by=by, now=now)
    if now - loan.checked_out_at <= JUST_LENT:
        return desk.check_out(copy, borrower, by=by, now=now)  # refused: lent just now
    return _return_then_lend(copy, loan, borrower, by=by, now=now)


def _return_own(copy: Copy, loan: Loan, borrower: Member, *, by: Member,
                now: datetime) -> dict:
    """The member brought back their own book: return it, and offer Undo."""
    answer = desk.check_in(copy, by=by, now=now)
    if answer["outcome"] == desk.REFUSED:
        return answer
    answer["detail"] = " ".join(filter(None, [
        _("%(name)s brought it back.", name=borrower.name), answer.get("detail", "")]))
    answer["undo"] = loan.id
    return answer


def _return_then_lend(copy: Copy, loan: Loan, borrower: Member, *, by: Member,
                      now: datetime) -> dict:
    """The copy is still on someone else's card: return it first, then lend it."""
    before = mask_name(loan.member.name) if loan.member is not None else "—"
    title = copy.book.title
    returned = desk.check_in(copy, by=by, now=now)
    if returned["outcome"] == desk.REFUSED:
        return returned
    said = _("Returned from %(holder)s's card.", holder=before)
    try:
        with savepoint():  # a refused loan keeps the return
            done = loans.check_out(copy, borrower, by=by, now=now)
    except DomainError as error:
        return desk.result(desk.ASK, _("Returned, not lent: %(title)s", title=title),
                           f"{said} {error}", barcode=copy.barcode, copy_id=copy.id,
                           code=error.code)
    return desk.result(
        desk.OK, _("Returned and lent: %(title)s", title=title),
        f"{said} " + _("Due %(due)s", due=desk.due_text(done.loan)),
        barcode=copy.barcode, copy_id=copy.id, due_on=done.loan.due_on.isoformat(),
        warnings=warnings(copy, borrower, done.loan, now=now))


def scan_with_nobody(copy: Copy, *, by: Member, now: datetime, confirmed: bool) -> dict:
    """Answer a copy scanned with nobody selected: mostly a return."""
    loan = lookups.open_loan(copy)
    if (loan is not None and not confirmed
            and loans.DOUBLE_SCAN_WINDOW < now - loan.checked_out_at <= JUST_LENT):
        holder = mask_name(loan.member.name) if loan.member is not None else "—"
        return desk.result(
            desk.ASK, _("Just lent to %(holder)s: return it?", holder=holder),
            _("Scan it again to check it in, or scan the member's card to lend it."),
            barcode=copy.barcode, copy_id=copy.id, ask_return=copy.id)
    if loan is None and copy.status is CopyStatus.ON_HOLD_SHELF:
        shelf = lookups.ready_hold_for_copy(copy)
        if shelf is not None and not shelf.is_past_pickup(local_date(now)):
            return on_hold_shelf(copy, shelf)
    return desk.check_in(copy, by=by, now=now)


def on_hold_shelf(copy: Copy, hold: Hold) -> dict:
    """Say whose hold-shelf copy this is and ask for their card (amber, not an error)."""
    holder = mask_name(hold.member.name) if hold.member is not None else "—"
    return desk.result(
        desk.ASK, _("On the hold shelf for %(holder)s", holder=holder),
        _("%(title)s is kept for %(holder)s until %(date)s. Scan their card to lend it.",
          title=copy.book.title, holder=holder, date=sentence_date(hold.pickup_by)),
        barcode=copy.barcode, copy_id=copy.id, holder=holder, ask_pickup=copy.id)


def pickup_after_card(chosen: dict, copy_id: int, *, by: Member, now: datetime) -> dict:
    """The card scanned after a hold-shelf copy: lend it at once when the hold is theirs."""
    copy = db.session.get(Copy, copy_id)
    member = db.session.get(Member, chosen["borrower_id"])
    hold = lookups.ready_hold_for_copy(copy) if copy is not None else None
    if hold is None or member is None or not hold.is_held_by(member):
        return chosen
    lent = desk.check_out(copy, member, by=by, now=now)
    lent["title"] = f"{chosen['title']} · {lent['title']}"
    lent["borrower_id"] = member.id
    return lent


def warnings(copy: Copy, borrower: Member, loan: Loan, *, now: datetime) -> list[str]:
    """Return the amber lines a new loan needs said (none needs a key)."""
    said = []
    waiting = db.session.scalar(
        sa.select(sa.func.count(Hold.id)).where(
            Hold.book_id == copy.book_id, Hold.status == HoldStatus.WAITING,
            sa.or_(Hold.member_id.is_(None), Hold.member_id != borrower.id)))
    if waiting:
        said.append(ngettext("%(num)d other member is waiting for this title.",
                             "%(num)d other members are waiting for this title.", waiting))
    mine = lookups.open_loans(borrower)
    if any(other.book_id == copy.book_id and other.id != loan.id for other in mine):
        said.append(_("%(name)s already has a copy of this title.", name=borrower.name))
    limit = rules_for(copy).max_loans
    if len(mine) >= limit - 1:
        said.append(_("%(name)s has %(count)d of %(max)d books allowed on loan.",
                      name=borrower.name, count=len(mine), max=limit))
    return said
