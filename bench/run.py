"""`make bench`: how fast the app is, measured side by side in one run on one machine.

Builds its data sets (cached in bench/data/ by generator version), serves each with gunicorn
(production settings, 4 workers) on 127.0.0.1, drives it with wrk, and prints one table,
written also as JSON and Markdown under bench/results/. Targets are printed beside the
figures; nothing fails on them.

    python -m bench.run [--db sqlite|postgresql] [--sizes 10k,100k,1m] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import batch, datasets, notices  # noqa: E402
from bench.callnumbers import call_number_microseconds  # noqa: E402
from bench.desk import desk_figures, stocktake_figures  # noqa: E402
from bench.paths import BIN, PASSWORD  # noqa: E402
from bench.serve import Server, wrk  # noqa: E402
from bench.table import table, write_combined  # noqa: E402

GENERATOR_VERSION = 5  # 5: loans carry their book and are stored in checkout order
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
GOODBOOKS = Path(os.environ.get("BOOKCAFE_SHARED_DATA", ROOT.parent / "shared" / "data")) \
    / "goodbooks-10k" / "books.csv"

# The fixed search mix: Korean 2-syllable, Korean longer, English, author, ISBN.
SEARCHES = {
    "korean-2": ["소년", "바다", "마음", "해리", "여름"],
    "korean-long": ["마법사의 돌", "고양이 이야기", "편의점 비밀", "우주 여행"],
    "english": ["harry", "hunger games", "secret garden", "the dark"],
    "author": ["김민서", "rowling", "tolkien"],
}


# --------------------------------------------------------------------------- data sets

def build(url: str, size: str) -> dict:
    """Create the schema with the migrations and load one data set; return its facts."""
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.services import create_member
    from app.config import TestConfig
    from app.core.defaults import default_site, ensure_defaults
    from app.extensions import db
    from app.models import Role, utcnow

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        ensure_defaults()
        db.session.commit()
        site = default_site().id
        db.session.remove()
        campaign = datasets.make_campaign(db.engine, site)
        if size == "10k":
            rows = datasets.goodbooks_rows(GOODBOOKS)
        else:
            rows = datasets.generated_rows({"100k": 100_000, "1m": 1_000_000}[size], seed=42)
        started = time.perf_counter()
        counts = datasets.load(db.engine, rows, seed=42, site_id=site, campaign_id=campaign)
        counts["load_seconds"] = round(time.perf_counter() - started, 1)
        for email, role in (("coordinator@bench.example", Role.COORDINATOR),
                            ("volunteer@bench.example", Role.VOLUNTEER),
                            ("desk1@bench.example", Role.MEMBER),
                            ("desk2@bench.example", Role.MEMBER)):
            create_member(name=email.split("@")[0], email=email, password=PASSWORD, role=role,
                          now=utcnow())
        db.session.commit()
        db.engine.dispose()
    return counts


def migrate(url: str) -> None:
    """Bring a cached data set to the latest schema (new indexes come with migrations)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


