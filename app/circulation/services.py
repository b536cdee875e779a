"""The circulation use cases as one import, for the callers outside the area.

The JSON API (app/api/circulation.py), the CLI (`flask library expire-holds`) and other
areas' tests call circulation through this module. The code lives in the area's modules,
named by what they hold; inside the area, import from those:

- lookups: copies, members, loans and holds found by barcode, card, id, name or phone
- rules: the café's calendar, a site's loan rules, what keeps a member from borrowing
- privacy: the masked name others see, the pseudonym a loan keeps for statistics
- copies: a copy's status, the hold shelf or the open shelf, lost/damaged/withdrawn
- holds: placing, cancelling and expiring holds
- loans: check out, self-checkout, check in, renew
- overdue: overdue loans by member (reminders: the emails about them)
"""

from app.circulation.copies import (
    mark_available,
    mark_damaged,
    mark_lost,
    mark_withdrawn,
    set_copy_state,
)
from app.circulation.holds import cancel_hold, expire_hold_for_copy, expire_holds, place_hold
from app.circulation.loans import Checkout, Return, check_out, renew, return_copy, self_check_out
from app.circulation.lookups import (
    active_holds,
    copy_by_barcode,
    find_members,
    get_book,
    hold_for,
    loan_for,
    loan_history,
    member_by_card,
    open_loan,
    open_loans,
    queue_position,
    ready_hold_for_copy,
)
from app.circulation.overdue import Overdue, overdue_by_member
from app.circulation.privacy import mask_name
from app.circulation.rules import local_date, member_blocks, rules_for

__all__ = [
    "Checkout", "Overdue", "Return", "active_holds", "cancel_hold", "check_out",
    "copy_by_barcode", "expire_hold_for_copy", "expire_holds", "find_members", "get_book",
    "hold_for", "loan_for", "loan_history", "local_date", "mark_available", "mark_damaged",
    "mark_lost", "mark_withdrawn", "mask_name", "member_blocks", "member_by_card",
    "open_loan", "open_loans", "overdue_by_member", "place_hold", "queue_position",
    "ready_hold_for_copy", "renew", "return_copy", "rules_for", "self_check_out",
    "set_copy_state",
]
