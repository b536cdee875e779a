"""Books at intake: edits (audited), completing a record later."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.errors import BadCheckDigit, IsbnTaken
from app.extensions import db
from app.intake import books, services
from app.models import AuditEvent
from tests.intake.conftest import NOW, commit
from tests.support.providers import OPENL_HOST, needs_recordings, recording

pytestmark = pytest.mark.usefixtures("english_request")


def test_edit_book_is_audited(app, volunteer, make_book):
    book = make_book(isbn13=None, title="Old title", needs_metadata=True)
    changes = books.edit_book(book, {
        "title": "New title", "authors": ["A", "B"], "isbn13": "979-11-6224-309-1",
        "addon_code": "03810", "kdc": "", "year": 2020,
    }, by=volunteer, now=NOW)
    db.session.commit()
    assert changes["title"] == ["Old title", "New title"]
    assert book.isbn13 == "9791162243091" and book.authors == "A; B"
    assert (book.addon_code, book.kdc_class, book.needs_metadata) == ("03810", "8", False)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "book.update"))
    assert event.actor_id == volunteer.id and event.entity_id == book.id
    assert event.details["changes"]["title"] == ["Old title", "New title"]
    assert books.edit_book(book, {"title": "New title"}, by=volunteer, now=NOW) == {}


def test_edit_book_refuses_an_isbn_of_another_book(app, volunteer, make_book):
    make_book(isbn13="9780316030571")
    book = make_book(title="Other")
    with pytest.raises(IsbnTaken):
        books.edit_book(book, {"isbn13": "9780316030571"}, by=volunteer, now=NOW)
    with pytest.raises(BadCheckDigit):
        books.edit_book(book, {"isbn13": "9780316030572"}, by=volunteer, now=NOW)


@needs_recordings
def test_refresh_metadata_completes_a_flagged_book(app, context, volunteer, web):
    result = commit(services.intake_scan("9780316030571", context, by=volunteer, now=NOW,
                                         complete_later=True))
    book = result.book
    assert not books.refresh_metadata(book, by=None, now=NOW)  # still offline
    web.route(OPENL_HOST, recording("openl_9780316030571.json"))
    assert books.refresh_metadata(book, by=None, now=NOW + timedelta(minutes=1))
    db.session.commit()
    assert book.title == "Use of Weapons" and not book.needs_metadata
    assert book.metadata_source == "openl"
