"""Circulation use cases: check out, return, renew, holds, copy states, overdue.

Every function takes the actor and the time (`by`, `now`), flushes and never commits;
a refusal is a DomainError the desk, the member's page and the API all show.
"""

import functools
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.core import audit
from app.core.defaults import loan_rules
from app.core.text import escape_like, nfc
from app.errors import (
    AlreadyBorrowed,
    BookAvailable,
    BookOnHold,
    CopyNotAvailable,
    CopyOnLoan,
    Forbidden,
    HeldForOther,
    HoldExists,
    HoldLimitReached,
    HoldNotActive,
    InvalidInput,
    LoanClosed,
    LoanLimitReached,
    LoanOverdue,
    MemberBlocked,
    NoCopies,
    NotOnLoan,
    RenewalLimitReached,
    SelfCheckoutOff,
    UnknownBook,
    UnknownCopy,
    UnknownHold,
    UnknownLoan,
    UnknownMember,
)
from app.extensions import db, savepoint
from app.models import (
    Book,
    Copy,
    CopyStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanRules,
    Member,
    Role,
)

# The café's calendar: due dates and pickup deadlines are days in Korea.
LOCAL_TZ = ZoneInfo("Asia/Seoul")
# A check-in of a copy returned this recently is a double scan, not an error.
DOUBLE_SCAN_WINDOW = timedelta(seconds=10)
# States a copy can be put into by hand at the desk.
MANUAL_STATES = (CopyStatus.LOST, CopyStatus.DAMAGED, CopyStatus.WITHDRAWN, CopyStatus.AVAILABLE,
                 CopyStatus.MISSING)
# States of a copy that is not where it should be: checking it in brings it back.
NOT_FOUND_STATES = (CopyStatus.LOST, CopyStatus.MISSING)


def local_date(now: datetime) -> date:
    """Return the café's calendar date at `now`."""
    return now.astimezone(LOCAL_TZ).date()


def mask_name(name: str | None) -> str:
    """Return a name shown to others at the desk: its first letter and "OO" ("김OO").

    Always two O's, whatever the name's length: "Emma Wilson" is "EOO", not ten O's
    that tell how long the name is.
    """
    letters = "".join((name or "").split())
    if not letters:
        return "—"
    return letters[0] + "OO"


def borrower_key(member: Member, now: datetime) -> str:
    """Return a keyed, irreversible pseudonym of member and month, for usage statistics."""
    month = local_date(now).strftime("%Y-%m")
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{member.id}:{month}".encode(), hashlib.sha256).hexdigest()[:32]


def clean_code(text: str | None) -> str:
    """Return scanned or typed text without control characters (a database refuses NUL)."""
    return "".join(
        ch for ch in (text or "") if unicodedata.category(ch) not in ("Cc", "Cf")
    ).strip()


# ---------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------


# The desk's statements are built once and run with their parameters: building them (and
# their cache keys) anew on every scan costs more than the queries themselves.
@functools.cache
def _copy_by_barcode_query() -> sa.Select:
    # With its book in the same query: every caller shows the title.
    return (sa.select(Copy).where(Copy.barcode == sa.bindparam("barcode"))
            .options(joinedload(Copy.book, innerjoin=True)))


@functools.cache
def _member_by_card_query() -> sa.Select:
    return sa.select(Member).where(Member.card_barcode == sa.bindparam("card"))


@functools.cache
def _open_loan_query() -> sa.Select:
    return (sa.select(Loan).where(Loan.copy_id == sa.bindparam("copy_id"),
                                  Loan.returned_at.is_(None))
            .options(joinedload(Loan.member)))


@functools.cache
def _open_loans_query() -> sa.Select:
    return (sa.select(Loan).where(Loan.member_id == sa.bindparam("member_id"),
                                  Loan.returned_at.is_(None))
            .order_by(Loan.due_on, Loan.id))


@functools.cache
def _rules_query() -> sa.Select:
    return sa.select(LoanRules).where(LoanRules.site_id == sa.bindparam("site_id"))


