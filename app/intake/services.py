"""Intake use cases: receive donated books by scanning them, one copy per scan.

The lookup chain for an ISBN is: our catalogue, then the metadata cache, then the
configured providers (through app.isbn, within a time budget). Services flush, never
commit: the route or command commits once per use case.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from app import audit
from app import isbn as isbnmod
from app.defaults import default_site
from app.errors import (
    BadCheckDigit,
    CampaignClosed,
    CannotUndo,
    DonorInactive,
    InvalidInput,
    InvalidISBN,
    IsbnTaken,
    MetadataRequired,
    NotABookBarcode,
    NothingToUndo,
    UnknownCampaign,
    UnknownMember,
)
from app.extensions import db, savepoint
from app.models import (
    Book,
    Campaign,
    Copy,
    CopyStatus,
    Donation,
    Hold,
    LabelQueueItem,
    Loan,
    Member,
    MetadataCache,
)
from app.text import escape_like, nfc

MAX_ID = 2**31 - 1  # the databases' integer range

# The same ISBN again within this time, in the same donation, is a double scan.
DOUBLE_SCAN = timedelta(seconds=2)
# How long the metadata cache keeps an answer, a "nobody knows it" and a failed try.
CACHE_FOUND_FOR = timedelta(days=30)
CACHE_MISS_FOR = timedelta(days=1)
CACHE_ERROR_FOR = timedelta(hours=1)
# An API intake continues the volunteer's donation (same donor and campaign) when its
# last copy is this recent; otherwise it starts a new donation.
API_DONATION_IDLE = timedelta(minutes=30)

SOURCE_CATALOG = "catalog"
SOURCE_CACHE = "cache"
SOURCE_MANUAL = "manual"

TITLE_MAX = 500
AUTHORS_MAX = 1000
PUBLISHER_MAX = 300


# ---------------------------------------------------------------------------
# Reading a scan
# ---------------------------------------------------------------------------


def scan_error(scan: isbnmod.Scan) -> InvalidISBN:
    """Return the DomainError that tells the volunteer what a non-ISBN scan was."""
    if scan.kind is isbnmod.ScanKind.BAD_CHECK_DIGIT:
        return BadCheckDigit(scan.message)
    if scan.kind in (isbnmod.ScanKind.OTHER_EAN, isbnmod.ScanKind.COPY,
                     isbnmod.ScanKind.MEMBER):
        return NotABookBarcode(scan.message)
    return InvalidISBN(scan.message or InvalidISBN.default_message)


def read_isbn(raw: str) -> isbnmod.Scan:
    """Parse a scan and return it when it is a book ISBN; raise a clear InvalidISBN if not."""
    if not isinstance(raw, str) or len(raw) > 64:
        raise InvalidISBN()
    scan = isbnmod.parse_scan(raw)
    if not scan.is_book:
        raise scan_error(scan)
    return scan


# The statements of a scan are built once and run with their parameters: building them
# (and their cache keys) anew costs more than the queries themselves.
@functools.cache
def _book_by_isbn_query() -> sa.Select:
    return sa.select(Book).where(Book.isbn13 == sa.bindparam("isbn13"))


def book_by_isbn(isbn13: str) -> Book | None:
    """Return our book with this ISBN-13, if any."""
    return db.session.scalar(_book_by_isbn_query(), {"isbn13": isbn13})


# ---------------------------------------------------------------------------
# Metadata: cache and providers
# ---------------------------------------------------------------------------


def _metadata_payload(metadata: isbnmod.Metadata) -> dict:
    payload = dataclasses.asdict(metadata)
    payload["contributors"] = [list(pair) for pair in metadata.contributors]
    return payload


def _metadata_from_payload(payload: object) -> isbnmod.Metadata | None:
    if not isinstance(payload, dict):
        return None
    names = {f.name for f in dataclasses.fields(isbnmod.Metadata)}
    values = {k: v for k, v in payload.items() if k in names}
    try:
        values["contributors"] = [tuple(pair) for pair in values.get("contributors") or []]
        metadata = isbnmod.Metadata(**values)
    except (TypeError, ValueError):
        return None
    return metadata if metadata.title else None


def book_metadata(book: Book) -> isbnmod.Metadata:
    """Return our book's record in the shape providers answer with."""
    return isbnmod.Metadata(
        isbn13=book.isbn13 or "",
        title=book.title,
        subtitle=book.subtitle,
        authors=book.author_list,
        publisher=book.publisher,
        year=book.year,
        language=book.language,
        kdc=book.kdc,
        addon_code=book.addon_code,
        source=SOURCE_CATALOG,
    )


