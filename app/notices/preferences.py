"""A member's notice choices: channels, kinds turned off, and a Korean mobile number."""

import re

from app.extensions import db
from app.models import Member, NoticePreference
from app.notices.schedule import KINDS

# Korean mobile numbers: 010 then 8 digits; the old 011, 016-019 then 7 or 8.
_MOBILE = re.compile(r"^(010\d{8}|01[16789]\d{7,8})$")


def normalise_mobile(text: str | None) -> str | None:
    """Return a Korean mobile number as digits only (01012345678), or None if it is not one.

    Accepts spaces, dashes, dots, brackets and the +82 country code (+82 10-1234-5678)."""
    if not text:
        return None
    digits = re.sub(r"[\s\-.()]", "", text)
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:].lstrip("0")
    return digits if _MOBILE.match(digits) else None


def format_mobile(digits: str | None) -> str:
    """Show a stored mobile number as 010-1234-5678."""
    if not digits:
        return ""
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def preference_of(member: Member) -> NoticePreference:
    """Return the member's choices (a fresh, unsaved default if they never chose: email
    only, and the mobile number from their profile when it is one)."""
    return db.session.get(NoticePreference, member.id) or default_preference(member)


def default_preference(member: Member) -> NoticePreference:
    """The choices of a member who never chose (unsaved): email only, and the mobile
    number from their profile when it is one."""
    return NoticePreference(member_id=member.id, by_email=True, by_text=False,
                            mobile=normalise_mobile(member.phone), kinds_off=[])


def save_preference(member: Member, *, by_email: bool, by_text: bool, mobile: str | None,
                    kinds_off: list[str]) -> NoticePreference:
    """Keep the member's choices (flushes). `mobile` must be normalised already."""
    pref = db.session.get(NoticePreference, member.id)
    if pref is None:
        pref = NoticePreference(member_id=member.id)
        db.session.add(pref)
    pref.by_email = by_email
    pref.by_text = by_text and mobile is not None
    pref.mobile = mobile
    pref.kinds_off = [k for k in kinds_off if k in KINDS]
    db.session.flush()
    return pref


def channels_for(member: Member, kind: str, pref: NoticePreference | None = None) -> list[str]:
    """Return the channels by which a member wants this kind of notice."""
    if not member.is_active:
        return []
    pref = pref or preference_of(member)
    if kind in (pref.kinds_off or []):
        return []
    channels = []
    if pref.by_email and member.email:
        channels.append("email")
    if pref.by_text and pref.mobile:
        channels.append("text")
    return channels