def copy_by_barcode(barcode: str) -> Copy:
    """Return the copy with this barcode, or raise UnknownCopy."""
    code = clean_code(barcode)
    copy = db.session.scalar(_copy_by_barcode_query(), {"barcode": code}) if code else None
    if copy is None:
        raise UnknownCopy()
    return copy


def member_by_card(card: str) -> Member:
    """Return the active member with this card, or raise UnknownMember."""
    code = clean_code(card)
    member = None
    if code:
        member = db.session.scalar(_member_by_card_query(), {"card": code})
    if member is None or member.anonymised_at is not None:
        raise UnknownMember()
    return member


def get_book(book_id: int) -> Book:
    """Return a book by id, or raise UnknownBook."""
    book = db.session.get(Book, book_id)
    if book is None:
        raise UnknownBook()
    return book


def loan_for(loan_id: int, actor: Member) -> Loan:
    """Return a loan the actor may see (their own, or any for desk staff), else UnknownLoan."""
    loan = db.session.get(Loan, loan_id)
    if loan is None or not (loan.is_borrowed_by(actor) or actor.has_role(Role.VOLUNTEER)):
        raise UnknownLoan()  # someone else's loan looks the same as none
    return loan


def hold_for(hold_id: int, actor: Member) -> Hold:
    """Return a hold the actor may see (their own, or any for desk staff), else UnknownHold."""
    hold = db.session.get(Hold, hold_id)
    if hold is None or not (hold.is_held_by(actor) or actor.has_role(Role.VOLUNTEER)):
        raise UnknownHold()
    return hold


def find_members(query: str, *, limit: int = 20) -> list[Member]:
    """Return active members whose name or phone matches, for a member without a card."""
    text = nfc(clean_code(query)) or ""
    if len(text) < 1:
        return []
    like = "%" + escape_like(text) + "%"
    conditions = [Member.name.ilike(like, escape="\\")]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4:
        phone = sa.func.replace(sa.func.replace(Member.phone, "-", ""), " ", "")
        conditions.append(phone.like("%" + digits + "%"))
    return list(
        db.session.scalars(
            sa.select(Member)
            .where(sa.or_(*conditions), Member.active.is_(True), Member.anonymised_at.is_(None))
            .order_by(Member.name, Member.id)
            .limit(limit)
        )
    )


def open_loan(copy: Copy) -> Loan | None:
    """Return the copy's open loan, if any (with its borrower, whom a check-in looks at)."""
    return db.session.scalar(_open_loan_query(), {"copy_id": copy.id})


def open_loans(member: Member) -> list[Loan]:
    """Return a member's open loans, soonest due first."""
    return list(db.session.scalars(_open_loans_query(), {"member_id": member.id}))


def loan_history(member: Member, *, limit: int = 100) -> list[Loan]:
    """Return a member's returned loans that are kept (only when they chose to keep them)."""
    return list(
        db.session.scalars(
            sa.select(Loan)
            .where(Loan.member_id == member.id, Loan.returned_at.is_not(None))
            .order_by(Loan.returned_at.desc(), Loan.id.desc())
            .limit(limit)
        )
    )


def active_holds(member: Member) -> list[Hold]:
    """Return a member's waiting and ready holds, ready first."""
    holds = db.session.scalars(
        sa.select(Hold)
        .where(Hold.member_id == member.id, Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]))
        .order_by(Hold.placed_at, Hold.id)
    )
    return sorted(holds, key=lambda h: h.status is not HoldStatus.READY)


def queue_position(hold: Hold) -> int | None:
    """Return a waiting hold's place in its book's queue (1 = next), else None."""
    if hold.status is not HoldStatus.WAITING:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Hold.id)).where(
            Hold.book_id == hold.book_id,
            Hold.status == HoldStatus.WAITING,
            sa.or_(
                Hold.placed_at < hold.placed_at,
                sa.and_(Hold.placed_at == hold.placed_at, Hold.id < hold.id),
            ),
        )
    )
    return ahead + 1