@dataclass(frozen=True)
class ProviderOptions:
    """Which providers to ask, and how long to wait."""

    services: tuple[str, ...]
    timeout: float
    budget: float
    nlk_key: str | None = None


def provider_options() -> ProviderOptions:
    """Return the provider settings of the current app (METADATA_*, NLK_API_KEY)."""
    config = current_app.config
    return ProviderOptions(
        services=tuple(config.get("METADATA_SERVICES") or ()),
        timeout=float(config.get("METADATA_TIMEOUT", 2.5)),
        budget=float(config.get("METADATA_BUDGET", 4)),
        nlk_key=config.get("NLK_API_KEY") or None,
    )


def _store_cache(isbn13: str, *, found: bool, source: str | None, payload: dict | None,
                 now: datetime, ttl: timedelta) -> None:
    values = dict(found=found, source=source, payload=payload, fetched_at=now,
                  expires_at=now + ttl)
    # An upsert: two workers caching the same ISBN at once is not an error.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(MetadataCache.__table__).values(isbn13=isbn13, **values)
        .on_conflict_do_update(index_elements=["isbn13"], set_=values)
    )
    entry = db.session.get(MetadataCache, isbn13)
    if entry is not None:
        db.session.refresh(entry)


def _flush_or_clash(new: object | None = None) -> None:
    """Add `new` and flush in a savepoint; raise IsbnTaken on a unique clash (only `new`
    is rolled back)."""
    try:
        with savepoint():
            if new is not None:
                db.session.add(new)
            db.session.flush()
    except IntegrityError:
        raise IsbnTaken() from None


def lookup_metadata(
    isbn13: str, *, now: datetime, refresh: bool = False
) -> tuple[isbnmod.Metadata | None, str | None]:
    """Return (metadata, source) from the cache or the providers; (None, None) if unknown."""
    entry = db.session.get(MetadataCache, isbn13)
    if entry is not None and not refresh and entry.expires_at > now:
        if not entry.found:
            return None, None
        metadata = _metadata_from_payload(entry.payload)
        if metadata is not None:
            return metadata, SOURCE_CACHE
    options = provider_options()
    if not options.services:
        return None, None
    # Idempotent; done here so a changed config (tests, instance/config.py) is honoured.
    isbnmod.configure_providers(options.nlk_key, options.timeout)
    result = isbnmod.lookup(isbn13, services=options.services, timeout=options.timeout,
                            budget=options.budget)
    if result.metadata is not None:
        _store_cache(isbn13, found=True, source=result.source,
                     payload=_metadata_payload(result.metadata), now=now, ttl=CACHE_FOUND_FOR)
        return result.metadata, result.source
    asked = [a for a in result.attempts
             if a.outcome is not isbnmod.Outcome.SKIPPED_UNCONFIGURED]
    if asked:
        all_said_no = all(a.outcome is isbnmod.Outcome.NOT_FOUND for a in asked)
        _store_cache(isbn13, found=False, source=None, payload=None, now=now,
                     ttl=CACHE_MISS_FOR if all_said_no else CACHE_ERROR_FOR)
    return None, None


@dataclass
class IsbnAnswer:
    """What the lookup chain knows about a scanned ISBN."""

    scan: isbnmod.Scan
    book: Book | None
    metadata: isbnmod.Metadata | None
    source: str | None


def find_isbn(raw: str, *, now: datetime) -> IsbnAnswer:
    """Read a scan and run the lookup chain: catalogue, cache, providers."""
    scan = read_isbn(raw)
    book = book_by_isbn(scan.isbn13)
    if book is not None:
        return IsbnAnswer(scan, book, book_metadata(book), SOURCE_CATALOG)
    metadata, source = lookup_metadata(scan.isbn13, now=now)
    return IsbnAnswer(scan, None, metadata, source)


# ---------------------------------------------------------------------------
# Book fields
# ---------------------------------------------------------------------------


