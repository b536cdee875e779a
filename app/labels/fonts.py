"""The label font (a TrueType face with Hangul) and fitting text to a width.

Every string on labels and cards is drawn in it; reportlab adds character advances
without kerning, so widths are sums of cached per-character advances.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: TrueType font with Hangul used for every string on labels and cards.
FONT_PATH = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
#: Optional bold face for titles and names; the regular face is used if missing.
FONT_BOLD_PATH = "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"
ELLIPSIS = "\u2026"


class FontUnavailable(RuntimeError):
    """The label font is missing or unusable."""


_font_lock = threading.Lock()
_registered: dict[str, str] = {}


def font_path() -> str:
    """Return the label font path (env ``BOOKCAFE_FONT`` or ``FONT_PATH``)."""
    return os.environ.get("BOOKCAFE_FONT") or FONT_PATH


def _register(path: str) -> str:
    """Register the TrueType font at ``path`` once per process; return its name."""
    name = _registered.get(path)
    if name is not None:
        return name
    with _font_lock:
        name = _registered.get(path)
        if name is not None:
            return name
        if not os.path.isfile(path):
            raise FontUnavailable(
                str(
                    _l(
                        "The label font %(path)s does not exist. Install the fonts-nanum "
                        "package or set BOOKCAFE_FONT to a TrueType font with Hangul.",
                        path=path,
                    )
                )
            )
        name = f"BookCafe{len(_registered)}"
        try:
            pdfmetrics.registerFont(TTFont(name, path))
        except Exception as exc:  # reportlab raises TTFError and friends
            raise FontUnavailable(
                str(
                    _l(
                        "The label font %(path)s cannot be used (%(error)s). Set "
                        "BOOKCAFE_FONT to a TrueType (.ttf) font with Hangul.",
                        path=path,
                        error=exc,
                    )
                )
            ) from exc
        _registered[path] = name
        return name


class Fonts(NamedTuple):
    """The registered names of the regular and the bold face."""

    regular: str
    bold: str


def fonts() -> Fonts:
    """Return the (regular, bold) registered font names."""
    regular = _register(font_path())
    bold_path = os.environ.get("BOOKCAFE_FONT_BOLD") or FONT_BOLD_PATH
    if os.environ.get("BOOKCAFE_FONT") and not os.environ.get("BOOKCAFE_FONT_BOLD"):
        return Fonts(regular, regular)  # a custom font without a bold face
    try:
        bold = _register(bold_path)
    except FontUnavailable:
        bold = regular
    return Fonts(regular, bold)


@lru_cache(maxsize=65536)
def _char_width(ch: str, font: str) -> float:
    """Advance of one character at 1000 pt (reportlab adds advances, no kerning)."""
    return pdfmetrics.stringWidth(ch, font, 1000.0)


def text_width(text: str, font: str, size: float) -> float:
    """Return the width of ``text`` in points at ``size``."""
    return 0.001 * size * sum(_char_width(ch, font) for ch in text)


def clean_text(text: str | None) -> str:
    """Return ``text`` in NFC with runs of whitespace/control characters as one space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    return " ".join(
        "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split()
    )


@lru_cache(maxsize=65536)
def fit_text(text: str, font: str, size: float, max_width: float) -> str:
    """Return ``text``, or its longest prefix + an ellipsis, no wider than ``max_width`` pt."""
    scale = 0.001 * size
    advances = [_char_width(ch, font) * scale for ch in text]
    if sum(advances) <= max_width:
        return text
    room = max_width - _char_width(ELLIPSIS, font) * scale
    if room < 0:
        return ""
    # longest prefix (trailing spaces dropped) that leaves room for the ellipsis
    keep, used = 0, 0.0
    for i, adv in enumerate(advances):
        used += adv
        if used > room:
            break
        if not text[i].isspace():
            keep = i + 1
    # never split a base character from its combining marks
    while 0 < keep < len(text) and unicodedata.combining(text[keep]):
        keep -= 1
    return text[:keep].rstrip() + ELLIPSIS


def fit_size(text: str, font: str, size: float, min_size: float, max_width: float) -> float:
    """Largest size <= ``size`` (>= ``min_size``) at which ``text`` fits ``max_width``."""
    w = text_width(text, font, size)
    if w <= max_width:
        return size
    return max(min_size, size * max_width / w * 0.999)