def ready_hold_for_copy(copy: Copy) -> Hold | None:
    """Return the hold a copy is kept on the hold shelf for, if any."""
    return db.session.scalar(
        sa.select(Hold).where(Hold.copy_id == copy.id, Hold.status == HoldStatus.READY)
    )


def rules_for(copy: Copy | None = None) -> LoanRules:
    """Return the loan rules of the copy's site (or of the default site)."""
    if copy is not None:
        # One query on the desk's hot path; the defaults are made only when missing.
        rules = db.session.scalar(_rules_query(), {"site_id": copy.site_id})
        if rules is not None:
            return rules
        from app.models import Site

        return loan_rules(db.session.get(Site, copy.site_id))
    return loan_rules()


# ---------------------------------------------------------------------------
# Blocks: what keeps a member from borrowing, in plain words
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A reason a member cannot borrow now (the message translates when shown)."""

    code: str
    template: object
    params: tuple = ()

    @property
    def message(self) -> str:
        """Return the reason in plain words, in the current language."""
        return str(self.template) % dict(self.params) if self.params else str(self.template)


def member_blocks(member: Member, *, now: datetime, rules: LoanRules | None = None) -> list[Block]:
    """Return the reasons the member cannot borrow now (empty when they can)."""
    rules = rules or rules_for()
    today = local_date(now)
    blocks: list[Block] = []
    if not member.is_active:
        blocks.append(Block("inactive", _l("This account is deactivated.")))
    loans = open_loans(member)
    overdue = [loan for loan in loans if loan.is_overdue(today)]
    if overdue and rules.overdue_blocks:
        blocks.append(Block(
            "overdue", _l("%(count)d overdue book(s): return them before borrowing more."),
            (("count", len(overdue)),)))
    if len(loans) >= rules.max_loans:
        blocks.append(Block(
            "limit", _l("%(count)d books on loan: the limit of %(max)d is reached."),
            (("count", len(loans)), ("max", rules.max_loans))))
    return blocks


# ---------------------------------------------------------------------------
# Holds: the shelf, expiry, passing on
# ---------------------------------------------------------------------------


def _next_waiting(book_id: int) -> Hold | None:
    return db.session.scalar(
        sa.select(Hold)
        .where(Hold.book_id == book_id, Hold.status == HoldStatus.WAITING)
        .order_by(Hold.placed_at, Hold.id)
        .limit(1)
    )


def _shelve_or_release(copy: Copy, *, now: datetime, rules: LoanRules) -> Hold | None:
    """Put a copy that came back on the hold shelf for the next in line, or on the shelf."""
    hold = _next_waiting(copy.book_id)
    while hold is not None and (hold.member is None or not hold.member.is_active):
        hold.close(HoldStatus.CANCELLED, now)  # the holder left; skip them
        hold = _next_waiting(copy.book_id)
    if hold is None:
        _set_status(copy, CopyStatus.AVAILABLE, now)
        return None
    hold.mark_ready(copy, now, local_date(now) + timedelta(days=rules.hold_shelf_days))
    _set_status(copy, CopyStatus.ON_HOLD_SHELF, now)
    db.session.flush()
    return hold


def _set_status(copy: Copy, status: CopyStatus, now: datetime) -> None:
    if copy.status != status:
        copy.status = status
        copy.status_changed_at = now


def _expire(hold: Hold, *, now: datetime) -> Hold | None:
    """Expire one uncollected hold; return the hold the copy passed to, if any."""
    copy = hold.copy
    hold.close(HoldStatus.EXPIRED, now)
    hold.copy_id = None
    db.session.flush()
    audit.record("hold.expire", actor=None, entity="hold", entity_id=hold.id, now=now)
    if copy is None or copy.status is not CopyStatus.ON_HOLD_SHELF:
        return None
    return _shelve_or_release(copy, now=now, rules=rules_for(copy))


def expire_holds(*, now: datetime) -> list[Hold]:
    """Expire every hold not picked up in time, passing each copy to the next in line."""
    today = local_date(now)
    expired = list(
        db.session.scalars(
            sa.select(Hold)
            .where(Hold.status == HoldStatus.READY, Hold.pickup_by < today)
            .order_by(Hold.pickup_by, Hold.id)
        )
    )
    for hold in expired:
        _expire(hold, now=now)
    return expired


def expire_hold_for_copy(copy: Copy, *, now: datetime) -> Hold | None:
    """Expire the copy's hold if its pickup time has passed (the desk does it lazily)."""
    hold = ready_hold_for_copy(copy)
    if hold is not None and hold.is_past_pickup(local_date(now)):
        _expire(hold, now=now)
    return ready_hold_for_copy(copy)