@dataclass
class BookFields:
    """What a person typed (or a client sent) about a book."""

    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: int | None = None
    language: str | None = None

    def cleaned(self) -> BookFields:
        """Return the fields normalised (NFC, trimmed), or raise InvalidInput."""
        title = nfc(self.title)
        subtitle = nfc(self.subtitle)
        authors = [a for a in (nfc(x) for x in self.authors or []) if a]
        publisher = nfc(self.publisher)
        language = nfc(self.language)
        if title and len(title) > TITLE_MAX or subtitle and len(subtitle) > TITLE_MAX:
            raise InvalidInput()
        if len("; ".join(authors)) > AUTHORS_MAX or publisher and len(publisher) > PUBLISHER_MAX:
            raise InvalidInput()
        if language and len(language) > 8:
            raise InvalidInput()
        year = self.year
        if year is not None and (isinstance(year, bool) or not 0 <= int(year) <= 2200):
            raise InvalidInput()
        return BookFields(title, subtitle, authors, publisher, year,
                          language.lower() if language else None)


def provisional_title(isbn13: str) -> str:
    """Return the stand-in title of a book saved with its ISBN only."""
    return f"ISBN {isbn13}"


def _apply_addon(book: Book, code: str | None) -> None:
    """Store a Korean add-on and what it decodes to (the KDC class too, if unknown)."""
    if not code:
        return
    try:
        addon = isbnmod.decode_addon(code)
    except (TypeError, ValueError):
        return
    book.addon_code = addon.code
    book.addon_reader_group = addon.reader_group
    book.addon_form = addon.form
    book.addon_subject = addon.subject
    if not book.kdc:
        book.kdc_class = addon.kdc_class


def _set_kdc(book: Book, kdc: str | None) -> None:
    book.kdc = kdc or None
    if kdc and kdc[0].isdigit():
        book.kdc_class = kdc[0]
    elif book.addon_code:
        book.kdc_class = book.addon_code[2]
    else:
        book.kdc_class = None


def _new_book(scan: isbnmod.Scan | None, *, fields: BookFields, source: str | None,
              needs_metadata: bool, kdc: str | None = None, addon_code: str | None = None,
              by: Member, now: datetime) -> Book:
    if not fields.title:
        raise InvalidInput()
    book = Book(
        isbn13=scan.isbn13 if scan else None,
        isbn10=scan.isbn10 if scan else None,
        title=fields.title,
        subtitle=fields.subtitle,
        publisher=fields.publisher,
        year=fields.year,
        language=fields.language,
        metadata_source=source,
        needs_metadata=needs_metadata,
        created_at=now,
        updated_at=now,
        created_by_id=by.id,
    )
    book.author_list = fields.authors
    _set_kdc(book, kdc)
    addon = scan.addon.code if scan is not None and scan.addon else addon_code
    _apply_addon(book, addon)
    _flush_or_clash(book)  # someone may have catalogued the same ISBN a moment ago
    audit.record("book.create", actor=by, entity="book", entity_id=book.id, now=now,
                 isbn13=book.isbn13, source=source, needs_metadata=needs_metadata)
    return book


def _fields_from_metadata(metadata: isbnmod.Metadata) -> BookFields:
    year = metadata.year if metadata.year is not None and 0 <= metadata.year <= 2200 else None
    return BookFields(
        title=(metadata.title or "")[:TITLE_MAX] or None,
        subtitle=(metadata.subtitle or "")[:TITLE_MAX] or None,
        authors=list(metadata.authors or []),
        publisher=(metadata.publisher or "")[:PUBLISHER_MAX] or None,
        year=year,
        language=(metadata.language or "")[:8] or None,
    ).cleaned()


# ---------------------------------------------------------------------------
# Donations
# ---------------------------------------------------------------------------


@dataclass
class DonationContext:
    """Who is giving, for which campaign; the Donation row appears with the first copy."""

    donor: Member | None
    campaign: Campaign | None
    donation: Donation | None = None

    @property
    def anonymous(self) -> bool:
        """Tell whether the donor is unknown."""
        return self.donor is None


@functools.cache
def _default_campaign_query() -> sa.Select:
    return sa.select(Campaign).where(Campaign.is_default.is_(True), Campaign.is_active.is_(True),
                                     Campaign.closed_at.is_(None))


def default_campaign() -> Campaign | None:
    """Return the campaign intake preselects (active and default), if any."""
    return db.session.scalar(_default_campaign_query())


def open_campaigns() -> list[Campaign]:
    """Return the campaigns a donation can be counted towards."""
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.is_active.is_(True), Campaign.closed_at.is_(None))
        .order_by(Campaign.is_default.desc(), Campaign.starts_on.desc(), Campaign.id)
    ))


