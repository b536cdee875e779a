"""Intake use cases: receive donated books by scanning them, one copy per scan.

A scan's ISBN is looked up (app.intake.lookup), an unknown book is catalogued
(app.intake.books), and the copy joins the donation being received
(app.intake.donations). Services flush, never commit: the route or command commits once
per use case.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import make_transient_to_detached

from app import isbn as isbnmod
from app.campaigns.services import default_campaign
from app.catalog import store
from app.catalog.callnumbers import Given, call_number_for, next_copy_number
from app.core import audit
from app.core.numbering import next_copy_barcode
from app.errors import CannotUndo, InvalidInput, IsbnTaken, MetadataRequired, NothingToUndo
from app.extensions import begin_write, db
from app.intake.books import (
    BookFields,
    apply_addon,
    fields_from_metadata,
    new_book,
    provisional_title,
)
from app.intake.donations import (
    DonationContext,
    DonationSoFar,
    campaign_for,
    donation_so_far,
    donor_by_card,
    ensure_donation,
    last_copy,
    resume_donation,
)
from app.intake.lookup import (
    SOURCE_CATALOG,
    SOURCE_MANUAL,
    book_by_isbn,
    lookup_metadata,
    read_isbn,
)
from app.models import Book, Copy, CopyStatus, Donation, Hold, LabelQueueItem, Loan, Member

__all__ = [
    "DEFAULT_CAMPAIGN", "IntakeResult", "Undone", "add_another_copy", "intake_scan",
    "receive_copy", "save_manual_book", "undo_last",
]

# The same ISBN again within this time, in the same donation, is a double scan.
DOUBLE_SCAN = timedelta(seconds=2)


@dataclass
class IntakeResult:
    """What one scan did: the copy (new, or the earlier one on a double scan)."""

    copy: Copy
    book: Book
    donation: Donation
    duplicate: bool = False
    created_book: bool = False
    source: str | None = None
    # The donation's copies and titles with this scan (None: not known, ask donation_tally).
    tally: dict | None = None
    # The call number the new copy was given (None on a double scan).
    given: Given | None = None


@functools.cache
def _barcode_taken_query() -> sa.Select:
    return sa.select(Copy.id).where(Copy.barcode == sa.bindparam("barcode"))


class CapReached(Exception):
    """Copies of the title reached the copy cap while this intake read (seen under its lock)."""

    def __init__(self, copies: int):
        super().__init__(copies)
        self.copies = copies


def copies_in_collection(book_id: int) -> int:
    """Return how many copies of a title the collection has (withdrawn ones not)."""
    return db.session.scalar(
        sa.select(sa.func.count(Copy.id))
        .where(Copy.book_id == book_id, Copy.status != CopyStatus.WITHDRAWN))


def lock_title(book_id: int) -> None:
    """Keep other intakes from adding a copy of the title until this transaction ends: on
    SQLite the database's write lock (begin_write), on PostgreSQL the book's row."""
    begin_write()
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(sa.select(Book.id).where(Book.id == book_id).with_for_update())


_COPY_INSERT = sa.insert(Copy.__table__)
_LABEL_QUEUE_INSERT = sa.insert(LabelQueueItem.__table__)


def _add_copy(book: Book, context: DonationContext, *, by: Member, now: datetime,
              so_far: DonationSoFar | None = None, cap: int = 0) -> tuple[Copy, dict, Given]:
    """Add a copy of the book to the donation; return it, the donation's new tally, and the
    call number it was given (none when the book has no class number yet).

    With a copy `cap`, the title's copies are counted again under its lock, before anything
    is written, and CapReached is raised when they reached it: the triage counted them
    before, while other volunteers' scans of the title could still get in.

    Everything is read first (so_far), then written with plain INSERTs: from the counter's
    UPDATE to the commit the transaction holds the database's write lock (SQLite) or the
    counter row's lock (PostgreSQL), and every other intake waits for it.
    """
    if so_far is None:
        so_far = donation_so_far(context.donation, book)
    number = next_copy_number(book)
    given = call_number_for(book, number)
    begin_write()
    if cap:
        lock_title(book.id)
        copies = copies_in_collection(book.id)
        if copies >= cap:
            raise CapReached(copies)
    donation = ensure_donation(context, by=by, now=now)
    barcode = next_copy_barcode()
    # The write lock (SQLite: begin_write) or the counter's UPDATE (PostgreSQL) waits for
    # any other intake to commit, so only now is the book's highest copy number settled:
    # when a copy of it got in meanwhile, number it again.
    settled = next_copy_number(book)
    if settled != number:
        given = call_number_for(book, settled)
    # An imported collection may already use some 201 numbers: skip those.
    while db.session.scalar(_barcode_taken_query(), {"barcode": barcode}) is not None:
        barcode = next_copy_barcode()
    values = dict(
        barcode=barcode,
        book_id=book.id,
        site_id=donation.site_id,
        call_number=given.call_number,
        shelf=given.shelf if given.call_number else None,
        copy_number=given.copy_number,
        status=CopyStatus.AVAILABLE,
        status_changed_at=now,
        donation_id=donation.id,
        note=None,
        created_at=now,
        created_by_id=by.id,
        label_printed_at=None,
    )
    copy_id = db.session.execute(_COPY_INSERT, values).inserted_primary_key[0]
    db.session.execute(_LABEL_QUEUE_INSERT,
                       {"copy_id": copy_id, "added_at": now, "added_by_id": by.id})
    audit.insert("copy.create", actor=by, entity="copy", entity_id=copy_id, now=now,
                 barcode=barcode, book_id=book.id, donation_id=donation.id)
    # The session learns the copy as if it had read it back (no query, nothing to flush).
    copy = Copy(id=copy_id, **values)
    make_transient_to_detached(copy)
    db.session.add(copy)
    return copy, so_far.tally_after(added=True), given


def _is_double_scan(copy: Copy | None, book: Book, now: datetime) -> bool:
    return copy is not None and copy.book_id == book.id and now - copy.created_at < DOUBLE_SCAN


def intake_scan(
    raw: str,
    context: DonationContext,
    *,
    by: Member,
    now: datetime,
    fields: BookFields | None = None,
    complete_later: bool = False,
    force: bool = False,
    cap: int = 0,
) -> IntakeResult:
    """Turn one scanned ISBN into a new copy of the donation; raise MetadataRequired if unknown.

    A book in the catalogue gets a new copy at once. An unknown ISBN is looked up (cache,
    then providers); `fields` (typed by a person) are used instead when given, and
    `complete_later` saves it with the ISBN only, flagged for completion. The same ISBN
    again within DOUBLE_SCAN adds nothing (unless `force`). The triage's copy `cap` is
    counted again under the title's lock (CapReached).
    """
    scan = read_isbn(raw)
    book = book_by_isbn(scan.isbn13)
    if book is not None:
        so_far = donation_so_far(context.donation, book)
        if not force and _is_double_scan(so_far.newest, book, now):
            earlier = so_far.newest
            return IntakeResult(earlier, book, earlier.donation, duplicate=True,
                                source=SOURCE_CATALOG, tally=so_far.tally_after(added=False))
        if scan.addon is not None and not book.addon_code:
            with store.editing(book):
                apply_addon(book, scan.addon.code)
        copy, tally, given = _add_copy(book, context, by=by, now=now, so_far=so_far,
                                       cap=0 if force else cap)
        return IntakeResult(copy, book, context.donation, source=SOURCE_CATALOG, tally=tally,
                            given=given)

    try:
        return _intake_new_book(scan, context, by=by, now=now, fields=fields,
                                complete_later=complete_later)
    except IsbnTaken:
        result = _catalogued_meanwhile(scan, context, by=by, now=now)
        if result is None:
            raise
        return result


def _intake_new_book(scan: isbnmod.Scan, context: DonationContext, *, by: Member,
                     now: datetime, fields: BookFields | None,
                     complete_later: bool) -> IntakeResult:
    fields = fields.cleaned() if fields is not None else None
    if complete_later:
        partial = fields or BookFields()
        partial.title = partial.title or provisional_title(scan.isbn13)
        source = SOURCE_MANUAL if fields is not None and fields.title else None
        book = new_book(scan, fields=partial, source=source, needs_metadata=True,
                         by=by, now=now)
    elif fields is not None and fields.title:
        book = new_book(scan, fields=fields, source=SOURCE_MANUAL, needs_metadata=False,
                         by=by, now=now)
        source = SOURCE_MANUAL
    else:
        metadata, source = lookup_metadata(scan.isbn13, now=now)
        if metadata is None:
            raise MetadataRequired()
        book = new_book(scan, fields=fields_from_metadata(metadata), source=metadata.source,
                         needs_metadata=False, kdc=metadata.kdc, addon_code=metadata.addon_code,
                         by=by, now=now)
    copy, tally, given = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, created_book=True, source=source,
                        tally=tally, given=given)


def _catalogued_meanwhile(scan: isbnmod.Scan, context: DonationContext, *, by: Member,
                          now: datetime) -> IntakeResult | None:
    """Another volunteer saved the same new ISBN a moment ago: add our copy to that book."""
    book = book_by_isbn(scan.isbn13)
    if book is None:
        return None
    copy, tally, given = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, source=SOURCE_CATALOG, tally=tally,
                        given=given)


def save_manual_book(
    context: DonationContext,
    *,
    isbn: str | None,
    fields: BookFields,
    complete_later: bool = False,
    by: Member,
    now: datetime,
) -> IntakeResult:
    """Save a book typed in by hand (with its ISBN, or none) and its first copy."""
    if isbn:
        return intake_scan(isbn, context, by=by, now=now, fields=fields,
                           complete_later=complete_later, force=True)
    fields = fields.cleaned()
    if not fields.title:
        raise InvalidInput()
    book = new_book(None, fields=fields, source=SOURCE_MANUAL, needs_metadata=complete_later,
                     by=by, now=now)
    copy, tally, given = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, created_book=True, source=SOURCE_MANUAL,
                        tally=tally, given=given)


def add_another_copy(book: Book, context: DonationContext, *, by: Member,
                     now: datetime) -> IntakeResult:
    """Add one more copy of a book on purpose (after a double scan, or a second copy)."""
    copy, tally, given = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, source=SOURCE_CATALOG, tally=tally,
                        given=given)


DEFAULT_CAMPAIGN = "default"


def receive_copy(raw: str | None, *, fields: BookFields | None, donor_card: str | None,
                 campaign_id: int | None | str = DEFAULT_CAMPAIGN, by: Member, now: datetime,
                 force: bool = False, complete_later: bool = False,
                 context: DonationContext | None = None, cap: int = 0) -> IntakeResult:
    """Receive one donated copy in one call (the API): a scan, or typed fields alone.

    The copy joins the volunteer's recent donation with this donor and campaign (the default
    campaign unless one, or None, is given). Raise MetadataRequired when no source knows the
    ISBN and no fields were typed.
    """
    if not raw and fields is None:
        raise InvalidInput(_l("The field '%(name)s' is required."), name="scan")
    if raw:
        read_isbn(raw)  # a bad scan is refused before anything else is looked up
    if context is None:
        context = api_donation(donor_card, campaign_id, by=by, now=now)
    if raw:
        return intake_scan(raw, context, by=by, now=now, fields=fields,
                           complete_later=complete_later, force=force, cap=cap)
    return save_manual_book(context, isbn=None, fields=fields, by=by, now=now)


def api_donation(donor_card: str | None, campaign_id: int | None | str, *, by: Member,
                 now: datetime) -> DonationContext:
    """Return the donation an API call adds to: the volunteer's recent one with this donor
    and campaign (the default campaign unless one, or None, is given), or a new one."""
    donor = donor_by_card(donor_card) if donor_card else None
    campaign = (default_campaign() if campaign_id == DEFAULT_CAMPAIGN
                else campaign_for(campaign_id))
    return resume_donation(donor=donor, campaign=campaign, by=by, now=now)


@dataclass
class Undone:
    """What undo removed."""

    barcode: str
    title: str
    book_removed: bool


def undo_last(context: DonationContext, *, by: Member, now: datetime) -> Undone:
    """Remove the donation's newest copy (and its book, if that scan created it)."""
    copy = last_copy(context.donation)
    if copy is None:
        raise NothingToUndo()
    has_loans = db.session.scalar(sa.select(sa.func.count(Loan.id)).where(Loan.copy_id == copy.id))
    held = db.session.scalar(sa.select(sa.func.count(Hold.id)).where(Hold.copy_id == copy.id))
    if has_loans or held or copy.status is not CopyStatus.AVAILABLE or copy.label_printed_at:
        raise CannotUndo()
    book = copy.book
    undone = Undone(barcode=copy.barcode, title=book.title, book_removed=False)
    db.session.execute(sa.delete(LabelQueueItem).where(LabelQueueItem.copy_id == copy.id))
    db.session.delete(copy)
    db.session.flush()
    audit.record("copy.undo", actor=by, entity="copy", entity_id=copy.id, now=now,
                 barcode=undone.barcode, book_id=book.id)
    others = db.session.scalar(sa.select(sa.func.count(Copy.id)).where(Copy.book_id == book.id))
    holds = db.session.scalar(sa.select(sa.func.count(Hold.id)).where(Hold.book_id == book.id))
    # The scan created the book too (same use case, same clock): remove it with its copy.
    created_together = (book.created_at == copy.created_at
                        and book.created_by_id == copy.created_by_id)
    if not others and not holds and created_together:
        audit.record("book.undo", actor=by, entity="book", entity_id=book.id, now=now,
                     isbn13=book.isbn13, title=book.title)
        store.delete(book)
        undone.book_removed = True
    db.session.expire_all()
    return undone


