"""The printable thank-you acknowledgement for a donation (PDF, Korean or English).

The text is embedded with NanumGothic (Debian's fonts-nanum), as the labels are, so
Hangul prints on any PC; reportlab cannot embed CJK .ttc files.
"""

import io
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from app.labels.fonts import fonts

ACCENT = Color(0.45, 0.30, 0.18)



def _texts(ack: "Acknowledgement", count: int) -> dict:
    """Return the acknowledgement's sentences in the current (forced) locale."""
    name = ack.donor_name or _("Anonymous donor")
    texts = {
        "title": _("Thank you for your donation"),
        "dear": _("Dear %(name)s,", name=name),
        "body": _("Thank you for giving books to %(cafe)s. Your books are now on our "
                  "shared shelves, for our neighbours to read and pass on.", cafe=ack.cafe_name),
        "date": _("Donated on: %(date)s", date=ack.donated_on.isoformat()),
        "count": _("Books donated: %(num)d", num=count),
        "kept": (_("Added to our collection: %(num)d", num=ack.kept) if ack.lines else None),
        "books": _("The books you gave"),
        "closing": _("With thanks, %(cafe)s", cafe=ack.cafe_name),
        "number": _("Donation no. %(id)d", id=ack.donation_id),
        "campaign": (_("Campaign: %(campaign)s", campaign=ack.campaign_name)
                     if ack.campaign_name else None),
    }
    return texts


def _borrowed(n: int) -> str:
    return _("Loans: %(num)d", num=n) if n else ""


def _more(n: int) -> str:
    return _("More titles not listed: %(num)d", num=n)


MAX_LISTED = 25


@dataclass(frozen=True)
class Acknowledgement:
    """What the acknowledgement says."""

    donation_id: int
    donor_name: str | None
    campaign_name: str | None
    donated_on: date
    books: list[tuple[str, int, int]]  # (title, copies, times borrowed)
    cafe_name: str
    # Every item given with what became of it (app.campaigns.gifts.GiftLine); when given,
    # the letter lists these, each with its outcome, in place of `books`.
    lines: tuple = ()

    @property
    def kept(self) -> int:
        """Return how many of the items became copies in the collection."""
        return sum(copies for _t, copies, _n in self.books)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines that fit (by word, or by character for Hangul runs)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if pdfmetrics.stringWidth(line + ch, font, size) > width and line:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def acknowledgement_pdf(ack: Acknowledgement, lang: str = "ko") -> bytes:
    """Return the acknowledgement as a one-page A4 PDF in Korean or English."""
    count = len(ack.lines) if ack.lines else sum(copies for _t, copies, _n in ack.books)
    with force_locale("en" if lang == "en" else "ko"):
        t = _texts(ack, count)
        if ack.lines:  # every item, with its outcome
            listed = [(line.title, 1, 0) for line in ack.lines[:MAX_LISTED]]
            borrowed_texts = [line.outcome_text() for line in ack.lines[:MAX_LISTED]]
            more = _more(len(ack.lines) - MAX_LISTED)
        else:
            listed = ack.books[:MAX_LISTED]
            borrowed_texts = [_borrowed(n) for _t, _c, n in listed]
            more = _more(len(ack.books) - MAX_LISTED)
    regular, bold = fonts()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    pdf.setTitle(t["title"])
    pdf.setAuthor(ack.cafe_name)
    width, height = A4
    left, right = 25 * mm, width - 25 * mm
    text_width = right - left

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    y = height - 45 * mm
    pdf.setFillColor(ACCENT)
    pdf.setFont(bold, 24)
    pdf.drawCentredString(width / 2, y, t["title"])
    pdf.setFillColor(Color(0, 0, 0))
    y -= 20 * mm
    pdf.setFont(bold, 14)
    pdf.drawString(left, y, t["dear"])
    y -= 12 * mm
    pdf.setFont(regular, 12)
    for line in _wrap(t["body"], regular, 12, text_width):
        pdf.drawString(left, y, line)
        y -= 7 * mm
    y -= 5 * mm
    facts = [t["campaign"], t["date"], t["count"], t["kept"]]
    for fact in filter(None, facts):
        pdf.drawString(left, y, fact)
        y -= 7 * mm
    if listed:
        y -= 5 * mm
        pdf.setFont(bold, 12)
        pdf.drawString(left, y, t["books"])
        y -= 7 * mm
        pdf.setFont(regular, 10.5)
        for (title, copies, _loans), borrowed in zip(listed, borrowed_texts, strict=True):
            suffix = f" ×{copies}" if copies > 1 else ""
            line = f"· {title}{suffix}"
            room = text_width - pdf.stringWidth(borrowed, regular, 10.5) - 6 * mm
            while pdf.stringWidth(line, regular, 10.5) > room and len(line) > 4:
                line = line[:-2] + "…"
            pdf.drawString(left, y, line)
            if borrowed:
                pdf.drawRightString(right, y, borrowed)
            y -= 6 * mm
        if len(ack.lines or ack.books) > MAX_LISTED:
            pdf.drawString(left, y, more)
    pdf.setFont(bold, 13)
    pdf.drawRightString(right, 40 * mm, t["closing"])
    pdf.setFont(regular, 9)
    pdf.drawString(left, 20 * mm, t["number"])
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
