"""Text normalisation shared by storage and search: NFC, case and accent folding."""

import re
import unicodedata


def nfc(text: str | None) -> str | None:
    """Return text in NFC with whitespace collapsed; None when empty."""
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text or None


def nfc_filter(value):
    """WTForms filter: typed text in NFC (macOS and some keyboards send NFD Hangul)."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


# C0 controls but tab and line ends, DEL, and lone surrogates (a JSON body can carry them).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def strip_controls(value):
    """WTForms filter: typed text without control characters (PostgreSQL refuses NUL)."""
    return _CONTROLS.sub("", value) if isinstance(value, str) else value


def _accent_table() -> dict[int, str]:
    """Map accented Latin letters to their base letters, and drop combining accents."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        base = "".join(
            c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c)
        )
        if base and base != chr(code):
            table[code] = base
    for code in range(0x0300, 0x0370):  # combining diacritical marks left after NFC
        table[code] = ""
    table.update({ord("ß"): "ss", ord("æ"): "ae", ord("Æ"): "AE", ord("ø"): "o", ord("Ø"): "O",
                  ord("đ"): "d", ord("Đ"): "D", ord("ł"): "l", ord("Ł"): "L"})
    return table


_ACCENTS = _accent_table()


def fold(text: str | None) -> str:
    """Return text for matching: NFKC, lower case, Latin accents removed, spaces collapsed.

    Only Latin letters lose their accents; Hangul and other scripts stay composed (NFD would
    split Hangul syllables into jamo and break matching).
    """
    if not text:
        return ""
    if text.isascii():  # the common case, quickly: NFKC and accents change nothing
        return " ".join(text.casefold().split())
    # NFKC: full-width letters and digits (ｆｕｌｌ, １２３) match their usual forms too.
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = text.translate(_ACCENTS)
    return " ".join(text.casefold().split())


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
