"""The desk between scans, kept in the volunteer's session: the current borrower (forgotten
after an idle time, on a shared desk PC), the mode, check-in mode's running list, and what
the desk panel shows."""

import time

import sqlalchemy as sa
from flask import current_app, session

from app.circulation import lookups
from app.circulation.forms import DESK_MODES, BorrowerForm, ConfirmForm
from app.circulation.rules import local_date, member_blocks
from app.extensions import db
from app.models import Book, Copy, Hold, HoldStatus, Loan, Member, utcnow
from app.notices.services import last_overdue_notice

# The current borrower is forgotten after this long without a scan (a shared desk PC).
DESK_IDLE_SECONDS = 120
# How many check-ins the running list of check-in mode shows.
RETURNS_SHOWN = 30


def _idle_seconds() -> int:
    return int(current_app.config.get("DESK_IDLE_SECONDS", DESK_IDLE_SECONDS))


def borrower() -> Member | None:
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


def set_borrower(member_id: int | None) -> None:
    """Make a member the current borrower (None: nobody)."""
    session.pop("desk_asked", None)
    if member_id is None:
        session.pop("desk_member", None)
    else:
        session["desk_member"] = {"id": member_id, "at": time.time()}


def touch_borrower() -> None:
    """Keep the current borrower (a scan or an action for them restarts the idle time)."""
    state = session.get("desk_member")
    if state:
        session["desk_member"] = {"id": state["id"], "at": time.time()}


def mode() -> str:
    """Return the desk's mode: "auto" (lend to the borrower, else check in) or "checkin"."""
    current = session.get("desk_mode", "auto")
    return current if current in DESK_MODES else "auto"


def set_mode(new: str) -> None:
    """Switch mode; check-in mode starts with nobody as the borrower and an empty list."""
    session["desk_mode"] = new
    session.pop("desk_returns", None)
    if new == "checkin":
        set_borrower(None)


def asked() -> dict:
    """Return what the last answer asked the next scan for: {"return": copy id} (scan the
    just-lent copy again to return it) or {"pickup": copy id} (the holder's card)."""
    return dict(session.get("desk_asked") or {})


def record_scan(result: dict) -> None:
    """Remember what a scan changed: the borrower it chose, the check-in it made, and what
    it asks of the next scan."""
    session.pop("desk_asked", None)
    if result.get("ask_return"):
        session["desk_asked"] = {"return": result["ask_return"]}
    elif result.get("ask_pickup"):
        session["desk_asked"] = {"pickup": result["ask_pickup"]}
    if "borrower_id" in result:
        set_borrower(result["borrower_id"])
    else:
        touch_borrower()
    if mode() == "checkin" and result.get("copy_id"):
        # Ids only: the session is a cookie and must stay small.
        entry = [result["copy_id"], result["outcome"], result.get("holder")]
        session["desk_returns"] = [entry, *session.get("desk_returns", [])][:RETURNS_SHOWN]


def _returns() -> list[dict]:
    """Return check-in mode's running list, newest first."""
    entries = session.get("desk_returns", [])
    ids = {entry[0] for entry in entries}
    copies = {c.id: c for c in db.session.scalars(sa.select(Copy).where(Copy.id.in_(ids)))}
    return [{"item": copies[copy_id], "outcome": outcome, "holder": holder}
            for copy_id, outcome, holder in entries if copy_id in copies]


def _overdue_notices(loans: list[Loan], today) -> dict:
    """Return {loan id: the last overdue notice sent about it} for the overdue loans, a text
    message before an email (the desk says "notified by text on 12/3")."""
    notified = {}
    for loan in loans:
        if loan.is_overdue(today):
            notice = last_overdue_notice(loan) or last_overdue_notice(loan, channel="email")
            if notice is not None:
                notified[loan.id] = notice
    return notified


def panel(result: dict | None) -> dict:
    """Gather what the desk panel shows."""
    now = utcnow()
    current = borrower()
    context = {"borrower": current, "mode": mode(), "result": result,
               "returns": _returns() if mode() == "checkin" else [],
               "today": local_date(now), "idle_seconds": _idle_seconds(),
               "confirm_form": ConfirmForm(),
               "serial": time.monotonic_ns()}  # tells a script (and tests) a new answer came
    if current is not None:
        context["loans"] = lookups.open_loans(current)
        context["notified"] = _overdue_notices(context["loans"], context["today"])
        context["holds"] = lookups.active_holds(current)
        context["blocks"] = member_blocks(current, now=now)
    if result and result.get("choices"):
        context["choices"] = db.session.scalars(
            sa.select(Member).where(Member.id.in_(result["choices"])).order_by(Member.name)
        ).all()
        context["borrower_form"] = BorrowerForm()
    if result and result.get("book_id"):
        context.update(_book_view(result["book_id"]))
    return context


def _book_view(book_id: int) -> dict:
    """Return a scanned ISBN's book with its copies' open loans and hold-shelf holds."""
    return {
        "book": db.session.get(Book, book_id),
        "copy_loans": {
            loan.copy_id: loan for loan in db.session.scalars(
                sa.select(Loan).join(Copy).where(Copy.book_id == book_id,
                                                 Loan.returned_at.is_(None)))
        },
        "copy_holds": {
            hold.copy_id: hold for hold in db.session.scalars(
                sa.select(Hold).where(Hold.book_id == book_id,
                                      Hold.status == HoldStatus.READY))
        },
    }