def campaign_for(campaign_id: int | None) -> Campaign | None:
    """Return an open campaign by id (None for none); raise when unknown or closed."""
    if campaign_id is None:
        return None
    # A larger number overflows the databases' integers (a 500 on PostgreSQL).
    in_range = 1 <= campaign_id <= MAX_ID
    campaign = db.session.get(Campaign, campaign_id) if in_range else None
    if campaign is None:
        raise UnknownCampaign()
    if not campaign.is_active or campaign.closed_at is not None:
        raise CampaignClosed()
    return campaign


def donor_by_card(card: str) -> Member:
    """Return the member with this card (scanned or typed); raise UnknownMember."""
    text = card.strip() if isinstance(card, str) else ""
    member = None
    if text:
        # As scanned (full-width digits, spaces and dashes tidied) or exactly as typed.
        code = isbnmod.parse_scan(text).code
        member = db.session.scalar(
            sa.select(Member).where(Member.card_barcode.in_({text, code}))
        )
    if member is None or member.anonymised_at is not None:
        raise UnknownMember()
    return member


def find_donors(q: str, *, limit: int = 20) -> list[Member]:
    """Return members whose name, phone (digits only) or card matches q."""
    q = (nfc(q) or "")[:100]
    if not q:
        return []
    like = "%" + escape_like(q) + "%"
    conditions = [Member.name.ilike(like, escape="\\"), Member.card_barcode == q]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 4:
        phone = sa.func.replace(sa.func.replace(Member.phone, "-", ""), " ", "")
        conditions.append(phone.like("%" + digits + "%"))
    return list(db.session.scalars(
        sa.select(Member).where(Member.anonymised_at.is_(None), sa.or_(*conditions))
        .order_by(Member.name, Member.id).limit(limit)
    ))


def start_donation(*, donor: Member | None, campaign: Campaign | None, by: Member,
                   now: datetime) -> DonationContext:
    """Begin receiving books from a donor (None: anonymous) for a campaign."""
    if donor is not None and not donor.is_active:
        raise DonorInactive()
    if campaign is not None and (not campaign.is_active or campaign.closed_at is not None):
        raise CampaignClosed()
    return DonationContext(donor=donor, campaign=campaign)


def change_campaign(context: DonationContext, campaign: Campaign | None, *, by: Member,
                    now: datetime) -> None:
    """Count the donation being received towards another campaign (or none)."""
    if campaign is not None and (not campaign.is_active or campaign.closed_at is not None):
        raise CampaignClosed()
    context.campaign = campaign
    donation = context.donation
    new_id = campaign.id if campaign is not None else None
    if donation is not None and donation.campaign_id != new_id:
        audit.record("donation.change_campaign", actor=by, entity="donation",
                     entity_id=donation.id, now=now, changes={
                         "campaign_id": [donation.campaign_id, new_id]})
        donation.campaign_id = new_id
        db.session.flush()


def resume_donation(*, donor: Member | None, campaign: Campaign | None, by: Member,
                    now: datetime) -> DonationContext:
    """Continue the volunteer's recent donation with this donor and campaign, or begin one."""
    context = start_donation(donor=donor, campaign=campaign, by=by, now=now)
    params = {"by_id": by.id, "since": now - API_DONATION_IDLE}
    if donor is not None:
        params["donor_id"] = donor.id
    if campaign is not None:
        params["campaign_id"] = campaign.id
    context.donation = db.session.scalar(
        _resume_query(donor is not None, campaign is not None), params)
    return context


@functools.cache
def _resume_query(with_donor: bool, with_campaign: bool) -> sa.Select:
    last_copy = (
        sa.select(sa.func.max(Copy.created_at)).where(Copy.donation_id == Donation.id)
        .scalar_subquery()
    )
    return sa.select(Donation).where(
        Donation.received_by_id == sa.bindparam("by_id"),
        (Donation.donor_id == sa.bindparam("donor_id")) if with_donor
        else Donation.donor_id.is_(None),
        Donation.anonymous.is_(not with_donor),
        (Donation.campaign_id == sa.bindparam("campaign_id")) if with_campaign
        else Donation.campaign_id.is_(None),
        last_copy > sa.bindparam("since", type_=Copy.created_at.type),
    ).order_by(Donation.id.desc()).limit(1)


