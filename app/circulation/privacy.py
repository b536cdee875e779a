"""What the desk lets others know of a member: a masked name on the hold shelf, and the
pseudonym a loan keeps for statistics once the member link is dropped."""

import hashlib
import hmac
from datetime import datetime

from flask import current_app

from app.circulation.rules import local_date
from app.models import Member


def mask_name(name: str | None) -> str:
    """Return a name shown to others at the desk and on the hold shelf.

    A Korean (or any non-Latin) name is its first letter and "OO": "김OO", as Korean
    notices mask a family name's syllables. A name in Latin letters is its first name's
    initial and a full stop: "Emma Wilson" is "E.", the way an initial is read in English
    ("EOO" reads as a word). Either way the length of the name is not told.
    """
    letters = "".join((name or "").split())
    if not letters:
        return "—"
    first = letters[0]
    if first.isascii() and first.isalpha():
        return first.upper() + "."
    return first + "OO"


def borrower_key(member: Member, now: datetime) -> str:
    """Return a keyed, irreversible pseudonym of member and month, for usage statistics."""
    month = local_date(now).strftime("%Y-%m")
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{member.id}:{month}".encode(), hashlib.sha256).hexdigest()[:32]
