"""The scan station's triage steps: marking an item, holding a scan back, one key for its outcome.

A mixin of app.intake.station.Station: the station's state gains `flag` (what the next
item was marked as: damaged, set) and `triage` (the item held back, until its outcome is
recorded). While an item is held back no other book is received: its outcome comes first,
so that every donated item is a line of its donation.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.intake import services, triage
from app.intake.services import IntakeResult
from app.models import ItemOutcome, Member

# Typed into the empty scan field: one key per outcome, and the marks before a scan.
OUTCOME_KEYS = {"1": ItemOutcome.KEPT, "2": ItemOutcome.PASSED_ON, "3": ItemOutcome.DECLINED}
FLAG_KEYS = {"4": triage.DAMAGED, "5": triage.SET}
TRIAGE_KEYS = {"kept": "1", "passed_on": "2", "declined": "3", "damaged": "4", "set": "5"}


class TriageSteps:
    """The triage verbs of the station (state, context and _remember are the Station's)."""

    state: dict

    @property
    def held(self) -> triage.Held | None:
        """Return the item held back, waiting for its outcome."""
        held = self.state.get("triage")
        return triage.Held(**held) if isinstance(held, dict) else None

    def triage_key(self, raw: str, *, by: Member, now: datetime) -> bool:
        """Handle a triage key typed into the scan field; tell whether it was one."""
        if raw in OUTCOME_KEYS and self.held is not None:
            self.settle(OUTCOME_KEYS[raw], reason=None, partner_id=self.state.get("partner_id"),
                        by=by, now=now)
            return True
        if raw in FLAG_KEYS and self.held is None:
            self.state["flag"] = FLAG_KEYS[raw]
            self._remember(kind="flagged", flag=FLAG_KEYS[raw])
            return True
        return False

    def held_back(self, raw: str, *, now: datetime) -> bool:
        """Hold the scan back if the rules say so (nothing is added); tell whether it was."""
        if self.held is not None:
            raise InvalidInput(_("First record what becomes of the item held back: press "
                                 "1 (keep anyway), 2 (pass on) or 3 (decline)."))
        held = triage.hold_back(raw, flag=self.state.pop("flag", None), now=now)
        if held is None:
            return False
        self._hold(held)
        return True

    def _hold(self, held: triage.Held) -> None:
        self.state["triage"] = dataclasses.asdict(held)
        self._remember(kind="held", reason=held.reason, message=held.message(),
                       title=held.title, isbn=held.isbn13)

    def scanned_copy(self, raw: str, *, by: Member, now: datetime) -> IntakeResult | None:
        """Add the copy of a scan nothing held back; None when copies of its title reached
        the cap meanwhile (other volunteers' scans): it is then held back after all."""
        try:
            return services.intake_scan(raw, self.context, by=by, now=now,
                                        cap=triage.triage_rules().copy_cap)
        except services.CapReached as reached:
            self._hold(triage.held_at_cap(raw, reached.copies))
            return None

    def settle(self, outcome: ItemOutcome, *, reason: str | None, partner_id: int | None,
               by: Member, now: datetime) -> None:
        """Record the held item's outcome (one key, or the triage form's button)."""
        held = self.held
        if held is None:
            raise InvalidInput(_("No item is held back."))
        if outcome is ItemOutcome.PASSED_ON and partner_id is None:
            partners = triage.active_partners()
            partner_id = partners[0].id if partners else None
        settled = triage.settle(held, outcome, self.context, reason=reason,
                                partner_id=partner_id, by=by, now=now)
        self.state["triage"] = None
        if outcome is ItemOutcome.PASSED_ON:
            self.state["partner_id"] = settled.item.partner_id
        if settled.result is not None:
            self._received(settled.result)
            self.state["last"]["kept_anyway"] = True
            return
        self._remember(kind="settled", outcome=str(outcome), title=held.title,
                       isbn=held.isbn13, passed_to=settled.item.passed_to)

    def drop_hold(self) -> bool:
        """Forget the item held back (scanned by mistake); tell whether there was one."""
        if self.held is None and not self.state.get("flag"):
            return False
        self.state["triage"] = None
        self.state["flag"] = None
        self._remember(kind="cancelled")
        return True
