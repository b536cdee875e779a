"""`make bench`'s tables: a run's figures with their targets, and two runs side by side."""

from bench.table import combined, table


def _run(app_page: float, app_api: float, expected: int) -> dict:
    def fig(ms, app=None):
        return {"p50_ms": ms, "p95_ms": ms * 2, "rps": 1000 / ms, "app_p50_ms": app or ms,
                "app_p95_ms": (app or ms) * 2, "statuses": {"200": 10}}

    figures = {"search_1c": fig(3.0, app_page), "search": fig(6.0, app_page),
               "search_api_1c": fig(2.0, app_api), "search_api": fig(4.0, app_api),
               "raw": {"p50_ms": 0.5, "p95_ms": 1.0}, "bare": fig(1.0), "start_seconds": 3,
               "stocktake_1c": fig(5.0), "stocktake": fig(9.0),
               "stocktake_start_ms": 400, "stocktake_expected": expected}
    # The desk's figures are read only when the run has an intake figure.
    figures.update({k: fig(8.0) for k in ("intake", "intake_1c", "desk", "desk_1c",
                                          "bare_1c", "campaign_page", "reports")})
    # A second size, without the desk (measured at 100k only): its own rows.
    other = {k: v for k, v in figures.items() if k != "intake"} | {"start_seconds": 4}
    return {"sizes": {"10k": {"books": 10000, "figures": figures},
                      "100k": {"books": 100000, "figures": other}},
            "labels_1500_seconds": 0.5, "import_seconds": 2.0,
            "imports": {kind: {"seconds": seconds, "import_seconds": 1.0, "books": 10000,
                               "peak_rss_mb": 200} for kind, seconds in (("csv", 5), ("xlsx", 7))}}


def test_the_search_page_is_compared_with_the_api_against_its_target():
    text = table(_run(app_page=2.6, app_api=2.0, expected=121300))
    page = next(line for line in text.splitlines() if "search page 10k (10000 books)" in line)
    assert "app <= 1.3x API" in page
    assert "x1.30 the API's app time" in page


def test_two_runs_side_by_side_one_row_per_figure():
    text = combined(_run(2.6, 2.0, expected=121300), _run(3.9, 3.0, expected=120572))
    lines = text.splitlines()
    assert "SQLite median ms" in lines[0] and "PostgreSQL median ms" in lines[0]
    stocktake = [line for line in lines if "stocktake start" in line]
    # The expected counts differ between the two builds: still one row, both figures in it.
    assert len(stocktake) == 1 and stocktake[0].count("400") == 2
    page = [line for line in lines if "search page 10k (" in line]
    assert len(page) == 1 and "x1.30 the API's app time" in page[0]
    # Sizes and kinds keep their own rows.
    starts = [line for line in lines if "app start" in line]
    assert len(starts) == 2 and "3000.0" in starts[0] and "4000.0" in starts[1]
    imports = [line for line in lines if "import 10k rows" in line]
    assert len(imports) == 2 and "5000.0" in imports[0] and "7000.0" in imports[1]


def test_a_target_drawn_from_each_run_shows_both():
    sqlite, postgresql = _run(2.6, 2.0, expected=1), _run(2.6, 2.0, expected=1)
    sqlite["sizes"]["1m"] = sqlite["sizes"].pop("100k")
    postgresql["sizes"]["1m"] = postgresql["sizes"].pop("100k")
    postgresql["sizes"]["10k"]["figures"]["search_1c"]["p95_ms"] = 10.0
    line = next(line for line in combined(sqlite, postgresql).splitlines()
                if "search page 1m (" in line)
    assert "SQLite p95 <= 18.0 ms (3x 10k)" in line
    assert "PostgreSQL p95 <= 30.0 ms (3x 10k)" in line
