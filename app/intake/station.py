"""The scan station's state machine: a donation being received, one action at a time.

The station's state is a small dict that the routes keep in the session: who gives
(donor_id), for which campaign (campaign_id), the donation so far (donation_id, once its
first copy is in), the last book received (book_id, for "another copy"), what the last
action did (last, shown as the scan result) and the book the short form asks for
(pending). Each verb calls one use case and changes the state; a refused use case raises
its DomainError with nothing kept, and `refused` notes it on the station as the result.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app import isbn as isbnmod
from app.callnumbers import parse_call_number
from app.catalog.services import book_addon
from app.errors import DomainError, InvalidInput, MetadataRequired, NoBookYet, UnknownMember
from app.extensions import db
from app.intake import services
from app.intake.books import BookFields
from app.intake.donations import (
    DonationContext,
    campaign_for,
    change_campaign,
    donation_tally,
    donor_by_card,
    find_donors,
    start_donation,
)
from app.intake.triage import active_partners
from app.intake.triage_station import TriageSteps
from app.models import MAX_ID, Book, Campaign, Copy, Donation, Member

# Typed into the scan field (or pressed alone, with JavaScript): one key per action.
KEYS = {"again": "+", "undo": "-", "no_isbn": "*"}
RECENT = 10  # copies of the donation listed under the scan result


def book_view(book: Book) -> dict:
    """Return what the station shows of a book, the add-on spelled out."""
    return {"book": book, "addon": book_addon(book)}


def find_donor(*, anonymous: bool, donor_id: int | None, text: str) -> Member | None | list[Member]:
    """Return who gives: none (anonymous), the member picked from a list (donor_id), the
    member whose card was scanned, or the one member whose name or phone matches `text`;
    several matching members are returned as a list, for the volunteer to pick one."""
    if anonymous:
        return None
    if donor_id:
        member = db.session.get(Member, donor_id) if 1 <= donor_id <= MAX_ID else None
        if member is None:
            raise UnknownMember()
        return member
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Scan the donor's card, type a name or phone, or choose anonymous."))
    scan = isbnmod.parse_scan(text)
    if scan.kind is isbnmod.ScanKind.MEMBER:
        return donor_by_card(scan.code)
    matches = find_donors(text)
    if not matches:
        raise UnknownMember(_("No member matches. Try another name or phone, or choose "
                              "anonymous."))
    return matches[0] if len(matches) == 1 else matches


class Station(TriageSteps):
    """The donation being received at the scan station, and what its last action did."""

    def __init__(self, state: dict, context: DonationContext):
        self.state = state
        self.context = context
        self._raw: str | None = None  # the scan being received, for a refusal's message

    @classmethod
    def restore(cls, state: object) -> Station | None:
        """Return the station kept in `state` (the session's), or None if none was begun."""
        if not isinstance(state, dict):
            return None
        state = dict(state)

        def get(model, key):
            return db.session.get(model, state[key]) if state.get(key) else None

        context = DonationContext(donor=get(Member, "donor_id"),
                                  campaign=get(Campaign, "campaign_id"),
                                  donation=get(Donation, "donation_id"))
        return cls(state, context)

    @classmethod
    def begin(cls, *, donor: Member | None, campaign_id: int | None, by: Member,
              now: datetime) -> Station:
        """Start receiving books from a donor (None: anonymous) for a campaign (or none)."""
        context = start_donation(donor=donor, campaign=campaign_for(campaign_id), by=by, now=now)
        state = {"donor_id": donor.id if donor else None,
                 "campaign_id": context.campaign.id if context.campaign else None,
                 "donation_id": None, "last": None, "pending": None}
        return cls(state, context)

    @property
    def pending(self) -> dict | None:
        """Return the book the short form asks for (its ISBN, or none), if it is open."""
        return self.state.get("pending")

    # -- the actions ----------------------------------------------------------------

    def scan(self, raw: str, *, by: Member, now: datetime) -> None:
        """Receive one scan: a book's ISBN (a new copy), or one of the one-key commands."""
        raw = raw.strip()
        if self.triage_key(raw, by=by, now=now):
            return None
        if raw == KEYS["again"]:
            return self.again(by=by, now=now)
        if raw == KEYS["undo"]:
            if self.drop_hold():
                return None
            return self.undo(by=by, now=now)
        if raw == KEYS["no_isbn"]:
            return self.no_isbn()
        self.state["pending"] = None
        self._raw = raw
        try:
            if self.held_back(raw, now=now):
                return None
            result = self.scanned_copy(raw, by=by, now=now)
            if result is None:
                return None
        except MetadataRequired:
            # Not a refusal: nobody knows the ISBN, so the short form asks for the book.
            # Only the metadata cache was written, and it is kept.
            scan = isbnmod.parse_scan(raw)
            code = scan.isbn13 + (scan.addon.code if scan.addon else "")
            self.state["pending"] = {"isbn": code, "isbn13": scan.isbn13,
                                     "hyphenated": scan.hyphenated}
            self._remember(kind="unknown", raw=raw[:64])
            return None
        self._received(result)
        return None

    def again(self, *, by: Member, now: datetime) -> None:
        """Add another copy of the last book received, on purpose."""
        book_id = self.state.get("book_id")
        book = db.session.get(Book, book_id) if book_id else None
        if book is None:
            raise NoBookYet()
        self._received(services.add_another_copy(book, self.context, by=by, now=now))

    def undo(self, *, by: Member, now: datetime) -> None:
        """Undo the donation's last copy (and its book, if that scan created it)."""
        undone = services.undo_last(self.context, by=by, now=now)
        self.state["pending"] = None
        if undone.book_removed:
            self.state["book_id"] = None
        self._remember(kind="undone", barcode=undone.barcode, title=undone.title)

    def no_isbn(self) -> None:
        """Open the short form for a book without an ISBN."""
        self.state["pending"] = {"isbn": None, "isbn13": None, "hyphenated": None}
        self._remember(kind="no_isbn")

    def cancel_manual(self) -> None:
        """Close the short form without saving."""
        self.state["pending"] = None
        self._remember(kind="cancelled")

    def save_manual(self, fields: BookFields, *, later: bool, by: Member,
                    now: datetime) -> str | None:
        """Save the book typed into the short form (or with its ISBN only) with its copy.

        Return the next book's scan when a scanner fired into the title field: the
        volunteer moved on, so this book is saved with its ISBN only.
        """
        isbn = self.pending.get("isbn")
        later = later and isbn is not None
        title = (fields.title or "").strip()
        next_scan = None
        if isbn and isbnmod.parse_scan(title).is_book:
            next_scan, title, later = title, "", True
        if not title and not later:
            raise InvalidInput(_("Type the title, or save with the ISBN only.") if isbn
                               else _("Type the title."))
        result = services.save_manual_book(
            self.context, isbn=isbn, fields=dataclasses.replace(fields, title=title or None),
            complete_later=later, by=by, now=now)
        self.state["pending"] = None
        self._received(result)
        return next_scan

    def change_campaign(self, campaign_id: int | None, *, by: Member, now: datetime) -> None:
        """Count the donation being received towards another campaign (or none)."""
        campaign = campaign_for(campaign_id)
        change_campaign(self.context, campaign, by=by, now=now)
        self.state["campaign_id"] = campaign.id if campaign else None

    def received(self) -> int:
        """Return how many copies the donation has received."""
        return donation_tally(self.context.donation)["copies"]

    def refused(self, error: DomainError) -> None:
        """Note a refused action as the result (what a non-book scan was, when known)."""
        if self._raw is None:
            self._remember(kind="refused", code=error.code, message=str(error))
            return
        self._remember(kind="refused", code=error.code, message=_refusal(error, self._raw),
                       raw=self._raw[:64])

    # -- what the station shows -----------------------------------------------------

    def view(self) -> dict:
        """Return what the station page shows: the donation, its tally, the last result."""
        donation = self.context.donation
        last = self.state.get("last") or {}
        last_copy = db.session.get(Copy, last["copy_id"]) if last.get("copy_id") else None
        recent = []
        if donation is not None:
            recent = list(db.session.scalars(
                sa.select(Copy).where(Copy.donation_id == donation.id)
                .order_by(Copy.id.desc()).limit(RECENT)
            ))
        return {"context": self.context, "tally": donation_tally(donation), "last": last,
                "last_copy": last_copy, "recent": recent, "pending": self.pending,
                "last_view": book_view(last_copy.book) if last_copy else None,
                "held": self.held, "flag": self.state.get("flag"),
                "partners": active_partners() if self.held else []}

    def _received(self, result: services.IntakeResult) -> None:
        self.state["book_id"] = result.book.id
        given = result.given
        mark = None
        if given is not None and given.call_number:
            mark = parse_call_number(given.call_number).author_mark
        self._remember(kind="duplicate" if result.duplicate else "created",
                       copy_id=result.copy.id, created_book=result.created_book,
                       source=result.source, call_mark=mark,
                       call_moved_from=given.moved_from if given else None,
                       call_collides=bool(given and given.collides))

    def _remember(self, **last) -> None:
        if self.context.donation is not None:
            self.state["donation_id"] = self.context.donation.id
        self.state["last"] = last


def _refusal(error: DomainError, raw: str) -> str:
    """Return why a scan was refused, saying what a copy or member barcode was."""
    scan = isbnmod.parse_scan(raw)
    if scan.kind is isbnmod.ScanKind.COPY:
        copy = db.session.scalar(sa.select(Copy).where(Copy.barcode == scan.code))
        if copy is not None:
            return _("This is the copy %(barcode)s of “%(title)s”, already catalogued.",
                     barcode=copy.barcode, title=copy.book.title)
    elif scan.kind is isbnmod.ScanKind.MEMBER:
        return _("This is a member card. To receive books from another donor, finish "
                 "this donation and start a new one.")
    return str(error)