def place_hold(book: Book, member: Member, *, now: datetime) -> Hold:
    """Put the member in the queue for a book (filled by the next returned copy)."""
    rules = rules_for()
    if not member.is_active:
        raise MemberBlocked(name=member.name)
    existing = db.session.scalar(
        sa.select(Hold).where(
            Hold.book_id == book.id, Hold.member_id == member.id,
            Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]),
        )
    )
    if existing is not None:
        raise HoldExists()
    if any(loan.copy.book_id == book.id for loan in open_loans(member)):
        raise AlreadyBorrowed()
    copies = [c for c in book.copies if c.status in _LENDABLE]
    if not copies:
        raise NoCopies()
    if any(c.status is CopyStatus.AVAILABLE for c in copies):
        raise BookAvailable()
    count = db.session.scalar(
        sa.select(sa.func.count(Hold.id)).where(
            Hold.member_id == member.id,
            Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]),
        )
    )
    if count >= rules.max_holds:
        raise HoldLimitReached(count=count)
    hold = Hold(book_id=book.id, member_id=member.id, site_id=copies[0].site_id,
                status=HoldStatus.WAITING, placed_at=now)
    try:
        with savepoint():
            db.session.add(hold)
    except IntegrityError:
        raise HoldExists() from None  # a second click raced the first
    audit.record("hold.place", actor=member, entity="hold", entity_id=hold.id, now=now,
                 book_id=book.id)
    return hold


_LENDABLE = (CopyStatus.AVAILABLE, CopyStatus.ON_LOAN, CopyStatus.ON_HOLD_SHELF)


def cancel_hold(hold: Hold, *, by: Member, now: datetime) -> None:
    """Cancel a hold; a copy kept on the shelf for it passes to the next in line."""
    if not (hold.is_held_by(by) or by.has_role(Role.VOLUNTEER)):
        raise Forbidden()
    if not hold.is_active:
        raise HoldNotActive()
    copy = hold.copy if hold.status is HoldStatus.READY else None
    hold.close(HoldStatus.CANCELLED, now)
    hold.copy_id = None
    db.session.flush()
    audit.record("hold.cancel", actor=by, entity="hold", entity_id=hold.id, now=now)
    if copy is not None and copy.status is CopyStatus.ON_HOLD_SHELF:
        _shelve_or_release(copy, now=now, rules=rules_for(copy))


# ---------------------------------------------------------------------------
# Check out, return, renew
# ---------------------------------------------------------------------------


@dataclass
class Checkout:
    """What a checkout did: the loan, and whether it was new (False for a double scan)."""

    loan: Loan
    created: bool
    hold: Hold | None = None


def _not_available(copy: Copy, loan: Loan | None) -> CopyNotAvailable:
    """Return the refusal for a copy that cannot be lent, saying why."""
    if loan is not None:
        return CopyNotAvailable(
            _l("This copy is already on loan to someone else (due %(due)s). Check it in "
               "first."), due=loan.due_on.isoformat())
    reasons = {
        CopyStatus.LOST: _l("This copy is marked lost. Check it in to put it back."),
        CopyStatus.MISSING: _l("This copy is marked missing (not found at a stocktake). Check "
                               "it in to put it back."),
        CopyStatus.DAMAGED: _l("This copy is marked damaged and is not lent."),
        CopyStatus.WITHDRAWN: _l("This copy is withdrawn from the collection."),
    }
    return CopyNotAvailable(reasons.get(copy.status))


