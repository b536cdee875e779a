"""What became of every gift: each donated item's outcome at intake and its copy's fate since.

A donation's items are its copies (kept) and the items intake held back
(app.intake.triage: kept anyway, passed on, declined). A kept copy's fate is where it is
now (on the shelf, on loan...), or its withdrawal (제적) and what became of it then
(app.stocktake.weeding: disposed, passed on). Read only; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import (
    Book,
    Copy,
    CopyStatus,
    Disposition,
    Donation,
    DonationItem,
    ItemOutcome,
    Loan,
    Withdrawal,
)

ON_SHELF, ON_LOAN, WAITING, GONE, WITHDRAWN = "on_shelf", "on_loan", "waiting", "gone", "withdrawn"
PASSED_ON, DECLINED, DISPOSED, PASSED_ON_LATER = (
    "passed_on", "declined", "disposed", "passed_on_later")


@dataclass
class GiftLine:
    """One donated item: what intake did with it and, if kept, what became of its copy."""

    title: str
    outcome: ItemOutcome
    fate: str  # on_shelf, on_loan, waiting, gone, withdrawn, disposed, passed_on_later,
    #            passed_on, declined
    loans: int = 0
    passed_to: str | None = None
    reason: str | None = None
    held_for: str | None = None
    barcode: str | None = None

    def fate_text(self) -> str:
        """Return what became of the item, in the current locale."""
        texts = {
            ON_SHELF: _("On the shelf"),
            ON_LOAN: _("On loan now"),
            WAITING: _("Waiting for a reader"),
            GONE: _("Lost"),
            WITHDRAWN: _("Withdrawn"),
            DISPOSED: _("Withdrawn and recycled"),
        }
        if self.fate == PASSED_ON:
            return _("Passed on to %(name)s", name=self.passed_to or "?")
        if self.fate == PASSED_ON_LATER:
            return _("Withdrawn, passed on to %(name)s", name=self.passed_to or "?")
        if self.fate == DECLINED:
            return (_("Not added (%(reason)s)", reason=self.reason) if self.reason
                    else _("Not added"))
        return texts[self.fate]

    def outcome_text(self) -> str:
        """Return the item's outcome and fate in one line, loans included."""
        text = self.fate_text()
        if self.outcome is ItemOutcome.KEPT:
            text = _("Kept: %(fate)s", fate=text)
            if self.loans:
                text += " · " + _("Loans: %(num)d", num=self.loans)
        return text


def _copy_fate(status: CopyStatus, disposition: Disposition | None) -> str:
    if status is CopyStatus.WITHDRAWN:
        return {Disposition.DISPOSED: DISPOSED,
                Disposition.PASSED_ON: PASSED_ON_LATER}.get(disposition, WITHDRAWN)
    if status is CopyStatus.ON_LOAN:
        return ON_LOAN
    if status is CopyStatus.ON_HOLD_SHELF:
        return WAITING
    if status in (CopyStatus.LOST, CopyStatus.MISSING):
        return GONE
    return ON_SHELF


def donation_lines(donation_ids: Iterable[int]) -> dict[int, list[GiftLine]]:
    """Return each donation's items (copies first, by title; then those not kept)."""
    ids = list(donation_ids)
    lines: dict[int, list[GiftLine]] = {i: [] for i in ids}
    if not ids:
        return lines
    loans = (sa.select(sa.func.count(Loan.id)).where(Loan.copy_id == Copy.id)
             .correlate(Copy).scalar_subquery())
    rows = db.session.execute(
        sa.select(Copy.donation_id, Copy.barcode, Copy.status, Book.title, loans,
                  Withdrawal.disposition, Withdrawal.passed_to, DonationItem.reason,
                  DonationItem.held_for)
        .join(Book, Copy.book_id == Book.id)
        .outerjoin(Withdrawal, sa.and_(Withdrawal.copy_id == Copy.id,
                                       Withdrawal.reinstated_at.is_(None)))
        .outerjoin(DonationItem, DonationItem.copy_id == Copy.id)
        .where(Copy.donation_id.in_(ids))
        .order_by(Copy.donation_id, Book.title, Copy.id)
    )
    for donation_id, barcode, status, title, n, disposition, passed_to, reason, held in rows:
        lines[donation_id].append(GiftLine(
            title=title, outcome=ItemOutcome.KEPT, fate=_copy_fate(status, disposition),
            loans=n, passed_to=passed_to, reason=reason, held_for=held, barcode=barcode))
    items = db.session.scalars(
        sa.select(DonationItem)
        .where(DonationItem.donation_id.in_(ids), DonationItem.outcome != ItemOutcome.KEPT)
        .order_by(DonationItem.donation_id, DonationItem.id))
    for item in items:
        lines[item.donation_id].append(GiftLine(
            title=item.title or item.isbn13 or "?", outcome=item.outcome,
            fate=PASSED_ON if item.outcome is ItemOutcome.PASSED_ON else DECLINED,
            passed_to=item.passed_to, reason=item.reason, held_for=item.held_for))
    return lines


@dataclass(frozen=True)
class Outcomes:
    """A campaign's items received, and what intake did with them."""

    kept: int = 0
    passed_on: int = 0
    declined: int = 0

    @property
    def received(self) -> int:
        """Return every item received (kept, passed on or declined)."""
        return self.kept + self.passed_on + self.declined


def campaign_outcomes(campaign_id: int) -> Outcomes:
    """Return a campaign's items by outcome: copies added (kept), passed on, declined."""
    of_campaign = sa.select(Donation.id).where(Donation.campaign_id == campaign_id)
    kept = db.session.scalar(
        sa.select(sa.func.count(Copy.id)).where(Copy.donation_id.in_(of_campaign)))
    counts = dict(db.session.execute(
        sa.select(DonationItem.outcome, sa.func.count(DonationItem.id))
        .where(DonationItem.donation_id.in_(of_campaign),
               DonationItem.outcome != ItemOutcome.KEPT)
        .group_by(DonationItem.outcome)).all())
    return Outcomes(kept=kept, passed_on=counts.get(ItemOutcome.PASSED_ON, 0),
                    declined=counts.get(ItemOutcome.DECLINED, 0))
