"""Finding what the desk and the members' pages act on: copies, members, loans, holds.

Lookups read and never write; one that finds nothing raises the area's NotFound error.
"""

import functools
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.core.text import escape_like, nfc
from app.errors import UnknownBook, UnknownCopy, UnknownHold, UnknownLoan, UnknownMember
from app.extensions import db
from app.models import Book, Copy, Hold, HoldStatus, Loan, Member, Role


def clean_code(text: str | None) -> str:
    """Return scanned or typed text without control characters (a database refuses NUL)."""
    return "".join(
        ch for ch in (text or "") if unicodedata.category(ch) not in ("Cc", "Cf")
    ).strip()


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
