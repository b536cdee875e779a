"""The words of a notice: one message per member and channel, in the member's language.

A text message is an SMS while it fits in 90 bytes (counted as the networks count Korean:
two bytes a Hangul syllable, in EUC-KR/CP949), else an LMS (up to 2,000 bytes, with a title
of up to 40 bytes) naming every book; only a list longer than that is shortened to "the
first title and N more".
"""

from dataclasses import dataclass
from datetime import date
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid

from flask import render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from app.models import Member
from app.notices.schedule import KINDS

SMS_BYTES = 90
LMS_BYTES = 2000
LMS_TITLE_BYTES = 40


def text_bytes(text: str) -> int:
    """Return a text's length as a Korean network counts it (EUC-KR/CP949 bytes)."""
    return len(text.encode("cp949", errors="replace"))


def cut_to_bytes(text: str, limit: int) -> str:
    """Cut a text to at most `limit` bytes (never in the middle of a character)."""
    while text_bytes(text) > limit:
        text = text[:-1]
    return text


class _HeaderClasses(HeaderRegistry):
    """The email package's header registry, each header's class made once: the standard
    one makes a new class for every header of every message (a tenth of an email's
    composing; a run composes thousands). The headers themselves are the same."""

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name):
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


EMAIL_POLICY = default_policy.clone(header_factory=_HeaderClasses())


@dataclass
class Section:
    """One kind of notice in a message and the items it names."""

    kind: str
    items: list[dict]


@dataclass
class TextMessage:
    """A text message ready for a provider: SMS or LMS, its words and (LMS) its title."""

    type: str  # "SMS" or "LMS"
    text: str
    subject: str = ""


def locale_of(member: Member) -> str:
    return member.locale if member.locale in ("ko", "en") else "ko"


def _date(value: str | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value)
    return f"{day.month}/{day.day}"


def _long_date(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "long") if value else ""


def _titles(items: list[dict], *, short: bool) -> str:
    titles = [item["title"] for item in items]
    if short and len(titles) > 1:
        return ngettext("%(first)s and %(num)d more", "%(first)s and %(num)d more",
                        len(titles) - 1, first=titles[0])
    return ", ".join(titles)


def section_line(section: Section, *, short: bool = False) -> str:
    """One line of a text message for one kind of notice."""
    titles = _titles(section.items, short=short)
    day = _date(section.items[0].get("date")) if section.items else ""
    lines = {
        "hold_ready": lambda: _("Ready to pick up by %(date)s: %(titles)s", date=day,
                                titles=titles),
        "hold_expiring": lambda: _("Your hold ends tomorrow: %(titles)s", titles=titles),
        "overdue": lambda: _("Overdue, please return: %(titles)s", titles=titles),
        "due_today": lambda: _("Due back today: %(titles)s", titles=titles),
        "due_soon": lambda: _("Due back on %(date)s: %(titles)s", date=day, titles=titles),
        "donation_borrowed": lambda: _("A book you donated was borrowed: %(titles)s",
                                       titles=titles),
    }
    return lines[section.kind]()


def subject_of(sections: list[Section], cafe_name: str) -> str:
    """The subject of an email (and title of an LMS)."""
    if len(sections) == 1:
        return _("%(cafe)s: %(kind)s", cafe=cafe_name, kind=KINDS[sections[0].kind])
    return _("%(cafe)s: notices for you", cafe=cafe_name)


def compose_text(member: Member, sections: list[Section], *, cafe_name: str) -> TextMessage:
    """Write one member's text message (SMS if it fits in 90 bytes, else LMS)."""
    with force_locale(locale_of(member)):
        head = _("[%(cafe)s] %(name)s,", cafe=cafe_name, name=member.name)
        full = "\n".join([head, *(section_line(s) for s in sections)])
        if text_bytes(full) <= SMS_BYTES:
            return TextMessage("SMS", full)
        short = "\n".join([head, *(section_line(s, short=True) for s in sections)])
        subject = cut_to_bytes(subject_of(sections, cafe_name), LMS_TITLE_BYTES)
        text = full if text_bytes(full) <= LMS_BYTES else cut_to_bytes(short, LMS_BYTES)
        return TextMessage("LMS", text, subject)


def compose_email(member: Member, sections: list[Section], *, cafe_name: str,
                  sender: str) -> EmailMessage:
    """Write one member's email naming every item of every section."""
    with force_locale(locale_of(member)):
        subject = subject_of(sections, cafe_name)
        entries = [(KINDS[s.kind], [(item["title"], _long_date(item.get("date")))
                                    for item in s.items]) for s in sections]
        body = render_template("notices/email.txt", member=member, cafe_name=cafe_name,
                               sections=entries)
    message = EmailMessage(policy=EMAIL_POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = member.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    return message
