"""Intake fixtures: providers offline by default (recordings on demand), a volunteer."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.intake import donations
from app.models import Role
from tests.support.providers import block_network, release, web  # noqa: F401

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _offline_providers(web):  # noqa: F811
    """Every intake test runs with the providers unreachable unless it routes them."""
    return web


@pytest.fixture
def volunteer(make_member):
    return make_member(Role.VOLUNTEER, name="Volunteer Kim", password=None)


@pytest.fixture
def english(client):
    """Ask for English pages, so tests can read the messages."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def english_request(app):
    """Messages are lazy: they are read inside an (English) request, as in the app."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def context(volunteer, make_member, make_campaign):
    """A donation from a named member for a campaign, being received by `volunteer`."""
    donor = make_member(Role.MEMBER, name="Donor Lee", password=None)
    campaign = make_campaign(name="Book café vitalization", is_default=True)
    return donations.start_donation(donor=donor, campaign=campaign, by=volunteer, now=NOW)


def count(model) -> int:
    """Return how many rows a table has."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def commit(result):
    """Commit the use case just run and return what it returned."""
    db.session.commit()
    return result
