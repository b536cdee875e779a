"""Static security check: bandit finds no medium or high severity issue in app/."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "app", "--severity-level", "medium",
         "--confidence-level", "medium", "-f", "txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
