"""Text normalisation shared by storage and search: NFC, case and accent folding."""

import unicodedata


def nfc(text: str | None) -> str | None:
    """Return text in NFC with whitespace collapsed; None when empty."""
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text or None


def fold(text: str | None) -> str:
    """Return text for matching: NFC, lower case, Latin accents removed.

    Hangul is left composed (NFD would split syllables into jamo and break matching).
    """
    if not text:
        return ""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if "\uac00" <= ch <= "\ud7a3":
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join("".join(out).casefold().split())


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
