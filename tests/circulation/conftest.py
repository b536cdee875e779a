"""Circulation fixtures: a fixed clock, desk staff, members, books with copies, rules."""

from datetime import date

import pytest

from app.circulation.loans import check_out, return_copy
from app.core.defaults import loan_rules
from app.extensions import db
from app.models import Role
from tests.support.clock import Clock

TODAY = date(2026, 3, 2)  # the clock fixture's local date in Seoul


def out(copy, member, by, clock):
    """Lend `copy` to `member` now and commit; return the loan."""
    done = check_out(copy, member, by=by, now=clock())
    db.session.commit()
    return done.loan


def back(copy, by, clock):
    """Check `copy` in now and commit; return what the check-in did."""
    done = return_copy(copy, by=by, now=clock())
    db.session.commit()
    return done



@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def volunteer(make_member):
    return make_member(Role.VOLUNTEER, name="자원봉사", password="")


@pytest.fixture
def member(make_member):
    return make_member(Role.MEMBER, name="김하늘", phone="010-1234-5678", password="")


@pytest.fixture
def other(make_member):
    return make_member(Role.MEMBER, name="이서준", password="")


@pytest.fixture
def rules(app):
    """The site's loan rules (created and committed, as the app does on first use)."""
    rules = loan_rules()
    db.session.commit()
    return rules


@pytest.fixture
def set_rules(rules):
    def change(**values):
        for key, value in values.items():
            setattr(rules, key, value)
        db.session.commit()
        return rules

    return change


@pytest.fixture
def make_titles(make_book, make_copy):
    """Return make_titles(n_copies=1, **book) -> (book, [copies])."""

    def make(n_copies: int = 1, **kw):
        book = make_book(**kw)
        copies = [make_copy(book) for _ in range(n_copies)]
        return book, copies

    return make


@pytest.fixture
def copy(make_titles):
    """One copy of a one-copy book."""
    return make_titles(1, title="아몬드")[1][0]


@pytest.fixture(autouse=True)
def _english_request(request, app):
    """Services' refusals are read in English (str() of a message needs a request).

    A module with `OUTSIDE_REQUESTS = True` (the CLI tests) runs as a command does.
    """
    if getattr(request.module, "OUTSIDE_REQUESTS", False):
        yield
        return
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
