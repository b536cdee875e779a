"""`make bench`'s notices run: one run of the scheduled notices job (`flask library
send-notices`: gather what is due into the outbox, compose one message per member and
channel, send it, record the outcome) for 5,000 members, each with a loan due soon, an
overdue loan, and for every fifth a hold ready to pick up.

The app has no sender of its own when neither SMTP nor a text-message provider is
configured (a run then gathers nothing). The bench configures both, with in-process
transports that accept every message: no network; the messages are composed (email and
text, Korean), and every notice's outcome is written as a real run writes it.

    python -m bench.notices [--members 5000] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

MEMBERS = 5000
# 10:30 in Seoul (the default send hour is 10:00, quiet hours from 21:00).
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)


class NullSMTP:
    """smtplib.SMTP's part the email channel uses, accepting every message in process."""

    sent = 0

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, *args):
        pass

    def send_message(self, message):
        NullSMTP.sent += 1
        return {}


class NullProvider:
    """A text-message provider that accepts every message in process."""

    def __init__(self, config: dict):
        pass

    @staticmethod
    def available(config: dict) -> bool:
        return True

    def send(self, to, message, kakao=None):
        from app.notices.channels import Delivery

        return Delivery(True, "bench: accepted", message.type.lower(), to)


def fill(members: int) -> dict:
    """Members (half by email, half by text), one book and copy per loan, two open loans
    each (due in 2 days; 1 day overdue), and a ready hold for every fifth member."""
    from app.catalog import store
    from app.core.defaults import default_site, ensure_defaults
    from app.extensions import db
    from app.models import (
        Book,
        Copy,
        CopyStatus,
        Hold,
        HoldStatus,
        Loan,
        Member,
        NoticePreference,
        Role,
    )

    ensure_defaults()
    site = default_site().id
    created = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.execute(sa.insert(Member), [
        dict(name=f"회원{i:04d}", email=f"n{i}@bench.example", role=Role.MEMBER,
             card_barcode=f"209{i:09d}", created_at=created, locale="ko",
             session_token=f"{i:032x}", phone=f"010{i:08d}")
        for i in range(members)])
    member_ids = db.session.scalars(sa.select(Member.id).where(
        Member.email.like("n%@bench.example")).order_by(Member.id)).all()
    db.session.execute(sa.insert(NoticePreference), [
        dict(member_id=m, by_email=n % 2 == 0, by_text=n % 2 == 1,
             mobile=f"010{n:08d}" if n % 2 else None, kinds_off=[], updated_at=created)
        for n, m in enumerate(member_ids)])
    books = 2 * members
    store.insert_many([dict(title=f"책 제목 {i} 이야기", kdc_class=str(i % 10),
                            created_at=created, updated_at=created) for i in range(books)])
    book_ids = db.session.scalars(sa.select(Book.id).order_by(Book.id)).all()[-books:]
    db.session.execute(sa.insert(Copy), [
        dict(barcode=f"208{i:09d}", book_id=b, site_id=site, created_at=created,
             status_changed_at=created, status=CopyStatus.ON_LOAN)
        for i, b in enumerate(book_ids)])
    copies = db.session.execute(sa.select(Copy.id, Copy.book_id).where(
        Copy.barcode.like("208%")).order_by(Copy.id)).all()
    out = NOW - timedelta(days=13)
    loans = []
    for n, m in enumerate(member_ids):
        for j, due in enumerate((TODAY + timedelta(days=2), TODAY - timedelta(days=1))):
            copy_id, book_id = copies[2 * n + j]
            loans.append(dict(copy_id=copy_id, book_id=book_id, member_id=m, site_id=site,
                              checked_out_at=out, due_on=due, renewals=0,
                              borrower_key=f"{m:08x}{out:%Y%m}"))
    db.session.execute(sa.insert(Loan), loans)
    holds = [dict(book_id=book_ids[(2 * n + 1) % books], member_id=m, site_id=site,
                  status=HoldStatus.READY, placed_at=out, ready_at=NOW - timedelta(hours=20),
                  pickup_by=TODAY + timedelta(days=3))
             for n, m in enumerate(member_ids) if n % 5 == 0]
    db.session.execute(sa.insert(Hold), holds)
    db.session.commit()
    return {"members": members, "loans": len(loans), "holds": len(holds)}


def notices_run(url: str, members: int = MEMBERS) -> dict:
    """Fill an empty, migrated database at `url`, then time one notices run (seconds)."""
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.models import Notice
    from app.notices import channels
    from app.notices import services as notices

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="bench.invalid",
                     MAIL_FROM="bookcafe@bench.example", CAFE_NAME="북카페",
                     NOTICES_SMS_PROVIDER="bench")
    channels.PROVIDERS["bench"] = NullProvider
    real_smtp = channels.smtplib.SMTP
    channels.smtplib.SMTP = NullSMTP
    try:
        with app.app_context():
            facts = fill(members)
            db.session.remove()
            # As the command runs it (`flask library send-notices`).
            with app.test_request_context("/"):
                started = time.perf_counter()
                done = notices.run(now=NOW, config=app.config, commit=db.session.commit)
                seconds = time.perf_counter() - started
            states = dict(db.session.execute(
                sa.select(Notice.state, sa.func.count()).group_by(Notice.state)).all())
            db.session.remove()
            db.engine.dispose()
    finally:
        channels.smtplib.SMTP = real_smtp
        channels.PROVIDERS.pop("bench", None)
    return {**facts, "seconds": seconds, "added": done.added, "messages": done.sent.messages,
            "failed": done.sent.failed, "states": states}


def rows(results: dict, fmt) -> list[tuple]:
    d = results.get("notices")
    if not d:
        return []
    return [(f"notices run ({d['members']} members, {d['loans']} loans, {d['holds']} "
             "holds ready)", fmt(d["seconds"] * 1000), "", "", "< 30 s",
             f"{d['added']} notices, {d['messages']} messages sent, {d['failed']} failed; "
             f"{d['seconds']:.1f} s")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--url", help="an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    from bench.run import migrate

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/notices.db"
        migrate(url)
        print(notices_run(url, args.members))


if __name__ == "__main__":
    main()
