"""What the desk lets others know of a member: a masked name on the hold shelf, and the
pseudonym a loan keeps for statistics once the member link is dropped."""

import hashlib
import hmac
from datetime import datetime

from flask import current_app

from app.circulation.rules import local_date
from app.models import Member


def mask_name(name: str | None) -> str:
    """Return a name shown to others at the desk: its first letter and "OO" ("김OO").

    Always two O's, whatever the name's length: "Emma Wilson" is "EOO", not ten O's
    that tell how long the name is.
    """
    letters = "".join((name or "").split())
    if not letters:
        return "—"
    return letters[0] + "OO"


def borrower_key(member: Member, now: datetime) -> str:
    """Return a keyed, irreversible pseudonym of member and month, for usage statistics."""
    month = local_date(now).strftime("%Y-%m")
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{member.id}:{month}".encode(), hashlib.sha256).hexdigest()[:32]