def check_out(copy: Copy, member: Member, *, by: Member, now: datetime) -> Checkout:
    """Lend a copy to a member (a repeated scan answers with the same loan)."""
    loan = open_loan(copy)
    if loan is not None:
        if loan.is_borrowed_by(member):
            return Checkout(loan, created=False)
        raise _not_available(copy, loan)
    rules = rules_for(copy)
    if copy.status not in (CopyStatus.AVAILABLE, CopyStatus.ON_HOLD_SHELF):
        raise _not_available(copy, None)
    if not member.is_active:
        raise MemberBlocked(_l("%(name)s's account is deactivated."), name=member.name)
    hold = None
    if copy.status is CopyStatus.ON_HOLD_SHELF:
        hold = expire_hold_for_copy(copy, now=now)
        if hold is not None and not hold.is_held_by(member):
            raise HeldForOther(holder=mask_name(hold.member.name if hold.member else None))
    if hold is None:
        # Taken from the open shelf: it fulfils the member's own waiting hold, if any.
        hold = db.session.scalar(
            sa.select(Hold).where(Hold.book_id == copy.book_id, Hold.member_id == member.id,
                                  Hold.status == HoldStatus.WAITING)
        )
    today = local_date(now)
    loans = open_loans(member)
    overdue = [existing for existing in loans if existing.is_overdue(today)]
    if overdue and rules.overdue_blocks:
        raise MemberBlocked(
            _l("%(name)s has %(count)d overdue book(s) and cannot borrow until they are "
               "returned."), name=member.name, count=len(overdue))
    if len(loans) >= rules.max_loans:
        raise LoanLimitReached(name=member.name, count=len(loans))
    loan = Loan(
        copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=copy.site_id,
        checked_out_at=now,
        due_on=today + timedelta(days=rules.loan_days), renewals=0,
        checked_out_by_id=by.id, borrower_key=borrower_key(member, now),
    )
    try:
        # The unique index on open loans is the last word when two desks race.
        with savepoint():
            db.session.add(loan)
            db.session.flush()
            _set_status(copy, CopyStatus.ON_LOAN, now)
            db.session.flush()
    except IntegrityError:
        db.session.expire(copy)
        winner = _winning_loan(copy)
        if winner is not None and winner.is_borrowed_by(member):
            return Checkout(winner, created=False)
        raise _not_available(copy, winner) from None
    if hold is not None:
        hold.close(HoldStatus.FULFILLED, now)
        hold.copy_id = copy.id
    audit.insert("loan.checkout", actor=by, entity="loan", entity_id=loan.id, now=now,
                 copy=copy.barcode)
    return Checkout(loan, created=True, hold=hold)


def _winning_loan(copy: Copy) -> Loan | None:
    """Return the open loan that another request committed first."""
    return db.session.scalar(
        sa.select(Loan).where(Loan.copy_id == copy.id, Loan.returned_at.is_(None))
    )


def self_check_out(copy: Copy, member: Member, *, now: datetime) -> Checkout:
    """Let a logged-in member check out a copy themselves, when the rules allow it."""
    if not rules_for(copy).self_checkout:
        raise SelfCheckoutOff()
    return check_out(copy, member, by=member, now=now)


@dataclass
class Return:
    """What a check-in did."""

    copy: Copy
    loan: Loan | None
    hold: Hold | None = None
    repeated: bool = False
    found: bool = False
    expired: bool = False