def _ensure_donation(context: DonationContext, *, by: Member, now: datetime) -> Donation:
    if context.donation is None:
        donation = Donation(
            donor_id=context.donor.id if context.donor else None,
            anonymous=context.donor is None,
            campaign_id=context.campaign.id if context.campaign else None,
            site_id=default_site().id,
            received_at=now,
            received_by_id=by.id,
        )
        db.session.add(donation)
        db.session.flush()
        audit.record("donation.create", actor=by, entity="donation", entity_id=donation.id,
                     now=now, donor_id=donation.donor_id, campaign_id=donation.campaign_id)
        context.donation = donation
    return context.donation


def donation_tally(donation: Donation | None) -> dict:
    """Return how many copies and distinct titles a donation has so far."""
    if donation is None:
        return {"copies": 0, "titles": 0}
    copies, titles = db.session.execute(
        sa.select(sa.func.count(Copy.id), sa.func.count(sa.distinct(Copy.book_id)))
        .where(Copy.donation_id == donation.id)
    ).one()
    return {"copies": copies, "titles": titles}


@dataclass
class DonationSoFar:
    """A donation before the next scan: its newest copy, its tally, and whether it
    already has a copy of the scanned book."""

    newest: Copy | None
    copies: int = 0
    titles: int = 0
    has_book: bool = False

    def tally_after(self, added: bool) -> dict:
        """Return the tally once this scan's copy is added (or not, on a double scan)."""
        if not added:
            return {"copies": self.copies, "titles": self.titles}
        return {"copies": self.copies + 1,
                "titles": self.titles + (0 if self.has_book else 1)}


@functools.cache
def _so_far_query() -> sa.Select:
    of_donation = Copy.donation_id == sa.bindparam("donation_id")
    copies = sa.select(sa.func.count(Copy.id)).where(of_donation).scalar_subquery()
    titles = (sa.select(sa.func.count(sa.distinct(Copy.book_id))).where(of_donation)
              .scalar_subquery())
    of_book = (sa.select(sa.func.count(Copy.id))
               .where(of_donation, Copy.book_id == sa.bindparam("book_id")).scalar_subquery())
    return (sa.select(Copy, copies, titles, of_book).where(of_donation)
            .order_by(Copy.id.desc()).limit(1))


def donation_so_far(donation: Donation | None, book: Book) -> DonationSoFar:
    """Read the donation's newest copy and its tally in one query, before anything is
    written: the writes that follow hold the database's lock until the commit, so the
    fewer reads among them (only the barcode check is left), the shorter other scans wait."""
    if donation is None or donation.id is None:
        return DonationSoFar(None)
    row = db.session.execute(_so_far_query(),
                             {"donation_id": donation.id, "book_id": book.id}).first()
    if row is None:
        return DonationSoFar(None)
    return DonationSoFar(row[0], row[1], row[2], row[3] > 0)


# ---------------------------------------------------------------------------
# Scanning books in
# ---------------------------------------------------------------------------


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


@functools.cache
def _barcode_taken_query() -> sa.Select:
    return sa.select(Copy.id).where(Copy.barcode == sa.bindparam("barcode"))


_COPY_INSERT = sa.insert(Copy.__table__)
_LABEL_QUEUE_INSERT = sa.insert(LabelQueueItem.__table__)


