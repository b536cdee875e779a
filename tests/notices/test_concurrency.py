"""Two sending runs at once (cron on two machines) send each notice once.

Runs on SQLite and on PostgreSQL (TEST_DB=postgresql)."""

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Notice
from app.notices import services
from tests.notices.conftest import TODAY
from tests.support.concurrency import at_once


def test_two_runs_at_once_send_each_notice_once(app, provider, clock, texter, lend):
    members = [texter(name=f"회원 {i}") for i in range(4)]
    for i, member in enumerate(members):
        lend(member, f"책 {i}", TODAY - timedelta(days=1))
    # Each send takes a moment, so the runs overlap.
    provider.script = [("hang", 0.15)] * 8
    now = clock()

    def work(_i):
        with app.app_context(), app.test_request_context("/"):
            try:
                done = services.run(now=now, config=app.config, commit=db.session.commit)
                return done.added, done.sent.messages
            finally:
                db.session.remove()

    results = at_once(2, work)
    assert sum(added for added, _sent in results) == 4
    assert sum(sent for _added, sent in results) == 4
    assert len(provider.requests) == 4
    assert sorted(r["body"]["message"]["text"].count("책") for r in provider.requests) == [1] * 4
    db.session.expire_all()
    states = db.session.scalars(sa.select(Notice.state)).all()
    assert states == ["sent"] * 4
