"""Triage at intake: the copy cap and the decline rules, and what becomes of an item held back.

A scan beyond the per-title copy cap, or matching a decline rule (a study aid older than N
years, a damaged item, a set), adds no copy: it is held back, and the volunteer records
its outcome: kept anyway (a copy is added, with a reason), passed on (to one of the
institutions the coordinator keeps), or declined (a reason). Every held-back item is a
DonationItem of its donation; the copies added at once are the donation's other items.
Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.settings import store, stored_dict
from app.core.text import nfc
from app.errors import InvalidInput, MetadataRequired, TriageRequired, UnknownPartner
from app.extensions import db
from app.intake import services
from app.intake.donations import DonationContext, ensure_donation
from app.intake.lookup import book_by_isbn, lookup_metadata, read_isbn
from app.models import (
    MAX_ID,
    DonationItem,
    ItemOutcome,
    Member,
    Partner,
)

SETTING = "intake.triage"
# Add-on reader groups of study aids (학습참고서): secondary (5) and primary school (6).
STUDY_AID_GROUPS = frozenset({"5", "6"})

COPY_CAP, OLD_STUDY_AID, DAMAGED, SET = "copy_cap", "old_reference", "damaged", "set"
# What the volunteer marks before scanning the item (the rules a scan cannot see).
FLAGS = (DAMAGED, SET)
REASON_MAX = 200

HELD_FOR_LABELS = {
    COPY_CAP: _l("Enough copies already"),
    OLD_STUDY_AID: _l("Old study aid"),
    DAMAGED: _l("Damaged"),
    SET: _l("A set"),
    "volunteer": _l("Volunteer's decision"),
}
OUTCOME_LABELS = {
    ItemOutcome.KEPT: _l("Kept"),
    ItemOutcome.PASSED_ON: _l("Passed on"),
    ItemOutcome.DECLINED: _l("Declined"),
}


# ---------------------------------------------------------------------------
# The rules (a setting)
# ---------------------------------------------------------------------------


@dataclass
class TriageRules:
    """The copy cap per title (0: none) and the decline rules."""

    copy_cap: int = 2
    study_aid_max_age: int = 5  # years since publication; 0: the rule is off
    decline_damaged: bool = True
    decline_sets: bool = True


def triage_rules() -> TriageRules:
    """Return the rules in force (the defaults where the setting says nothing usable)."""
    rules = TriageRules()
    value = stored_dict(SETTING)
    for name, default in asdict(rules).items():
        given = value.get(name)
        if isinstance(given, type(default)) and not (isinstance(default, int)
                                                      and not isinstance(default, bool)
                                                      and given < 0):
            setattr(rules, name, given)
    return rules


def set_triage_rules(rules: TriageRules, *, by: Member, now: datetime) -> TriageRules:
    """Change the rules (a coordinator)."""
    if rules.copy_cap < 0 or rules.study_aid_max_age < 0:
        raise InvalidInput()
    value = asdict(rules)
    store(SETTING, value, now=now)
    audit.record("intake.triage_rules", actor=by, entity="setting", now=now, **value)
    return rules


# ---------------------------------------------------------------------------
# Holding a scan back
# ---------------------------------------------------------------------------


@dataclass
class Held:
    """A scanned item the rules hold back, and why."""

    reason: str  # copy_cap, old_reference, damaged, set
    isbn: str  # the scan's ISBN-13 (with its add-on, as scanned)
    isbn13: str
    book_id: int | None
    title: str | None
    copies: int = 0  # copies of the title in the collection
    year: int | None = None

    def message(self) -> str:
        """Return why the item is held back, as the station says it."""
        if self.reason == COPY_CAP:
            return _("We already have %(num)d copies of this title: no copy was added.",
                     num=self.copies)
        if self.reason == OLD_STUDY_AID:
            return _("A study aid published in %(year)s: no copy was added.",
                     year=self.year or "?")
        if self.reason == DAMAGED:
            return _("Marked damaged: no copy was added.")
        return _("Marked as part of a set: no copy was added.")

    def error(self) -> TriageRequired:
        """Return the refusal the API answers with."""
        return TriageRequired(self.message(), reason=self.reason, copies=self.copies)


copies_in_collection = services.copies_in_collection


def hold_back(raw: str, *, flag: str | None, now: datetime) -> Held | None:
    """Return why the rules hold this scan back, or None to add its copy as usual.

    `flag` is what the volunteer marked the item as before scanning it (damaged, set).
    """
    scan = read_isbn(raw)
    rules = triage_rules()
    code = scan.isbn13 + (scan.addon.code if scan.addon else "")
    book = book_by_isbn(scan.isbn13)
    flagged = ((flag == DAMAGED and rules.decline_damaged)
               or (flag == SET and rules.decline_sets))
    if book is None and not flagged and not rules.study_aid_max_age:
        return None
    if book is not None:
        title, year = book.title, book.year
        group = book.addon_reader_group or (scan.addon.code[0] if scan.addon else None)
    else:
        metadata, _source = lookup_metadata(scan.isbn13, now=now)
        if metadata is None and not flagged:
            return None  # the station's short form asks for it first
        title = metadata.title if metadata else None
        year = metadata.year if metadata else None
        addon = (scan.addon.code if scan.addon else None) or (metadata and metadata.addon_code)
        group = addon[0] if addon else None
    held = Held(reason="", isbn=code, isbn13=scan.isbn13, book_id=book.id if book else None,
                title=title, year=year)
    if flagged:
        held.reason = flag
        return held
    if book is not None and rules.copy_cap:
        held.copies = copies_in_collection(book.id)
        if held.copies >= rules.copy_cap:
            held.reason = COPY_CAP
            return held
    if (rules.study_aid_max_age and group in STUDY_AID_GROUPS and year
            and now.year - year > rules.study_aid_max_age):
        held.reason = OLD_STUDY_AID
        return held
    return None


def held_at_cap(raw: str, copies: int) -> Held:
    """Return the item held back because copies of its title reached the cap meanwhile
    (another volunteer's scan of the title got in between the count and this intake)."""
    scan = read_isbn(raw)
    book = book_by_isbn(scan.isbn13)
    return Held(reason=COPY_CAP, isbn=scan.isbn13 + (scan.addon.code if scan.addon else ""),
                isbn13=scan.isbn13, book_id=book.id if book else None,
                title=book.title if book else None, year=book.year if book else None,
                copies=copies)


# ---------------------------------------------------------------------------
# Recording the outcome
# ---------------------------------------------------------------------------


def active_partners() -> list[Partner]:
    """Return the institutions gifts may be passed on to."""
    return list(db.session.scalars(
        sa.select(Partner).where(Partner.is_active.is_(True)).order_by(Partner.name)))


def partner_for(partner_id: int | None) -> Partner:
    """Return an active partner by id; raise UnknownPartner."""
    partner = (db.session.get(Partner, partner_id)
               if partner_id is not None and 1 <= partner_id <= MAX_ID else None)
    if partner is None or not partner.is_active:
        raise UnknownPartner()
    return partner


@dataclass
class Settled:
    """An item's recorded outcome, and the copy when it was kept."""

    item: DonationItem | None
    result: services.IntakeResult | None = None


def settle(held: Held, outcome: ItemOutcome, context: DonationContext, *, reason: str | None,
           partner_id: int | None, by: Member, now: datetime) -> Settled:
    """Record what becomes of a held-back item: kept anyway (a copy), passed on, declined."""
    reason = (nfc(reason) or "").strip()[:REASON_MAX] or None
    partner = partner_for(partner_id) if outcome is ItemOutcome.PASSED_ON else None
    result = None
    if outcome is ItemOutcome.KEPT:
        try:
            result = services.intake_scan(held.isbn, context, by=by, now=now, force=True)
        except MetadataRequired:
            result = services.intake_scan(held.isbn, context, by=by, now=now, force=True,
                                          complete_later=True)
    donation = ensure_donation(context, by=by, now=now)
    item = DonationItem(
        donation_id=donation.id, book_id=result.book.id if result else held.book_id,
        isbn13=held.isbn13, title=(result.book.title if result else held.title),
        held_for=held.reason, outcome=outcome, reason=reason,
        partner_id=partner.id if partner else None, passed_to=partner.name if partner else None,
        copy_id=result.copy.id if result else None, recorded_at=now, recorded_by_id=by.id)
    db.session.add(item)
    db.session.flush()
    audit.record("donation.item", actor=by, entity="donation", entity_id=donation.id, now=now,
                 item_id=item.id, outcome=str(outcome), held_for=held.reason,
                 isbn13=held.isbn13, passed_to=item.passed_to)
    return Settled(item, result)


# ---------------------------------------------------------------------------
# One call (the API)
# ---------------------------------------------------------------------------


def receive(raw: str | None, *, fields, donor_card: str | None, campaign_id, force: bool,
            complete_later: bool, mark: str | None, outcome: ItemOutcome | None,
            reason: str | None, partner_id: int | None, by: Member, now: datetime) -> Settled:
    """Receive one donated item in one call (the API): held back (raise TriageRequired),
    added as a copy, or with its outcome given (an item; a copy only when kept)."""
    if raw:
        read_isbn(raw)  # a bad scan is refused before anything else is looked up
    elif outcome is not None or mark is not None:
        raise InvalidInput(_l("The field '%(name)s' is required."), name="scan")
    context = services.api_donation(donor_card, campaign_id, by=by, now=now)
    held = hold_back(raw, flag=mark, now=now) if raw else None
    if outcome is None:
        if held is not None:
            raise held.error()
        cap = 0 if force or not raw else triage_rules().copy_cap
        try:
            return Settled(None, services.receive_copy(
                raw, fields=fields, donor_card=donor_card, by=by, now=now, force=force,
                complete_later=complete_later, context=context, cap=cap))
        except services.CapReached as reached:
            raise held_at_cap(raw, reached.copies).error() from None
    if held is None:  # nothing held it back: the caller decided
        scan = read_isbn(raw)
        book = book_by_isbn(scan.isbn13)
        held = Held(reason="volunteer",
                    isbn=scan.isbn13 + (scan.addon.code if scan.addon else ""),
                    isbn13=scan.isbn13, book_id=book.id if book else None,
                    title=book.title if book else None)
    return settle(held, outcome, context, reason=reason, partner_id=partner_id, by=by, now=now)


# ---------------------------------------------------------------------------
# The coordinator's list of institutions
# ---------------------------------------------------------------------------


def all_partners() -> list[Partner]:
    """Return every institution, those in use first."""
    return list(db.session.scalars(
        sa.select(Partner).order_by(Partner.is_active.desc(), Partner.name)))


def add_partner(name: str, *, by: Member, now: datetime) -> Partner:
    """Add an institution gifts may be passed on to (a name already listed is reused)."""
    name = (nfc(name) or "").strip()[:200]
    if not name:
        raise InvalidInput(_l("Type the institution's name."))
    partner = db.session.scalar(sa.select(Partner).where(Partner.name == name))
    if partner is None:
        partner = Partner(name=name, is_active=True, created_at=now)
        db.session.add(partner)
        db.session.flush()
        audit.record("partner.create", actor=by, entity="partner", entity_id=partner.id,
                     now=now, name=name)
    else:
        partner.is_active = True
    return partner


def set_partner_active(partner_id: int, active: bool, *, by: Member, now: datetime) -> Partner:
    """Take an institution off the list (or put it back); its past items keep its name."""
    partner = (db.session.get(Partner, partner_id) if 1 <= partner_id <= MAX_ID else None)
    if partner is None:
        raise UnknownPartner()
    partner.is_active = active
    db.session.flush()
    audit.record("partner.active", actor=by, entity="partner", entity_id=partner.id, now=now,
                 active=active)
    return partner
