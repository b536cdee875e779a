"""Intake fixtures: providers offline by default (recordings on demand), a volunteer."""

from datetime import UTC, datetime

import pytest

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