def return_copy(copy: Copy, *, by: Member, now: datetime) -> Return:
    """Check a copy in; it goes to the hold shelf for the next in line, or back on the shelf."""
    rules = rules_for(copy)
    loan = open_loan(copy)
    if loan is None:
        if copy.status in NOT_FOUND_STATES:
            # A lost or missing copy found again comes back into the collection.
            audit.record("copy.found", actor=by, entity="copy", entity_id=copy.id, now=now)
            hold = _shelve_or_release(copy, now=now, rules=rules)
            return Return(copy, None, hold=hold, found=True)
        recent = db.session.scalar(
            sa.select(Loan)
            .where(Loan.copy_id == copy.id, Loan.returned_at >= now - DOUBLE_SCAN_WINDOW)
            .order_by(Loan.returned_at.desc())
            .limit(1)
        )
        if recent is not None:
            return Return(copy, recent, hold=ready_hold_for_copy(copy), repeated=True)
        if _found_since(copy, now - DOUBLE_SCAN_WINDOW):
            return Return(copy, None, hold=ready_hold_for_copy(copy), repeated=True, found=True)
        if copy.status is CopyStatus.ON_HOLD_SHELF:
            # Tidying the hold shelf: an uncollected hold expires and the copy moves on.
            kept = ready_hold_for_copy(copy)
            current = expire_hold_for_copy(copy, now=now)
            if kept is not None and current is kept:
                raise NotOnLoan(
                    _l("This copy is on the hold shelf for %(holder)s until %(date)s."),
                    holder=mask_name(kept.member.name if kept.member else None),
                    date=kept.pickup_by.isoformat())
            if kept is not None:
                return Return(copy, None, hold=current, expired=True)
        raise NotOnLoan()
    member = loan.member
    keep = bool(member is not None and member.keep_history)
    # A conditional update, so two desks returning the same copy close it only once.
    # On the table, not the ORM entity (its bulk-update bookkeeping is not needed here).
    loans = Loan.__table__
    closed = db.session.execute(
        sa.update(loans)
        .where(loans.c.id == loan.id, loans.c.returned_at.is_(None))
        .values(returned_at=now, returned_by_id=by.id,
                member_id=loan.member_id if keep else None)
    ).rowcount
    if closed == 0:
        db.session.refresh(loan)  # another desk closed it: show what it wrote
        return Return(copy, loan, hold=ready_hold_for_copy(copy), repeated=True)
    # Our update closed it: the loan now holds what we wrote (no need to read it back).
    for name, value in (("returned_at", now.astimezone(UTC)), ("returned_by_id", by.id),
                        ("member_id", loan.member_id if keep else None),
                        ("member", member if keep else None)):
        set_committed_value(loan, name, value)
    audit.insert("loan.return", actor=by, entity="loan", entity_id=loan.id, now=now,
                 copy=copy.barcode)
    if copy.status in (CopyStatus.DAMAGED, CopyStatus.WITHDRAWN):
        return Return(copy, loan)
    hold = _shelve_or_release(copy, now=now, rules=rules)
    return Return(copy, loan, hold=hold)


def _found_since(copy: Copy, since: datetime) -> bool:
    """Tell whether a lost copy was found (checked in) since `since`: a double scan."""
    from app.models import AuditEvent

    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "copy.found", AuditEvent.entity == "copy",
            AuditEvent.entity_id == copy.id, AuditEvent.at >= since,
        )
    ) > 0


def renew(loan: Loan, *, by: Member, now: datetime) -> Loan:
    """Extend a loan by the renewal days, unless a rule says no (the reason is given)."""
    if not loan.can_renew(by):
        raise UnknownLoan()
    if not loan.is_open:
        raise LoanClosed()
    rules = rules_for(loan.copy)
    today = local_date(now)
    if loan.renewals >= rules.max_renewals:
        raise RenewalLimitReached(count=loan.renewals)
    if loan.days_overdue(today) > rules.renew_overdue_days:
        raise LoanOverdue(days=loan.days_overdue(today))
    waiting = db.session.scalar(
        sa.select(sa.func.count(Hold.id)).where(
            Hold.book_id == loan.copy.book_id,
            Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]),
            sa.or_(Hold.member_id.is_(None), Hold.member_id != loan.member_id),
        )
    )
    if waiting:
        raise BookOnHold()
    old = loan.due_on
    loan.extend(today, rules.renewal_days)
    db.session.flush()
    audit.record("loan.renew", actor=by, entity="loan", entity_id=loan.id, now=now,
                 old=old.isoformat(), new=loan.due_on.isoformat())
    return loan