def sqlite_dataset(size: str) -> tuple[str, dict]:
    """Return the URL of a cached SQLite data set, building it when missing."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"sqlite-{size}-v{GENERATOR_VERSION}.db"
    facts_path = path.with_suffix(".json")
    if not (path.exists() and facts_path.exists()):
        for stale in DATA.glob(f"sqlite-{size}-v*"):
            stale.unlink()
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        facts = build(f"sqlite:///{tmp}", size)
        tmp.rename(path)
        facts_path.write_text(json.dumps(facts))
    migrate(f"sqlite:///{path}")
    return path, json.loads(facts_path.read_text())


@contextmanager
def sqlite_scratch(size: str):
    """Yield (url, facts) of a scratch copy of the cached set (the run writes to it)."""
    path, facts = sqlite_dataset(size)
    scratch = DATA / f"scratch-{size}.db"
    shutil.copyfile(path, scratch)
    wal = path.with_name(path.name + "-wal")  # committed pages not yet checkpointed
    if wal.exists():
        shutil.copyfile(wal, scratch.with_name(scratch.name + "-wal"))
    try:
        yield f"sqlite:///{scratch}", facts
    finally:
        for leftover in DATA.glob(f"scratch-{size}.db*"):
            leftover.unlink()


def pg_cluster_dir() -> Path:
    """Where the benchmark's PostgreSQL cluster is kept: bench/data, unless the server's
    user (postgres, when we run as root) cannot reach it, as in a clone under a private
    temporary directory; then a directory of its own under /var/tmp."""
    wanted = DATA / f"pg-cluster-v{GENERATOR_VERSION}"
    if os.geteuid() != 0 or all(p.stat().st_mode & 0o001 for p in
                                [wanted.parent, *wanted.parent.parents] if p.exists()):
        return wanted
    fallback = Path("/var/tmp") / f"bookcafe-bench-pg-v{GENERATOR_VERSION}"
    print(f"   (postgres cannot reach {DATA}; keeping the cluster in {fallback})", flush=True)
    return fallback


@contextmanager
def postgres_scratch(pg, size: str):
    """Like sqlite_scratch, on the kept benchmark cluster: databases bench_<size> (cached)
    and a scratch copy made with CREATE DATABASE ... TEMPLATE."""
    name = f"bench_{size}"
    facts_path = pg.dir / f"facts-{size}.json"
    if name not in pg.databases() or not facts_path.exists():
        facts_path.unlink(missing_ok=True)
        pg.drop_database(name)
        facts = build(pg.create_database(name), size)
        facts_path.write_text(json.dumps(facts))
    migrate(pg.url(name))
    pg.drop_database("bench_scratch")
    pg._admin(f'CREATE DATABASE bench_scratch TEMPLATE "{name}"')
    try:
        yield pg.url("bench_scratch"), json.loads(facts_path.read_text())
    finally:
        pg.drop_database("bench_scratch")


@contextmanager
def fresh_database(pg):
    """Yield the URL of an empty database brought to the latest migration."""
    if pg is None:
        path = DATA / "scratch-import.db"
        for leftover in DATA.glob("scratch-import.db*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    else:
        pg.drop_database("bench_import")
        url = pg.create_database("bench_import")
    migrate(url)
    try:
        yield url
    finally:
        if pg is None:
            for leftover in DATA.glob("scratch-import.db*"):
                leftover.unlink()
        else:
            pg.drop_database("bench_import")


def search_paths(url: str) -> tuple[list[str], list[str]]:
    """Return the mix of search queries (with real ISBNs of the data set)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        isbns = [r[0] for r in conn.execute(sa.text(
            "SELECT isbn13 FROM book WHERE isbn13 IS NOT NULL ORDER BY id LIMIT 2000"))]
    engine.dispose()
    picked = isbns[:: max(1, len(isbns) // 4)][:4]
    queries = [q for group in SEARCHES.values() for q in group] + picked
    return queries, isbns


def raw_query_times(url: str, queries: list[str], rounds: int = 5) -> list[float]:
    """Replay the SQL that the app's search runs, straight on the DBAPI cursor (ms)."""
    from app import create_app
    from app.catalog.services import parse_search_args, search
    from app.config import TestConfig
    from app.extensions import db

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    times = []
    with app.app_context(), app.test_request_context("/"):
        statements: list[tuple[str, object]] = []

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            statements.append((statement, parameters))

        sa.event.listen(db.engine, "before_cursor_execute", capture)
        per_query = []
        for q in queries:
            # The second run: the first also counts the query's bigrams, which the app
            # then keeps for a few minutes.
            search(parse_search_args({"q": q}), now=datetime.now(UTC))
            statements.clear()
            search(parse_search_args({"q": q}), now=datetime.now(UTC))
            per_query.append([s for s in statements if s[0].lstrip().upper().startswith("SELECT")])
        sa.event.remove(db.engine, "before_cursor_execute", capture)
        raw = db.engine.raw_connection()
        try:
            for _ in range(rounds):
                for sqls in per_query:
                    cursor = raw.cursor()
                    started = time.perf_counter()
                    for statement, parameters in sqls:
                        cursor.execute(statement, parameters)
                        cursor.fetchall()
                    times.append((time.perf_counter() - started) * 1000)
                    cursor.close()
        finally:
            raw.close()
        db.engine.dispose()
    return times


def label_seconds() -> float:
    from app.barcodes import internal_code
    from app.labels.pdf import LabelItem, render_labels
    from app.labels.sheet import SheetSpec

    sheet = SheetSpec(210, 297, 8, 3, 70, 37, 0.5, 0, 0, 0)
    items = [LabelItem(internal_code("201", i + 1), f"해리포터와 마법사의 돌 {i}권",
                       f"843-롤{i}", "서산시민센터 북카페") for i in range(1500)]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        render_labels(items, sheet)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


# --------------------------------------------------------------------------- main
def run(db_kind: str, sizes: list[str], seconds: float) -> dict:
    results: dict = {"db": db_kind, "started": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": f"{os.cpu_count()} cores", "sizes": {}, "figures": []}
    pg = None
    if db_kind == "postgresql":
        from tests.support.pg import ThrowawayPostgres, find_pg_bin

        if find_pg_bin() is None:
            sys.exit("PostgreSQL's initdb/pg_ctl are missing: run `make system-deps` as root")
        # A cluster kept in bench/data, so the data sets are built once (like the SQLite files).
        pg = ThrowawayPostgres(find_pg_bin(), pg_cluster_dir())
        pg.start()
    try:
        for size in sizes:
            print(f"== {size}: preparing the data set", flush=True)
            started = time.perf_counter()
            with (sqlite_scratch(size) if pg is None else postgres_scratch(pg, size)) as (url, facts):
                facts["prepare_seconds"] = round(time.perf_counter() - started, 1)
                results["sizes"][size] = facts
                measure_size(results, size, url, facts, seconds)
        print("== imports: 10k rows from CSV and from .xlsx", flush=True)
        results["imports"] = batch.import_figures(ROOT, BIN, GOODBOOKS, DATA,
                                                  lambda: fresh_database(pg))
        print("== notices: one run for 5,000 members", flush=True)
        with fresh_database(pg) as url:
            results["notices"] = notices.notices_run(url)
        results["labels_1500_seconds"] = label_seconds()
        results["call_number_us"] = call_number_microseconds()
        import_started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, check=True,
                       env=dict(os.environ, SECRET_KEY="x", DATABASE_URL="sqlite://"))
        results["import_seconds"] = time.perf_counter() - import_started
    finally:
        if pg is not None:
            pg.stop()
    return results


def measure_size(results: dict, size: str, url: str, facts: dict, seconds: float) -> None:
    """Serve one data set with gunicorn and measure its figures into results."""
    print(f"   {facts}", flush=True)
    queries, _isbns = search_paths(url)
    raw = raw_query_times(url, queries)
    server = Server(url)
    try:
        entry = {"start_seconds": server.start_seconds}
        page_requests = [("GET", "/catalog?q=" + urllib.parse.quote(q), "")
                         for q in queries]
        api_requests = [("GET", "/api/v1/books?q=" + urllib.parse.quote(q), "")
                        for q in queries]
        # Warm up every worker: each counts a query's bigrams once (then keeps
        # the counts for minutes), which at 1M would land in the first figure. Both
        # request kinds, so the page figure, measured first, does not pay alone for a
        # cold scratch copy (on PostgreSQL, CREATE DATABASE ... TEMPLATE leaves the
        # copy's pages outside shared buffers; a production server's cache is warm).
        wrk(server.base, page_requests, seconds=max(2.0, seconds))
        wrk(server.base, api_requests, seconds=max(2.0, seconds))
        # Latency with one connection (wrk shares the 2 cores, so 4 connections
        # measure queueing too), then throughput with 4.
        entry["search_1c"] = wrk(server.base, page_requests, seconds=seconds,
                                 threads=1, connections=1)
        entry["search"] = wrk(server.base, page_requests, seconds=seconds)
        entry["search_api_1c"] = wrk(server.base, api_requests, seconds=seconds,
                                     threads=1, connections=1)
        entry["search_api"] = wrk(server.base, api_requests, seconds=seconds)
        entry["raw"] = {"p50_ms": statistics.median(raw),
                        "p95_ms": statistics.quantiles(raw, n=20)[18]}
        entry["bare"] = wrk(server.base, [("GET", "/api/v1/health", "")],
                            seconds=seconds)
        entry.update(batch.browse_figures(wrk, server.base, max(2.0, seconds / 2)))
        if size == "100k":
            entry.update(desk_figures(server, url, seconds))
            entry.update(stocktake_figures(server, url, seconds))
            entry["rss_mb"] = server.worker_rss_mb()
        results["sizes"][size]["figures"] = entry
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make bench does it as root)")
    results = run(args.db, args.sizes.split(","), args.seconds)
    text = table(results)
    print()
    print(f"Book Café benchmark — {args.db}, {results['machine']}, {results['started']}")
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = results["started"].replace(":", "")
    (RESULTS / f"bench-{args.db}-{stamp}.json").write_text(json.dumps(results, indent=2))
    markdown = (f"# Benchmark ({args.db}, {results['machine']}, {results['started']})\n\n"
                f"{text}\n")
    (RESULTS / f"bench-{args.db}-{stamp}.md").write_text(markdown)
    (RESULTS / f"latest-{args.db}.md").write_text(markdown)
    (RESULTS / f"latest-{args.db}.json").write_text(json.dumps(results, indent=2))
    write_combined(RESULTS)


if __name__ == "__main__":
    main()