def _add_copy(book: Book, context: DonationContext, *, by: Member, now: datetime,
              so_far: DonationSoFar | None = None) -> tuple[Copy, dict]:
    """Add a copy of the book to the donation; return it and the donation's new tally.

    Everything is read first (so_far), then written with plain INSERTs: from the counter's
    UPDATE to the commit the transaction holds the database's write lock (SQLite) or the
    counter row's lock (PostgreSQL), and every other intake waits for it.
    """
    from app.numbering import next_copy_barcode

    if so_far is None:
        so_far = donation_so_far(context.donation, book)
    donation = _ensure_donation(context, by=by, now=now)
    barcode = next_copy_barcode()
    # An imported collection may already use some 201 numbers: skip those.
    while db.session.scalar(_barcode_taken_query(), {"barcode": barcode}) is not None:
        barcode = next_copy_barcode()
    values = dict(
        barcode=barcode,
        book_id=book.id,
        site_id=donation.site_id,
        call_number=None,
        shelf=None,
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
    return copy, so_far.tally_after(added=True)


def last_copy(donation: Donation | None) -> Copy | None:
    """Return the newest copy of a donation."""
    if donation is None:
        return None
    return db.session.scalar(
        sa.select(Copy).where(Copy.donation_id == donation.id).order_by(Copy.id.desc()).limit(1)
    )


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
) -> IntakeResult:
    """Turn one scanned ISBN into a new copy of the donation; raise MetadataRequired if unknown.

    A book in the catalogue gets a new copy at once. An unknown ISBN is looked up (cache,
    then providers); `fields` (typed by a person) are used instead when given, and
    `complete_later` saves it with the ISBN only, flagged for completion. The same ISBN
    again within DOUBLE_SCAN adds nothing (unless `force`).
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
            _apply_addon(book, scan.addon.code)
        copy, tally = _add_copy(book, context, by=by, now=now, so_far=so_far)
        return IntakeResult(copy, book, context.donation, source=SOURCE_CATALOG, tally=tally)

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
        book = _new_book(scan, fields=partial, source=source, needs_metadata=True,
                         by=by, now=now)
    elif fields is not None and fields.title:
        book = _new_book(scan, fields=fields, source=SOURCE_MANUAL, needs_metadata=False,
                         by=by, now=now)
        source = SOURCE_MANUAL
    else:
        metadata, source = lookup_metadata(scan.isbn13, now=now)
        if metadata is None:
            raise MetadataRequired()
        book = _new_book(scan, fields=_fields_from_metadata(metadata), source=metadata.source,
                         needs_metadata=False, kdc=metadata.kdc, addon_code=metadata.addon_code,
                         by=by, now=now)
    copy, tally = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, created_book=True, source=source,
                        tally=tally)


def _catalogued_meanwhile(scan: isbnmod.Scan, context: DonationContext, *, by: Member,
                          now: datetime) -> IntakeResult | None:
    """Another volunteer saved the same new ISBN a moment ago: add our copy to that book."""
    book = book_by_isbn(scan.isbn13)
    if book is None:
        return None
    copy, tally = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, source=SOURCE_CATALOG, tally=tally)


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
    book = _new_book(None, fields=fields, source=SOURCE_MANUAL, needs_metadata=complete_later,
                     by=by, now=now)
    copy, tally = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, created_book=True, source=SOURCE_MANUAL,
                        tally=tally)


def add_another_copy(book: Book, context: DonationContext, *, by: Member,
                     now: datetime) -> IntakeResult:
    """Add one more copy of a book on purpose (after a double scan, or a second copy)."""
    copy, tally = _add_copy(book, context, by=by, now=now)
    return IntakeResult(copy, book, context.donation, source=SOURCE_CATALOG, tally=tally)


DEFAULT_CAMPAIGN = "default"


def receive_copy(raw: str | None, *, fields: BookFields | None, donor_card: str | None,
                 campaign_id: int | None | str = DEFAULT_CAMPAIGN, by: Member, now: datetime,
                 force: bool = False, complete_later: bool = False) -> IntakeResult:
    """Receive one donated copy in one call (the API): a scan, or typed fields alone.

    The copy joins the volunteer's recent donation with this donor and campaign (the default
    campaign unless one, or None, is given). Raise MetadataRequired when no source knows the
    ISBN and no fields were typed.
    """
    if not raw and fields is None:
        raise InvalidInput(_l("The field '%(name)s' is required."), name="scan")
    if raw:
        read_isbn(raw)  # a bad scan is refused before anything else is looked up
    donor = donor_by_card(donor_card) if donor_card else None
    campaign = (default_campaign() if campaign_id == DEFAULT_CAMPAIGN
                else campaign_for(campaign_id))
    context = resume_donation(donor=donor, campaign=campaign, by=by, now=now)
    if raw:
        return intake_scan(raw, context, by=by, now=now, fields=fields,
                           complete_later=complete_later, force=force)
    return save_manual_book(context, isbn=None, fields=fields, by=by, now=now)


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
        db.session.delete(book)
        db.session.flush()
        undone.book_removed = True
    db.session.expire_all()
    return undone


# ---------------------------------------------------------------------------
# Completing and editing books
# ---------------------------------------------------------------------------

EDITABLE = ("isbn13", "title", "subtitle", "authors", "publisher", "year", "language", "kdc",
            "addon_code", "description")


def edit_book(book: Book, values: dict, *, by: Member, now: datetime) -> dict:
    """Change a book's metadata; record every change in the audit trail; return the changes."""
    before = {name: getattr(book, name) for name in EDITABLE}
    before["needs_metadata"] = book.needs_metadata
    if "isbn13" in values:
        raw = values["isbn13"]
        if raw:
            scan = read_isbn(raw)
            other = book_by_isbn(scan.isbn13)
            if other is not None and other.id != book.id:
                raise IsbnTaken()
            book.isbn13, book.isbn10 = scan.isbn13, scan.isbn10
            if scan.addon is not None:
                values.setdefault("addon_code", scan.addon.code)
        else:
            book.isbn13 = book.isbn10 = None
    fields = BookFields(
        title=values.get("title", book.title), subtitle=values.get("subtitle", book.subtitle),
        authors=values["authors"] if "authors" in values else book.author_list,
        publisher=values.get("publisher", book.publisher), year=values.get("year", book.year),
        language=values.get("language", book.language),
    ).cleaned()
    if not fields.title:
        raise InvalidInput()
    book.title, book.subtitle, book.publisher = fields.title, fields.subtitle, fields.publisher
    book.author_list = fields.authors
    book.year, book.language = fields.year, fields.language
    if "description" in values:
        book.description = (values["description"] or "").strip() or None
    if "addon_code" in values:
        code = (values["addon_code"] or "").strip()
        if code:
            try:
                isbnmod.decode_addon(code)
            except ValueError:
                raise InvalidInput() from None
            _apply_addon(book, code)
        else:
            book.addon_code = book.addon_reader_group = book.addon_form = None
            book.addon_subject = None
    if "kdc" in values:
        kdc = (values["kdc"] or "").strip()[:20] or None
        _set_kdc(book, kdc)
    elif book.addon_code and not book.kdc:
        book.kdc_class = book.addon_code[2]
    if book.needs_metadata and book.title != provisional_title(book.isbn13 or ""):
        book.needs_metadata = False
    after = {name: getattr(book, name) for name in EDITABLE}
    after["needs_metadata"] = book.needs_metadata
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        book.updated_at = now
        _flush_or_clash()
        audit.record("book.update", actor=by, entity="book", entity_id=book.id, now=now,
                     changes=changes)
    return changes


