"""Where `make bench` keeps things, and the benchmark accounts' password."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench password 1"  # noqa: S105 (accounts of a throwaway benchmark database)
