"""A stocktake's report: its counts, and its missing list grouped by call-number range,
with each copy's last loan and last sighting (the page, the CSV and the PDF)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.callnumbers import parse_call_number, placed_call_number, shelf_key
from app.extensions import db
from app.models import Copy, CopyStatus, Loan, ScanResult, Stocktake
from app.stocktake.sessions import missing_copies, missing_places

CHUNK = 1000


@dataclass(frozen=True)
class MissingCopy:
    """A copy expected and never scanned."""

    copy: Copy
    call_number: str | None
    last_loan: datetime | None

    @property
    def last_seen(self) -> datetime | None:
        """Return when a stocktake last scanned it."""
        return self.copy.last_seen_at


@dataclass
class MissingGroup:
    """The missing copies of one shelf range (a shelf prefix and a KDC main class)."""

    label: str
    copies: list[MissingCopy] = field(default_factory=list)


@dataclass
class Report:
    """What a stocktake found."""

    stocktake: Stocktake
    groups: list[MissingGroup]
    # The missing copies listed in `groups` (the first ones in shelf order, when limited).
    listed: int = 0

    @property
    def expected(self) -> int:
        """Return the copies expected on the shelves."""
        return self.stocktake.expected

    @property
    def found(self) -> int:
        """Return the expected copies scanned."""
        return self.stocktake.seen

    @property
    def found_on_loan(self) -> int:
        """Return the copies found on the shelf while on loan (returned on the spot)."""
        return self.stocktake.count(ScanResult.FOUND_ON_LOAN)

    @property
    def misplaced(self) -> int:
        """Return the copies found where they do not belong (another range, or order)."""
        return (self.stocktake.count(ScanResult.NOT_IN_SCOPE)
                + self.stocktake.count(ScanResult.OUT_OF_ORDER))

    @property
    def missing(self) -> int:
        """Return the missing copies (so far, while the stocktake is open)."""
        if self.stocktake.missing is not None:
            return self.stocktake.missing
        return self.expected - self.found

    @property
    def loss_rate(self) -> float:
        """Return the missing copies as a share of those expected (0-1)."""
        return self.missing / self.expected if self.expected else 0.0

    def figures(self) -> list[tuple[str, str]]:
        """Return the counts as (label, value) in the current language."""
        return [
            (_("Expected"), str(self.expected)),
            (_("Found"), str(self.found)),
            (_("Found on loan"), str(self.found_on_loan)),
            (_("Misplaced"), str(self.misplaced)),
            (_("Missing"), str(self.missing)),
            (_("Loss rate"), f"{100 * self.loss_rate:.1f}%"),
        ]


def _range_label(placed: str | None) -> str:
    """Return the shelf range a call number belongs to: its prefix and KDC hundred."""
    if placed is None:
        return _("No call number")
    parsed = parse_call_number(placed)
    prefix = f"{parsed.shelf} " if parsed.shelf else ""
    if not parsed.class_number:
        return prefix + _("Unclassified")
    hundred = int(parsed.class_number.partition(".")[0]) // 100 * 100
    return f"{prefix}{hundred:03d}–{hundred + 99:03d}"


def _last_loans(copy_ids: list[int]) -> dict[int, datetime]:
    last = {}
    for start in range(0, len(copy_ids), CHUNK):
        last.update(db.session.execute(
            sa.select(Loan.copy_id, sa.func.max(Loan.checked_out_at))
            .where(Loan.copy_id.in_(copy_ids[start:start + CHUNK]))
            .group_by(Loan.copy_id)).all())
    return last


def _shelf_order(row) -> tuple:
    key = shelf_key(row.shelf, row.call_number)
    return (key is None, key or (), row.id)


def stocktake_report(stocktake: Stocktake, limit: int | None = None) -> Report:
    """Return the stocktake's report: the missing list once it is closed, in shelf order
    by range (its first `limit` copies when given)."""
    if stocktake.is_open:
        return Report(stocktake, [])
    ids = [row.id for row in sorted(missing_places(stocktake), key=_shelf_order)[:limit]]
    copies = {c.id: c for c in missing_copies(stocktake, ids)}
    last = _last_loans(ids)
    groups: dict[str, MissingGroup] = {}
    for copy_id in ids:
        copy = copies[copy_id]
        placed = placed_call_number(copy.shelf, copy.call_number)
        label = _range_label(placed)
        groups.setdefault(label, MissingGroup(label)).copies.append(
            MissingCopy(copy, placed, last.get(copy.id)))
    return Report(stocktake, list(groups.values()), listed=len(ids))


def describe_scope(stocktake: Stocktake) -> str:
    """Return the stocktake's scope in words."""
    parts = []
    if stocktake.site is not None:
        parts.append(_("Site: %(name)s", name=stocktake.site.name))
    if stocktake.shelf:
        parts.append(_("Shelf %(shelf)s", shelf=stocktake.shelf))
    if stocktake.call_from and stocktake.call_to:
        parts.append(_("Call numbers %(start)s to %(end)s", start=stocktake.call_from,
                       end=stocktake.call_to))
    elif stocktake.call_from:
        parts.append(_("Call numbers from %(start)s", start=stocktake.call_from))
    elif stocktake.call_to:
        parts.append(_("Call numbers up to %(end)s", end=stocktake.call_to))
    return " · ".join(parts) or _("The whole collection")


def status_name(status: CopyStatus) -> str:
    """Return a copy state in words."""
    return {
        CopyStatus.AVAILABLE: _("On the shelf"),
        CopyStatus.ON_LOAN: _("On loan"),
        CopyStatus.ON_HOLD_SHELF: _("On the hold shelf"),
        CopyStatus.LOST: _("Lost"),
        CopyStatus.MISSING: _("Missing"),
        CopyStatus.DAMAGED: _("Damaged"),
        CopyStatus.WITHDRAWN: _("Withdrawn"),
    }[status]


def csv_rows(report: Report, when) -> tuple[list[str], list[list]]:
    """Return the report as a CSV header and rows: the counts, then the missing list.

    `when` formats a time for the file (the café's local time).
    """
    header = [_("Stocktake"), str(report.stocktake.id)]
    rows: list[list] = [[label, value] for label, value in report.figures()]
    rows.append([])
    rows.append([_("Range"), _("Call number"), _("Barcode"), _("Title"), _("State"),
                 _("Last loan"), _("Last seen")])
    for group in report.groups:
        for item in group.copies:
            rows.append([group.label, item.call_number or "", item.copy.barcode,
                         item.copy.book.title, status_name(item.copy.status),
                         when(item.last_loan), when(item.last_seen)])
    return header, rows
