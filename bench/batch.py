"""`make bench`'s figures of browsing and of batch work: the catalogue browsed without
search words (the first page and the 100th: no filter, a subject, a language, both,
the books available now, alone and with a language),
and a 10k-row import from CSV and from Excel (.xlsx) into an empty catalogue, run as
`flask library import` in its own process (seconds and the process's peak RSS)."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

BROWSE = {
    "browse_1": "/catalog",
    "browse_100": "/catalog?page=100",
    "browse_subject_1": "/catalog?subject=8",
    "browse_subject_100": "/catalog?subject=8&page=100",
    "browse_ko_1": "/catalog?language=ko",
    "browse_ko_100": "/catalog?language=ko&page=100",
    "browse_ko_subject_1": "/catalog?language=ko&subject=8",
    "browse_ko_subject_100": "/catalog?language=ko&subject=8&page=100",
    "browse_available_1": "/catalog?available=1",
    "browse_available_100": "/catalog?available=1&page=100",
    "browse_ko_available_1": "/catalog?language=ko&available=1",
    "browse_ko_available_100": "/catalog?language=ko&available=1&page=100",
}
BROWSE_LABELS = {
    "browse_1": "first page",
    "browse_100": "page 100",
    "browse_subject_1": "subject 8, first page",
    "browse_subject_100": "subject 8, page 100",
    "browse_ko_1": "language ko, first page",
    "browse_ko_100": "language ko, page 100",
    "browse_ko_subject_1": "language ko + subject 8, first page",
    "browse_ko_subject_100": "language ko + subject 8, page 100",
    "browse_available_1": "available now, first page",
    "browse_available_100": "available now, page 100",
    "browse_ko_available_1": "language ko + available now, first page",
    "browse_ko_available_100": "language ko + available now, page 100",
}


def browse_figures(wrk, base: str, seconds: float) -> dict:
    """Browse /catalog with no search words, 1 connection (latency)."""
    return {key: wrk(base, [("GET", path, "")], seconds=seconds, threads=1, connections=1)
            for key, path in BROWSE.items()}


def xlsx_of(csv_path: Path, data: Path) -> Path:
    """Return the CSV converted to .xlsx (cached in bench/data)."""
    from openpyxl import Workbook

    target = data / (csv_path.stem + ".xlsx")
    if target.exists() and target.stat().st_mtime >= csv_path.stat().st_mtime:
        return target
    book = Workbook(write_only=True)
    sheet = book.create_sheet("books")
    with csv_path.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    tmp = target.with_suffix(".building")
    book.save(tmp)
    tmp.rename(target)
    return target


def _high_water_kb(pid: int) -> int:
    """The process's peak RSS so far (VmHWM). Not wait4's ru_maxrss: that also counts the
    memory of the process that started it (this one, with a data set just built in it:
    the run of 2026-12-03 07:35 showed 1.9 GB for an import of 10k rows)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def import_run(root: Path, bin_dir: Path, url: str, path: Path) -> dict:
    """Run `flask library import` on an empty database; return seconds and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as instance:
        env = {k: v for k, v in os.environ.items() if k != "TEST_DB"}
        env.update(DATABASE_URL=url, SECRET_KEY="bench-secret-key-not-for-production",
                   BOOKCAFE_INSTANCE=instance, BOOKCAFE_CLI_LOCALE="en")
        out = Path(instance, "out.txt")
        started = time.perf_counter()
        with out.open("w") as stdout:
            process = subprocess.Popen(
                [str(bin_dir / "flask"), "--app", "wsgi", "library", "import", str(path)],
                cwd=root, env=env, stdout=stdout, stderr=subprocess.STDOUT)
            peak_kb = 0
            while True:
                pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                peak_kb = max(peak_kb, _high_water_kb(process.pid))
                time.sleep(0.02)
        seconds = time.perf_counter() - started
        text = out.read_text()
    if status != 0:
        raise RuntimeError(f"the import failed:\n{text[-2000:]}")
    inner = re.search(r"imported: (\d+) books, (\d+) copies in ([\d.]+) s", text)
    return {"seconds": seconds, "import_seconds": float(inner.group(3)) if inner else None,
            "books": int(inner.group(1)) if inner else None,
            "peak_rss_mb": peak_kb / 1024}


def import_figures(root: Path, bin_dir: Path, csv_path: Path, data: Path, fresh) -> dict:
    """The 10k-row import from CSV and from .xlsx, each into its own fresh database
    (`fresh` is a context manager yielding the URL of an empty, migrated database)."""
    out = {}
    for kind, path in (("csv", csv_path), ("xlsx", xlsx_of(csv_path, data))):
        with fresh() as url:
            out[kind] = import_run(root, bin_dir, url, path)
    return out


def rows(results: dict, fmt) -> list[tuple]:
    """The table rows of these figures."""
    out = []
    sizes = results["sizes"]
    for size, facts in sizes.items():
        f = facts.get("figures", {})
        if "browse_1" not in f:
            continue
        for key, label in BROWSE_LABELS.items():
            d = f.get(key)
            if d is None:  # a run from before this row was measured
                continue
            out.append((f"browse /catalog {size}, {label}, 1 conn", fmt(d.get("p50_ms")),
                        fmt(d.get("p95_ms")), fmt(d.get("rps")),
                        "median < 50 ms" if size == "1m" else "",
                        f"app {fmt(d['app_p50_ms'])} ms; {d['statuses']}"))
    for kind, d in results.get("imports", {}).items():
        inner = d["import_seconds"]
        out.append((f"import 10k rows ({kind}, goodbooks-10k, empty catalogue)",
                    fmt(d["seconds"] * 1000), "", "", "seconds",
                    f"{d['books']} books; whole command {d['seconds']:.1f} s (import itself "
                    f"{inner} s); peak RSS {d['peak_rss_mb']:.0f} MB"))
    return out