# ---------------------------------------------------------------------------
# Copy states: lost, damaged, withdrawn, back in service
# ---------------------------------------------------------------------------


def set_copy_state(copy: Copy, status: CopyStatus, *, by: Member, now: datetime) -> Copy:
    """Mark a copy lost, missing, damaged or withdrawn, or put it back in service."""
    if status not in MANUAL_STATES:
        raise InvalidInput()
    if copy.status == status:
        return copy
    loan = open_loan(copy)
    if loan is not None:
        if status is not CopyStatus.LOST:
            raise CopyOnLoan()
        # Lost while on loan: the loan ends (the café settles with the member in person).
        member = loan.member
        loan.mark_returned(now, by, keep_member=bool(member and member.keep_history))
    hold = ready_hold_for_copy(copy)
    if hold is not None:
        hold.back_to_waiting()  # the holder keeps their place for the next copy
    old = copy.status
    db.session.flush()
    if status is CopyStatus.AVAILABLE:
        _shelve_or_release(copy, now=now, rules=rules_for(copy))
    else:
        _set_status(copy, status, now)
    db.session.flush()
    audit.record("copy.status", actor=by, entity="copy", entity_id=copy.id, now=now,
                 old=str(old), new=str(copy.status))
    return copy


def mark_lost(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Mark a copy lost (an open loan on it ends)."""
    return set_copy_state(copy, CopyStatus.LOST, by=by, now=now)


def mark_damaged(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Mark a copy damaged: it is no longer lent."""
    return set_copy_state(copy, CopyStatus.DAMAGED, by=by, now=now)


def mark_withdrawn(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Withdraw a copy from the collection."""
    return set_copy_state(copy, CopyStatus.WITHDRAWN, by=by, now=now)


def mark_available(copy: Copy, *, by: Member, now: datetime) -> Copy:
    """Put a damaged, withdrawn, lost or missing copy back in service."""
    return set_copy_state(copy, CopyStatus.AVAILABLE, by=by, now=now)


# ---------------------------------------------------------------------------
# Overdue
# ---------------------------------------------------------------------------


@dataclass
class Overdue:
    """A member's overdue loans, for the desk's list and the reminder letters."""

    member: Member
    loans: list[Loan]
    today: date

    @property
    def most_days(self) -> int:
        """Return the days overdue of the oldest loan."""
        return max(loan.days_overdue(self.today) for loan in self.loans)


def overdue_by_member(*, now: datetime, member: Member | None = None) -> list[Overdue]:
    """Return members with overdue loans, longest overdue first."""
    today = local_date(now)
    query = (
        sa.select(Loan)
        .where(Loan.returned_at.is_(None), Loan.due_on < today, Loan.member_id.is_not(None))
        .order_by(Loan.due_on, Loan.id)
    )
    if member is not None:
        query = query.where(Loan.member_id == member.id)
    groups: dict[int, Overdue] = {}
    for loan in db.session.scalars(query):
        groups.setdefault(loan.member_id, Overdue(loan.member, [], today)).loans.append(loan)
    return sorted(groups.values(), key=lambda o: (-o.most_days, o.member.name))


REMINDER_INTERVAL = timedelta(days=7)


def reminder_due(member: Member, *, now: datetime) -> bool:
    """Tell whether a member has had no overdue reminder by email in the last week."""
    from app.models import AuditEvent

    last = db.session.scalar(
        sa.select(sa.func.max(AuditEvent.at)).where(
            AuditEvent.action == "loan.reminder", AuditEvent.entity == "member",
            AuditEvent.entity_id == member.id,
        )
    )
    return last is None or last <= now - REMINDER_INTERVAL


def record_reminder(member: Member, *, now: datetime, loans: int) -> None:
    """Note that a reminder was sent (so the next run waits a week)."""
    audit.record("loan.reminder", actor=None, entity="member", entity_id=member.id, now=now,
                 loans=loans)
