"""Notices fixtures: a clock at 10:30 in Seoul, a local SMTP server and provider, members
with overdue books."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.circulation.loans import check_out
from app.extensions import db
from app.models import Role
from app.notices.preferences import save_preference
from tests.circulation.smtp_stub import SMTPStub
from tests.notices.provider_stub import ProviderStub
from tests.support.clock import Clock

# 10:30 in Seoul on Monday 2026-03-02 (the send hour is 10:00).
MORNING = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)


@pytest.fixture
def clock():
    return Clock(MORNING)


@pytest.fixture
def smtp(app):
    with SMTPStub() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                          MAIL_FROM="bookcafe@example.com", CAFE_NAME="북카페")
        yield server


@pytest.fixture
def provider(app):
    with ProviderStub() as server:
        app.config.update(NOTICES_SMS_PROVIDER="solapi", SOLAPI_API_URL=server.url,
                          SOLAPI_API_KEY="NCSTESTKEY", SOLAPI_API_SECRET="test-secret",
                          SOLAPI_SENDER="0215441234", NOTICES_TIMEOUT=0.5,
                          CAFE_NAME="북카페")
        yield server


@pytest.fixture
def volunteer(make_member):
    return make_member(Role.VOLUNTEER, name="자원봉사", password="")


@pytest.fixture
def lend(volunteer, make_copy, make_book):
    """lend(member, title, due_on) -> loan: a loan due on that (Seoul) date."""

    def make(member, title: str, due_on: date):
        copy = make_copy(make_book(title=title))
        done = check_out(copy, member, by=volunteer, now=MORNING - timedelta(days=30))
        done.loan.due_on = due_on
        db.session.commit()
        return done.loan

    return make


@pytest.fixture
def texter(make_member):
    """texter(**member) -> a member who chose text messages only."""

    def make(**kw):
        member = make_member(Role.MEMBER, password="", **kw)
        save_preference(member, by_email=False, by_text=True, mobile="01012345678",
                        kinds_off=[])
        db.session.commit()
        return member

    return make