def incomplete_books_query() -> sa.Select:
    """Return the books saved with too little metadata, oldest first."""
    return sa.select(Book).where(Book.needs_metadata.is_(True)).order_by(Book.created_at, Book.id)


def complete_from_metadata(book: Book, metadata: isbnmod.Metadata, *, by: Member | None,
                           now: datetime) -> dict:
    """Fill a flagged book's empty fields from provider metadata and clear its flag."""
    fields = _fields_from_metadata(metadata)
    changes: dict = {}

    def put(name: str, value) -> None:
        old = getattr(book, name)
        if value not in (None, "", []) and old in (None, ""):
            setattr(book, name, value)
            changes[name] = [old, value]

    if book.isbn13 and book.title == provisional_title(book.isbn13) and fields.title:
        changes["title"] = [book.title, fields.title]
        book.title = fields.title
    put("subtitle", fields.subtitle)
    if not book.authors and fields.authors:
        book.author_list = fields.authors
        changes["authors"] = [None, book.authors]
    put("publisher", fields.publisher)
    put("year", fields.year)
    put("language", fields.language)
    if metadata.kdc and not book.kdc:
        _set_kdc(book, metadata.kdc)
        changes["kdc"] = [None, book.kdc]
    if metadata.addon_code and not book.addon_code:
        _apply_addon(book, metadata.addon_code)
        changes["addon_code"] = [None, book.addon_code]
    book.needs_metadata = False
    book.metadata_source = metadata.source
    book.updated_at = now
    changes["needs_metadata"] = [True, False]
    audit.record("book.refresh_metadata", actor=by, entity="book", entity_id=book.id, now=now,
                 source=metadata.source, changes=changes)
    return changes


def refresh_metadata(book: Book, *, by: Member | None, now: datetime) -> bool:
    """Ask the providers again for a flagged book (skipping the cache); tell if completed."""
    if not book.isbn13 or not book.needs_metadata:
        return False
    metadata, _source = lookup_metadata(book.isbn13, now=now, refresh=True)
    if metadata is None:
        return False
    complete_from_metadata(book, metadata, by=by, now=now)
    db.session.flush()
    return True
