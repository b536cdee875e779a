"""`make bench`'s one table: every figure of a run, with its target beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import batch, notices
from bench.desk import DESK_CONNECTIONS


def fmt(x: float | None, unit: str = "") -> str:
    if x is None or x < 0:
        return "-"
    return f"{x:.1f}{unit}" if x >= 10 else f"{x:.2f}{unit}"


HEADER = ("figure", "median ms", "p95 ms", "req/s", "target", "note")
PAGE_VS_API = 1.3  # the search page's app time, at most this many times the API's


def table(results: dict) -> str:
    """The run's figures as one Markdown table."""
    return markdown([HEADER, *table_rows(results)])


def table_rows(results: dict) -> list[tuple]:
    """Every figure of a run: (figure, median, p95, req/s, target, note)."""
    rows: list[tuple] = []
    sizes = results["sizes"]

    def fig(name, data, target="", note=""):
        rows.append((name, fmt(data.get("p50_ms")), fmt(data.get("p95_ms")),
                     fmt(data.get("rps")), target, note))

    for size, facts in sizes.items():
        f = facts.get("figures", {})
        if not f:
            continue
        # Latency figures (and targets) come from the 1-connection run when there is one
        # (results of older runs have only the 4-connection run).
        latency = "search_1c" if "search_1c" in f else "search"
        s = f[latency]
        ratio = s["p50_ms"] / f["raw"]["p50_ms"] if f["raw"]["p50_ms"] else 0
        target = "median < 5 ms" if size == "10k" else ""
        if size == "1m" and "10k" in sizes and sizes["10k"].get("figures"):
            ten = sizes["10k"]["figures"]
            limit = 3 * ten["search_1c" if "search_1c" in ten else "search"]["p95_ms"]
            target = f"p95 <= {limit:.1f} ms (3x 10k)"
        conn = ", 1 conn" if latency == "search_1c" else ""
        api = f.get("search_api_1c" if latency == "search_1c" else "search_api", {})
        versus_api = ""
        if api.get("app_p50_ms"):
            # The page and the API run the same search: the rest is the page's own work.
            versus_api = f"x{s['app_p50_ms'] / api['app_p50_ms']:.2f} the API's app time; "
        target = "; ".join(t for t in (target, f"app <= {PAGE_VS_API}x API") if t)
        fig(f"search page {size} ({facts['books']} books){conn}", s, target,
            f"app {fmt(s['app_p50_ms'])} ms (p95 {fmt(s['app_p95_ms'])}); {versus_api}"
            f"x{ratio:.1f} raw; {s['statuses']}")
        if latency == "search_1c":
            fig(f"search page {size}, 4 conns", f["search"], "",
                f"app {fmt(f['search']['app_p50_ms'])} ms; throughput")
            a = f["search_api_1c"]
            fig(f"search API {size}, 1 conn", a, "", f"app {fmt(a['app_p50_ms'])} ms")
            fig(f"search API {size}, 4 conns", f["search_api"], "",
                f"app {fmt(f['search_api']['app_p50_ms'])} ms; throughput")
        else:
            fig(f"search API {size}", f["search_api"], "",
                f"app {fmt(f['search_api']['app_p50_ms'])} ms")
        fig(f"raw search SQL {size}", f["raw"], "", "the floor")
        fig(f"bare JSON endpoint {size}", f["bare"], "", "the ceiling")
        if "intake" in f:
            bare = f["bare"]["rps"] or 1
            desk_target = "server < 10 ms; >= 30% bare req/s"
            if "bare_1c" in f:
                # Desk operations and the bare endpoint at the same number of connections.
                bare_1c = f["bare_1c"]["rps"] or 1
                fig(f"bare JSON endpoint {size}, 1 conn", f["bare_1c"], "",
                    "the ceiling at 1 connection")
                for name, key in (("intake (known ISBN)", "intake"),
                                  ("checkout + check-in", "desk")):
                    for label, d, ceiling in (("1 conn", f[f"{key}_1c"], bare_1c),
                                              (f"{DESK_CONNECTIONS} conns", f[key], bare)):
                        fig(f"{name} {size}, {label}", d, desk_target,
                            f"server {fmt(d['app_p50_ms'])} ms; "
                            f"{100 * d['rps'] / ceiling:.0f}% of bare ({label}); "
                            f"{d['statuses']}")
            else:  # results of older runs: the desk on 1 connection, bare on 4
                for name, key in (("intake (known ISBN)", "intake"),
                                  ("checkout + check-in", "desk")):
                    d = f[key]
                    fig(f"{name} {size}", d, desk_target,
                        f"server {fmt(d['app_p50_ms'])} ms; {100 * d['rps'] / bare:.0f}% of "
                        f"bare; {d['statuses']}")
            if "stocktake_1c" in f:
                for label, d in (("1 conn", f["stocktake_1c"]),
                                 (f"{DESK_CONNECTIONS} conns", f["stocktake"])):
                    fig(f"stocktake scan {size}, {label}", d, "server < 10 ms",
                        f"server {fmt(d['app_p50_ms'])} ms (p95 {fmt(d['app_p95_ms'])}); "
                        f"{d['statuses']}")
                rows.append((f"stocktake start (whole collection, {f['stocktake_expected']} "
                             "copies expected)", fmt(f["stocktake_start_ms"]), "", "", "", ""))
            fig("campaign page (100k loans), 1 conn", f["campaign_page"], "well under 1 s",
                f"{f['campaign_page']['statuses']}")
            fig("/reports (100k loans), 1 conn", f["reports"], "well under 1 s",
                f"{f['reports']['statuses']}")
            rss = f.get("rss_mb") or []
            rows.append(("RSS per worker (100k books)", "", "", "",
                         "", ", ".join(f"{x:.0f} MB" for x in rss)))
        rows.append((f"app start (gunicorn -w 4, {size})", fmt(f["start_seconds"] * 1000), "",
                     "", "", ""))
    rows.extend(batch.rows(results, fmt))
    rows.append(("1,500-label PDF", fmt(results["labels_1500_seconds"] * 1000), "", "",
                 "< 3000 ms", ""))
    if "call_number_us" in results:
        rows.append(("call-number generation per book", fmt(results["call_number_us"] / 1000),
                     "", "", "< 1 ms", f"{results['call_number_us']:.1f} µs (in process; "
                     "a 10k import makes 10k)"))
    rows.extend(notices.rows(results, fmt))
    rows.append(("import wsgi (cold process)", fmt(results["import_seconds"] * 1000), "", "",
                 "", ""))
    return rows


