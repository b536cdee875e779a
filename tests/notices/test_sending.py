"""Sending notices: one message per member naming every item, no repeats, retries,
timeouts, quiet hours, the hold-ready hook, both languages. Against a local SMTP server
and a local HTTP server standing in for the provider."""

import hashlib
import hmac
import re
import socket
from datetime import timedelta

import sqlalchemy as sa

from app.circulation.holds import place_hold
from app.circulation.loans import return_copy
from app.extensions import db
from app.models import Notice
from app.notices import services
from app.notices.preferences import save_preference
from app.notices.sending import BACKOFF
from app.notices.text import text_bytes
from tests.notices.conftest import TODAY
from tests.notices.provider_stub import REFUSED, SERVER_ERROR


def run(app, now):
    with app.test_request_context("/"):
        return services.run(now=now, config=app.config, commit=db.session.commit)


def notices(**where):
    query = sa.select(Notice).order_by(Notice.id)
    for key, value in where.items():
        query = query.where(getattr(Notice, key) == value)
    return db.session.scalars(query).all()


def test_three_overdue_books_make_one_email_and_a_second_run_sends_nothing(
        app, smtp, clock, make_member, lend):
    member = make_member(name="Alice Reader", locale="en", password="")
    for title, days in (("Almond", 1), ("The Vegetarian", 3), ("Human Acts", 9)):
        lend(member, title, TODAY - timedelta(days=days))
    done = run(app, clock())
    assert done.sent.messages == 1
    assert len(smtp.messages) == 1
    _sender, to, message = smtp.messages[0]
    assert to == [member.email]
    body = message.get_content()
    for title in ("Almond", "The Vegetarian", "Human Acts"):
        assert title in body
    assert "Dear Alice Reader," in body and "Overdue" in message["Subject"]
    again = run(app, clock.advance(minutes=10))
    assert again.added == 0 and again.sent.messages == 0
    assert len(smtp.messages) == 1
    [row] = notices()
    assert row.state == "sent" and row.kind == "overdue" and row.recipient == member.email


def test_everything_due_for_a_member_goes_in_one_message(app, smtp, clock, make_member, lend):
    member = make_member(name="김하늘", locale="ko", password="")
    lend(member, "아몬드", TODAY - timedelta(days=1))  # overdue by a schedule day
    lend(member, "채식주의자", TODAY)  # due today
    lend(member, "소년이 온다", TODAY + timedelta(days=2))  # due in two days
    run(app, clock())
    assert len(smtp.messages) == 1
    body = smtp.messages[0][2].get_content()
    assert "김하늘 님께" in body
    for title in ("아몬드", "채식주의자", "소년이 온다"):
        assert title in body
    assert {n.kind for n in notices()} == {"overdue", "due_today", "due_soon"}
    assert {n.state for n in notices()} == {"sent"}


def test_a_text_message_names_all_books_signed_for_the_provider(app, provider, clock, texter,
                                                                 lend):
    member = texter(name="김하늘", locale="ko")
    for title, days in (("아몬드", 1), ("채식주의자", 2), ("작별하지 않는다", 4)):
        lend(member, title, TODAY - timedelta(days=days))
    done = run(app, clock())
    assert done.sent.messages == 1
    [request] = provider.requests
    assert request["path"] == "/messages/v4/send"
    message = request["body"]["message"]
    assert message["to"] == "01012345678" and message["from"] == "0215441234"
    assert message["type"] == "LMS"  # three titles do not fit in 90 bytes
    for title in ("아몬드", "채식주의자", "작별하지 않는다"):
        assert title in message["text"]
    assert text_bytes(message["text"]) > 90 and message["subject"]
    auth = request["headers"]["Authorization"]
    fields = dict(re.findall(r"(\w+)=([^,\s]+)", auth.removeprefix("HMAC-SHA256 ")))
    assert fields["apiKey"] == "NCSTESTKEY"
    expected = hmac.new(b"test-secret", (fields["date"] + fields["salt"]).encode(),
                        hashlib.sha256).hexdigest()
    assert fields["signature"] == expected
    [row] = notices()
    assert row.state == "sent" and row.sent_as == "lms" and "2000" in row.answer


def test_a_provider_answering_500_then_200_is_retried_and_sends_once(app, provider, clock,
                                                                     texter, lend):
    member = texter(locale="en")
    lend(member, "Almond", TODAY - timedelta(days=1))
    provider.script = [(500, SERVER_ERROR)]
    first = run(app, clock())
    assert first.sent.failed == 1 and first.sent.messages == 0
    [row] = notices()
    assert row.state == "failed" and row.attempts == 1 and "HTTP 500" in row.answer
    # Not before the backoff is over ...
    assert run(app, clock.advance(minutes=1)).sent.messages == 0
    assert len(provider.requests) == 1
    # ... then once.
    assert run(app, clock.advance(seconds=BACKOFF[0].total_seconds())).sent.messages == 1
    assert run(app, clock.advance(hours=1)).sent.messages == 0
    assert len(provider.requests) == 2
    db.session.refresh(row)
    assert row.state == "sent" and row.attempts == 2


