"""The label use cases as one import, for the callers outside the area.

The JSON API (app/api/labels.py) and other areas' tests call labels through this module.
The code lives in the area's modules, named by what they hold; inside the area, import
from those:

- lookups: the copies to label, by barcode, id, range or donation
- label_queue: the print queue
- sheet_templates: sheet templates and printer offsets
- preferences: the sheet and start position last used
- printing: a batch as a PDF, the sheet preview
- member_cards: member cards (who needs one, printing, recording)
- pdf, card_pdf, sheet, barcode_drawing, fonts: the rendering (no database)
"""

from app.labels.label_queue import (
    add_to_queue,
    mark_labels_printed,
    queue_rows,
    queued_copies,
    remove_from_queue,
)
from app.labels.lookups import (
    MAX_BATCH,
    Lookup,
    copies_by_id,
    copies_in_range,
    donation_copies,
    find_copies,
    find_scanned,
    parse_codes,
    require_copies,
)
from app.labels.member_cards import mark_cards_printed, members_by_id, new_members, print_cards
from app.labels.preferences import (
    next_start,
    print_preferences,
    remember_preferences,
    remember_printed,
)
from app.labels.printing import print_labels, sheet_preview
from app.labels.sheet_templates import (
    default_template,
    get_template,
    list_templates,
    save_template,
    set_printer_offset,
)

__all__ = [
    "MAX_BATCH", "Lookup", "add_to_queue", "copies_by_id", "copies_in_range",
    "default_template", "donation_copies", "find_copies", "find_scanned", "get_template",
    "list_templates", "mark_cards_printed", "mark_labels_printed", "members_by_id",
    "new_members", "next_start", "parse_codes", "print_cards", "print_labels",
    "print_preferences", "queue_rows", "queued_copies", "remember_preferences",
    "remember_printed", "remove_from_queue", "require_copies", "save_template",
    "set_printer_offset", "sheet_preview",
]
