"""Sending reads what a batch of messages needs at once and writes each outcome with one
UPDATE: the guarantees still hold. Each outcome is committed before the next message
goes, a run that dies mid-batch keeps what it sent (and a later run sends the rest once),
a reading older than FRESH is read again, and failures count their attempts.

Runs on SQLite and on PostgreSQL (TEST_DB=postgresql)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Loan, Notice
from app.notices import channels, sending, services
from app.notices.sending import BACKOFF, MAX_ATTEMPTS, STALE_CLAIM
from tests.notices.conftest import TODAY
from tests.notices.provider_stub import SERVER_ERROR


class Crash(BaseException):
    """The process dying mid-run (not an error a channel's send may answer with)."""


def run(app, now):
    with app.test_request_context("/"):
        return services.run(now=now, config=app.config, commit=db.session.commit)


def committed_states() -> dict[int, set[str]]:
    """Each member's notice states as another connection sees them (committed only)."""
    with db.engine.connect() as other:
        rows = other.execute(sa.select(Notice.member_id, Notice.state))
        states: dict[int, set[str]] = {}
        for member_id, state in rows:
            states.setdefault(member_id, set()).add(state)
        return states


@pytest.fixture
def three(texter, lend):
    """Three members by text, each with an overdue book and one due today (two rows)."""
    members = [texter(name=f"회원 {i}") for i in range(3)]
    for i, member in enumerate(members):
        lend(member, f"책 {i}", TODAY - timedelta(days=1))
        lend(member, f"오늘 {i}", TODAY)
    return [m.id for m in members]


def spy(monkeypatch, before_send):
    """Call before_send(member) as each text message is about to go."""
    real = channels.TextChannel.send

    def send(self, member, sections, **kw):
        before_send(member)
        return real(self, member, sections, **kw)

    monkeypatch.setattr(channels.TextChannel, "send", send)


def test_each_outcome_is_committed_before_the_next_message_goes(app, provider, clock, three,
                                                               monkeypatch):
    monkeypatch.setattr(sending, "BATCH", 2)  # the third message is in a second batch
    seen = []
    spy(monkeypatch, lambda member: seen.append((member.id, committed_states())))
    done = run(app, clock())
    assert done.sent.messages == 3 and len(provider.requests) == 3
    assert [member_id for member_id, _states in seen] == three
    for n, (_member_id, states) in enumerate(seen):
        assert [states[m] for m in three] == ([{"sent"}] * n + [{"sending"}] * (3 - n))
    assert committed_states() == {m: {"sent"} for m in three}


def test_a_run_that_dies_mid_batch_keeps_what_it_sent_and_the_rest_goes_once_later(
        app, provider, clock, three, monkeypatch):
    def die_at_the_second(member):
        if member.id == three[1]:
            raise Crash

    spy(monkeypatch, die_at_the_second)
    with pytest.raises(Crash):
        run(app, clock())
    db.session.rollback()
    assert committed_states() == {three[0]: {"sent"}, three[1]: {"sending"},
                                  three[2]: {"sending"}}
    assert len(provider.requests) == 1
    monkeypatch.undo()
    assert run(app, clock.advance(minutes=1)).sent.messages == 0  # still claimed
    later = run(app, clock.advance(seconds=STALE_CLAIM.total_seconds()))
    assert later.sent.messages == 2 and later.added == 0
    names = [r["body"]["message"]["text"] for r in provider.requests]
    assert [sum(f"회원 {i}" in text for text in names) for i in range(3)] == [1, 1, 1]
    assert committed_states() == {m: {"sent"} for m in three}


def test_a_book_returned_while_the_run_sends_is_left_out_once_the_reading_is_stale(
        app, provider, clock, three, monkeypatch):
    monkeypatch.setattr(sending, "FRESH", 0.0)  # read again before every message

    def return_the_next_members_books(member):
        if member.id == three[0]:
            with db.engine.begin() as other:
                other.execute(sa.update(Loan).where(Loan.member_id == three[1])
                              .values(returned_at=clock()))

    spy(monkeypatch, return_the_next_members_books)
    done = run(app, clock())
    assert done.sent.messages == 2 and done.sent.void == 1
    assert committed_states() == {three[0]: {"sent"}, three[1]: {"void"},
                                  three[2]: {"sent"}}


def test_a_failure_waits_by_its_attempt_and_the_last_one_gives_up(app, provider, clock,
                                                                  three):
    provider.script = [(500, SERVER_ERROR)] * 3
    # Built first (a run puts the rows there), then failed on their next attempt.
    with app.test_request_context("/"):
        services.build.add_to_outbox(services.build.gather(clock(), services.load_schedule()),
                                     now=clock(), channels={"text"})
    db.session.execute(sa.update(Notice).where(Notice.member_id == three[0])
                       .values(attempts=2))
    db.session.execute(sa.update(Notice).where(Notice.member_id == three[1])
                       .values(attempts=MAX_ATTEMPTS - 1))
    db.session.commit()
    done = run(app, clock())
    assert done.sent.failed == 3
    rows = {(n.member_id, n.kind): n for n in
            db.session.scalars(sa.select(Notice).execution_options(populate_existing=True))}
    assert len(rows) == 6
    for (member_id, _kind), row in rows.items():
        assert "HTTP 500" in row.answer and row.claim is None
        if member_id == three[0]:
            assert (row.state, row.attempts) == ("failed", 3)
            assert row.next_attempt_at == clock() + BACKOFF[2]
        elif member_id == three[1]:
            assert (row.state, row.attempts) == ("given_up", MAX_ATTEMPTS)
        else:
            assert (row.state, row.attempts) == ("failed", 1)
            assert row.next_attempt_at == clock() + BACKOFF[0]