def test_a_provider_that_hangs_is_cut_off_and_retried_later(app, provider, clock, texter,
                                                           lend):
    member = texter()
    lend(member, "아몬드", TODAY - timedelta(days=1))
    provider.script = [("hang", 3)]  # the timeout is 0.5 s
    first = run(app, clock())
    assert first.sent.failed == 1
    [row] = notices()
    assert row.state == "failed" and "timed out" in row.answer.lower()
    assert run(app, clock.advance(minutes=6)).sent.messages == 1
    db.session.refresh(row)
    assert row.state == "sent"


def test_a_refused_number_is_given_up_at_once(app, provider, clock, texter, lend):
    lend(texter(), "아몬드", TODAY - timedelta(days=1))
    provider.script = [(400, REFUSED)]
    run(app, clock())
    [row] = notices()
    assert row.state == "given_up" and "ValidationError" in row.answer


def test_every_channel_unreachable_loses_nothing(app, clock, make_member, lend):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, NOTICES_SMS_PROVIDER="solapi",
                      SOLAPI_API_URL=f"http://127.0.0.1:{port}", SOLAPI_API_KEY="k",
                      SOLAPI_API_SECRET="s", SOLAPI_SENDER="0215441234", NOTICES_TIMEOUT=0.5)
    member = make_member(password="")
    save_preference(member, by_email=True, by_text=True, mobile="01012345678", kinds_off=[])
    db.session.commit()
    lend(member, "아몬드", TODAY - timedelta(days=1))
    done = run(app, clock())
    assert done.sent.failed == 2 and done.sent.messages == 0
    rows = notices()
    assert {(n.channel, n.state) for n in rows} == {("email", "failed"), ("text", "failed")}
    assert all(n.answer for n in rows)


def test_quiet_hours_hold_a_notice_until_the_send_hour(app, provider, clock, texter,
                                                       make_book, make_copy, volunteer):
    member = texter(locale="ko")
    book = make_book(title="아몬드")
    copy = make_copy(book)
    from app.circulation.loans import check_out
    check_out(copy, volunteer_member := texter(), by=volunteer, now=clock())
    db.session.commit()
    place_hold(book, member, now=clock())
    db.session.commit()
    # Returned at 23:00 in Seoul: the copy is trapped for the hold, the notice waits.
    night = clock.advance(hours=12, minutes=30)
    return_copy(copy, by=volunteer, now=night)
    db.session.commit()
    [row] = notices(member_id=member.id)
    assert row.kind == "hold_ready" and row.state == "pending"
    assert run(app, night).sent.quiet
    assert run(app, clock.advance(hours=9)).sent.messages == 0  # 08:00
    assert provider.requests == []
    assert run(app, clock.advance(hours=2)).sent.messages >= 1  # 10:00
    sent = [m for m in provider.sent() if m["to"] == "01012345678"]
    assert any("아몬드" in m["text"] for m in sent)
    db.session.refresh(row)
    assert row.state == "sent"
    assert volunteer_member.id != member.id


def test_the_hold_ready_notice_goes_out_when_a_returned_copy_is_trapped(
        app, smtp, clock, make_member, make_book, make_copy, volunteer):
    from app.circulation.loans import check_out
    holder = make_member(name="Hana", locale="en", password="")
    borrower = make_member(password="")
    book = make_book(title="Almond")
    copy = make_copy(book)
    check_out(copy, borrower, by=volunteer, now=clock())
    place_hold(book, holder, now=clock())
    db.session.commit()
    return_copy(copy, by=volunteer, now=clock.advance(hours=1))
    db.session.commit()
    [row] = notices(member_id=holder.id)
    assert row.kind == "hold_ready" and row.items[0]["title"] == "Almond"
    run(app, clock())
    to_holder = [m for _s, to, m in smtp.messages if to == [holder.email]]
    assert len(to_holder) == 1
    assert "Almond" in to_holder[0].get_content()
    assert "Hold ready" in to_holder[0]["Subject"]


def test_messages_are_in_the_members_language(app, smtp, clock, make_member, lend):
    english = make_member(name="Alice", locale="en", password="")
    korean = make_member(name="박지민", locale="ko", password="")
    lend(english, "Almond", TODAY)
    lend(korean, "아몬드", TODAY)
    run(app, clock())
    by_to = {to[0]: message for _s, to, message in smtp.messages}
    assert "Due today" in by_to[english.email]["Subject"]
    assert "Dear Alice," in by_to[english.email].get_content()
    assert "오늘 반납" in by_to[korean.email]["Subject"]
    assert "박지민 님께" in by_to[korean.email].get_content()