def markdown(rows: list[tuple]) -> str:
    """Rows (the first one the header) as an aligned Markdown table."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _key(figure: str) -> str:
    """A figure's name without the counts that may differ between two data sets' builds
    ("stocktake start (whole collection, 121300 copies expected)"); sizes ("10k") stay."""
    return re.sub(r"\d{4,}", "#", figure)


def combined(sqlite: dict, postgresql: dict) -> str:
    """The figures of a SQLite run and a PostgreSQL run side by side, one row per figure
    (in the SQLite run's order; a figure only one of them has keeps its row)."""
    pg_rows = {_key(r[0]): r for r in table_rows(postgresql)}
    rows = [("figure", "target", "SQLite median ms", "PostgreSQL median ms", "SQLite req/s",
             "PostgreSQL req/s", "SQLite note", "PostgreSQL note")]
    seen = set()
    for r in table_rows(sqlite):
        key = _key(r[0])
        seen.add(key)
        other = pg_rows.get(key, ("", "-", "", "-", "", "-"))
        target = r[4] or other[4]
        if r[4] and other[4] and other[4] != r[4]:  # one drawn from each run's own 10k
            target = f"SQLite {r[4]}; PostgreSQL {other[4]}"
        rows.append((r[0], target, r[1], other[1], r[3], other[3], r[5], other[5]))
    for key, other in pg_rows.items():
        if key not in seen:
            rows.append((other[0], other[4], "-", other[1], "-", other[3], "-", other[5]))
    return markdown(rows)


def write_combined(results_dir: Path) -> str | None:
    """Print and write the latest SQLite and PostgreSQL runs side by side
    (results_dir/latest-combined.md), when both are there; return the table."""
    both = [results_dir / f"latest-{db}.json" for db in ("sqlite", "postgresql")]
    if not all(path.exists() for path in both):
        return None
    runs = [json.loads(path.read_text()) for path in both]
    side_by_side = combined(*runs)
    title = (f"SQLite ({runs[0]['started']}) and PostgreSQL ({runs[1]['started']}), "
             "the latest run of each")
    print(f"\n{title}\n{side_by_side}")
    (results_dir / "latest-combined.md").write_text(
        f"# Benchmark: {title}, {runs[0]['machine']}\n\n{side_by_side}\n")
    return side_by_side


if __name__ == "__main__":  # python -m bench.table: the latest runs side by side again
    write_combined(Path(__file__).resolve().parent / "results")
