"""Time /reports on a large history: `python bench/reports.py [--loans 100000]`.

Builds a throwaway database (SQLite in a temporary directory, or DATABASE_URL when set,
which must point to an EMPTY database), fills it with members, books, copies and loans
spread over three years, then times each report query and the whole /reports page
(warm, best of a few runs). For `make bench`; nothing here is asserted by the tests.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.catalog import store  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Book, Copy, Loan, Member, Role  # noqa: E402


def fill(loans: int, members: int = 3000, books: int = 1500) -> None:
    """Insert the history with bulk inserts (fast, no ORM objects)."""
    from app.core.defaults import default_site, ensure_defaults

    ensure_defaults()
    site = default_site().id
    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    db.session.execute(sa.insert(Member), [
        dict(name=f"Member {i}", email=f"m{i}@bench.example", role=Role.MEMBER,
             card_barcode=f"202{i:09d}", created_at=start + timedelta(hours=i * 7),
             locale="ko", session_token=f"{i:032x}")
        for i in range(members)
    ])
    store.insert_many([
        dict(title=f"Book {i}", kdc_class=str(i % 10), created_at=start, updated_at=start)
        for i in range(books)
    ])
    book_ids = db.session.scalars(sa.select(Book.id)).all()
    member_ids = db.session.scalars(sa.select(Member.id)).all()
    db.session.execute(sa.insert(Copy), [
        dict(barcode=f"201{i:09d}", book_id=book_ids[i % len(book_ids)], site_id=site,
             created_at=start + timedelta(hours=i), created_by_id=member_ids[i % 5],
             status_changed_at=start)
        for i in range(books)
    ])
    copies = db.session.execute(sa.select(Copy.id, Copy.book_id)).all()
    span = (datetime(2026, 1, 1, tzinfo=UTC) - start).total_seconds()
    rows = []
    for n in range(loans):
        out = start + timedelta(seconds=span * n / loans)
        member = rng.choice(member_ids)
        rows.append(dict(
            copy_id=copies[n % len(copies)][0], book_id=copies[n % len(copies)][1],
            site_id=site, checked_out_at=out,
            due_on=(out + timedelta(days=14)).date(), renewals=0,
            returned_at=out + timedelta(days=rng.randint(1, 20)),
            borrower_key=f"{member:08x}{out:%Y%m}",
        ))
        if len(rows) == 10_000:
            db.session.execute(sa.insert(Loan), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Loan), rows)
    db.session.commit()


def best(fn, runs: int = 3) -> float:
    """Return the best wall time of a few runs, in milliseconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--keep", metavar="PATH", help="build (and keep) a SQLite file here")
    parser.add_argument("--postgresql", action="store_true",
                        help="run on a throwaway PostgreSQL server (as the tests do)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    tmp = server = None
    if args.postgresql:
        from tests.support.pg import ThrowawayPostgres, find_pg_bin

        server = ThrowawayPostgres(find_pg_bin())
        server.start()
        url = server.create_database("bench")
    elif args.keep:
        url = f"sqlite:///{Path(args.keep).resolve()}"
    elif not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench.db"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        coordinator = db.session.scalar(sa.select(Member).where(Member.name == "Bench"))
        if coordinator is None:  # not a kept database from an earlier run
            t = time.perf_counter()
            fill(args.loans)
            print(f"{db.engine.dialect.name}: {args.loans} loans loaded in "
                  f"{time.perf_counter() - t:.1f} s")
            coordinator = Member(name="Bench", email="bench@example.com",
                                 role=Role.COORDINATOR, card_barcode="202999999999")
            db.session.add(coordinator)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))  # what autovacuum would have done
            db.session.commit()
        loans = db.session.scalar(sa.select(sa.func.count(Loan.id)))
        print(f"{db.engine.dialect.name}: {loans} loans")
        session_id = coordinator.get_id()

    from app.reports import services

    start, end, today = date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 10)
    queries = {
        "loans per month": lambda: services.loans_per_month(start, end),
        "active members per month": lambda: services.active_members_per_month(start, end),
        "new members per month": lambda: services.new_members_per_month(start, end),
        "most borrowed": lambda: services.most_borrowed(start, end),
        "overdue now": lambda: services.overdue_now(today),
        "collection by subject": services.collection_by_subject,
        "collection by status": services.collection_by_status,
        "catalogued per volunteer": lambda: services.catalogued_per_volunteer(start, end),
    }
    with app.test_request_context():
        for name, fn in queries.items():
            print(f"  {name:28s} {best(fn):7.1f} ms")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    for label, query in (("one year", "start=2025-01-01&end=2025-12-31"),
                         ("three years", "start=2023-01-01&end=2025-12-31")):
        def page(query=query):
            assert client.get(f"/reports?{query}").status_code == 200

        print(f"  /reports page, {label:17s} {best(page):7.1f} ms")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if tmp is not None:
        tmp.cleanup()
    if server is not None:
        server.stop()


if __name__ == "__main__":
    main()