def test_a_returned_book_is_left_out_and_a_notice_with_nothing_left_is_void(
        app, clock, make_member, lend, volunteer, smtp):
    member = make_member(password="")
    loan = lend(member, "아몬드", TODAY - timedelta(days=1))
    app.config["MAIL_SERVER"] = ""  # no channel yet: nothing is built or sent
    assert run(app, clock()).added == 0
    app.config["MAIL_SERVER"] = "127.0.0.1"
    with app.test_request_context("/"):
        services.build.add_to_outbox(
            services.build.gather(clock(), services.load_schedule()), now=clock(),
            channels={"email"})
    db.session.commit()
    return_copy(loan.copy, by=volunteer, now=clock())
    db.session.commit()
    done = run(app, clock())
    assert done.sent.void == 1 and smtp.messages == []
    assert notices()[0].state == "void"


def test_the_desk_can_tell_when_a_member_was_texted_about_an_overdue_loan(
        app, provider, clock, texter, lend):
    loan = lend(texter(), "아몬드", TODAY - timedelta(days=1))
    assert services.last_overdue_notice(loan) is None
    run(app, clock())
    notice = services.last_overdue_notice(loan)
    assert notice is not None and notice.sent_at == clock()


def test_a_donor_hears_once_that_their_book_was_first_borrowed(
        app, smtp, clock, make_member, make_book, make_copy, volunteer):
    from app.circulation.loans import check_out
    from app.core.defaults import default_site
    from app.models import Donation
    donor = make_member(name="Donor", locale="en", password="")
    borrower = make_member(password="")
    donation = Donation(donor_id=donor.id, site_id=default_site().id, received_at=clock())
    db.session.add(donation)
    db.session.flush()
    copy = make_copy(make_book(title="Almond"), donation_id=donation.id)
    check_out(copy, borrower, by=volunteer, now=clock())
    db.session.commit()
    run(app, clock())
    to_donor = [m for _s, to, m in smtp.messages if to == [donor.email]]
    assert len(to_donor) == 1 and "Almond" in to_donor[0].get_content()
    return_copy(copy, by=volunteer, now=clock.advance(hours=1))
    check_out(copy, borrower, by=volunteer, now=clock.advance(days=1))
    db.session.commit()
    run(app, clock())
    assert len([m for _s, to, m in smtp.messages if to == [donor.email]]) == 1


def test_a_hold_ending_tomorrow_is_told_the_day_before(app, smtp, clock, make_member,
                                                       make_book, make_copy, volunteer):
    from app.circulation.loans import check_out
    holder = make_member(name="Hana", locale="en", password="")
    book = make_book(title="Almond")
    copy = make_copy(book)
    check_out(copy, make_member(password=""), by=volunteer, now=clock())
    place_hold(book, holder, now=clock())
    db.session.commit()
    return_copy(copy, by=volunteer, now=clock())
    db.session.commit()
    run(app, clock())  # the hold-ready notice
    [hold_row] = notices(member_id=holder.id)
    pickup = hold_row.items[0]["date"]
    from datetime import date
    days = (date.fromisoformat(pickup) - TODAY).days
    run(app, clock.advance(days=days - 1))
    rows = notices(member_id=holder.id)
    assert [n.kind for n in rows] == ["hold_ready", "hold_expiring"]
    assert rows[1].state == "sent"
    assert "Hold expiring" in smtp.messages[-1][2]["Subject"]


def test_a_run_that_died_mid_send_is_picked_up_later_and_a_given_up_notice_can_be_retried(
        app, provider, clock, texter, lend):
    from app.notices.sending import STALE_CLAIM
    lend(texter(), "아몬드", TODAY - timedelta(days=1))
    with app.test_request_context("/"):
        services.build.add_to_outbox(services.build.gather(clock(), services.load_schedule()),
                                     now=clock(), channels={"text"})
    [row] = notices()
    row.state, row.claim, row.claimed_at = "sending", "dead-run", clock()
    db.session.commit()
    assert run(app, clock.advance(minutes=1)).sent.messages == 0  # still claimed
    assert run(app, clock.advance(seconds=STALE_CLAIM.total_seconds())).sent.messages == 1
    db.session.refresh(row)
    row.state = "given_up"
    db.session.commit()
    services.retry(row.id, now=clock())
    db.session.commit()
    assert row.state == "pending"
    assert run(app, clock()).sent.messages == 1


def test_a_failing_hook_never_stops_a_return_and_the_next_run_tells_the_holder(
        app, smtp, clock, make_member, make_book, make_copy, volunteer, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.circulation.loans import check_out
    from app.notices import build

    def broken(*args, **kw):
        raise OperationalError("INSERT", {}, Exception("disk full"))

    holder = make_member(name="Hana", locale="en", password="")
    book = make_book(title="Almond")
    copy = make_copy(book)
    check_out(copy, make_member(password=""), by=volunteer, now=clock())
    place_hold(book, holder, now=clock())
    db.session.commit()
    monkeypatch.setattr(build, "hold_ready", broken)
    return_copy(copy, by=volunteer, now=clock())
    db.session.commit()
    assert notices() == []
    run(app, clock())
    assert [to for _s, to, _m in smtp.messages] == [[holder.email]]
