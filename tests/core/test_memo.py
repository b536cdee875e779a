"""What one request remembers: settings read once, a book found by its ISBN found again,
and neither past a change in the same request, nor into the next request."""

import sqlalchemy as sa

from app.catalog import store
from app.core.settings import store as store_setting
from app.core.settings import stored
from app.extensions import db
from app.intake.lookup import book_by_isbn
from app.models import Setting, utcnow


def count_selects(run):
    seen = []

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        result = run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return result, len(seen)


def test_a_setting_never_stored_is_read_once_a_request_and_a_store_is_seen(app):
    with app.test_request_context():
        _, reads = count_selects(lambda: [stored("memo.test") for _ in range(3)])
        assert reads == 1
        store_setting("memo.test", {"a": 1}, now=utcnow())
        assert stored("memo.test") == {"a": 1}
        db.session.commit()
    with app.test_request_context():
        db.session.get(Setting, "memo.test").value = {"a": 2}
        db.session.commit()
        assert stored("memo.test") == {"a": 2}  # a new request reads it again


def test_a_book_found_by_isbn_is_found_again_without_a_query_until_it_changes(app, make_book):
    book_id = make_book(isbn13="9788936434267", title="아몬드").id
    db.session.expunge_all()
    with app.test_request_context():
        first = book_by_isbn("9788936434267")
        second, reads = count_selects(lambda: book_by_isbn("9788936434267"))
        assert second is first and second.id == book_id and reads == 0
        with store.editing(first):
            first.isbn13 = "9788936434274"
        assert book_by_isbn("9788936434267") is None
        assert book_by_isbn("9788936434274") is first
        store.delete(first)
        db.session.flush()
        assert book_by_isbn("9788936434274") is None
        db.session.rollback()
    with app.test_request_context():
        assert book_by_isbn("9788936434267").id == book_id
    assert book_by_isbn("9788936434267").id == book_id  # outside a request: no memo
