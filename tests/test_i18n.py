"""The Korean and English catalogues cover every translatable string in the code."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
# Names of standards a Korean page writes as they are (a string of only these may stay).
STANDARDS = {"ISBN", "ISSN", "KDC"}


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def test_catalogues_are_complete(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot),
         "app", "templates", "templates/_macros"],
        cwd=ROOT, check=True, capture_output=True,
    )
    wanted = {m.id for m in _catalog(pot) if m.id}
    assert len(wanted) > 100
    for lang in ("ko", "en"):
        catalog = _catalog(ROOT / "app" / "translations" / lang / "LC_MESSAGES" / "messages.po")
        have = {m.id: m for m in catalog if m.id}
        missing = sorted(wanted - set(have), key=str)
        assert missing == [], f"{lang}: not in the catalogue (run make i18n): {missing[:10]}"
        untranslated = sorted((i for i in wanted if not have[i].string or have[i].fuzzy), key=str)
        assert untranslated == [], f"{lang}: untranslated: {untranslated[:10]}"
        if lang == "ko":
            same = [i for i in wanted if have[i].string == i
                    and not set(re.findall(r"[A-Za-z]+", re.sub(r"%\(\w+\)[sd]", "", str(i))))
                    <= STANDARDS]
            assert same == [], f"ko: left in English: {same[:10]}"
