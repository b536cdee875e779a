"""The print queue: adding (once per copy), removing, marking printed."""

import pytest
import sqlalchemy as sa

from app.errors import (
    NothingToPrint,
)
from app.extensions import db
from app.labels.label_queue import (
    add_to_queue,
    mark_labels_printed,
    queue_rows,
    queued_copies,
    remove_from_queue,
)
from app.models import LabelQueueItem, Role
from tests.labels.conftest import NOW, events

pytestmark = pytest.mark.usefixtures("english_request")


def test_add_to_queue_skips_copies_already_queued(make_copy, make_member):
    volunteer = make_member(Role.VOLUNTEER)
    a, b = make_copy(), make_copy()
    assert add_to_queue([a], by=volunteer, now=NOW) == 1
    assert add_to_queue([a, b, b], by=volunteer, now=NOW, source="scans") == 1
    db.session.commit()
    rows = queue_rows()
    assert [r.copy.id for r in rows] == [a.id, b.id]
    assert rows[0].added_by == volunteer.name and rows[0].item.added_at == NOW
    assert [e.details["count"] for e in events("labels.queue_add")] == [1, 1]


def test_remove_from_queue(make_queued, make_member):
    copies = make_queued(3)
    items = {r.copy.id: r.item.id for r in queue_rows()}
    by = make_member(Role.VOLUNTEER)
    assert remove_from_queue([items[copies[1].id]], by=by, now=NOW) == 1
    assert remove_from_queue([], by=by, now=NOW) == 0
    assert [c.id for c in queued_copies()] == [copies[0].id, copies[2].id]
    assert copies[1].label_printed_at is None


def test_mark_labels_printed_empties_the_queue_and_is_audited(make_queued, make_member):
    copies = make_queued(3)
    by = make_member(Role.VOLUNTEER)
    assert mark_labels_printed(copies[:2], by=by, now=NOW) == 2
    db.session.commit()
    assert [c.label_printed_at for c in copies] == [NOW, NOW, None]
    assert queued_copies() == [copies[2]]
    (event,) = events("labels.printed")
    assert event.actor_id == by.id and event.details["barcodes"] == [
        c.barcode for c in copies[:2]]
    with pytest.raises(NothingToPrint):
        mark_labels_printed([], by=by, now=NOW)


def test_queue_item_is_removed_with_its_copy_printed(make_queued, make_member):
    make_queued(2)
    assert db.session.scalar(sa.select(sa.func.count(LabelQueueItem.id))) == 2
