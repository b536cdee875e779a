"""Text folding for search: NFC/NFKC, case, Latin accents; Hangul untouched."""

import unicodedata

from app.core.text import escape_like, fold, nfc


def test_fold():
    assert fold("Les Misérables") == "les miserables"
    assert fold("ÉCOLE  Straße") == "ecole strasse"
    assert fold("해리포터와 마법사의 돌") == "해리포터와 마법사의 돌"
    assert fold(unicodedata.normalize("NFD", "소년이 온다")) == "소년이 온다"  # NFD Hangul
    assert fold("ｆｕｌｌ-width １２３") == "full-width 123"
    assert fold(None) == "" and fold("") == ""


def test_nfc_and_like_escape():
    assert nfc("  a \n b ") == "a b"
    assert nfc("   ") is None
    assert escape_like("100%_x\\") == "100\\%\\_x\\\\"


def test_strip_controls_keeps_tabs_and_line_ends():
    from app.core.text import strip_controls

    assert strip_controls("a\x00b\x1fc\x7fd\ud800e") == "abcde"
    assert strip_controls("제목\t부제\r\n") == "제목\t부제\r\n"
    assert strip_controls(None) is None and strip_controls(3) == 3
