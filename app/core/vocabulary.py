"""The words for stored values (a copy's status, a member's role) in the reader's language.

One table per value, so the catalogue's pages, the exports and the importer (which reads
an export back in any language the app speaks) say the same thing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import CopyStatus, Role

COPY_STATUS_LABELS = {
    CopyStatus.AVAILABLE: _l("Available"), CopyStatus.ON_LOAN: _l("On loan"),
    CopyStatus.ON_HOLD_SHELF: _l("On the hold shelf"), CopyStatus.LOST: _l("Lost"),
    CopyStatus.MISSING: _l("Missing"), CopyStatus.DAMAGED: _l("Damaged"),
    CopyStatus.WITHDRAWN: _l("Withdrawn"),
}
# What a catalogue export says of a book that has no copies (its one row has no barcode).
NO_COPIES_LABEL = _l("no copies")
ROLE_LABELS = {
    Role.MEMBER: _l("Member"), Role.VOLUNTEER: _l("Volunteer"),
    Role.COORDINATOR: _l("Coordinator"),
}
YES_NO = {True: _l("yes"), False: _l("no")}
