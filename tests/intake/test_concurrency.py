"""Volunteers scanning copies of one title at the same moment, against the live server.

Each copy gets its own copy number and call number (813.7-손66ㅇ, =2, =3...): the number is
read once the intake holds the barcode counter (the database's write lock on SQLite, the
counter row's lock on PostgreSQL). Runs on SQLite and PostgreSQL (TEST_DB=postgresql).
"""

import pytest
import sqlalchemy as sa

from app.accounts.services import issue_token
from app.extensions import db
from app.intake.triage import TriageRules, set_triage_rules
from app.models import Copy, Role, utcnow
from tests.support.concurrency import at_once, post_json

VOLUNTEERS = 6


@pytest.fixture
def scan_at_once(live_server, make_member, make_book, make_copy, make_campaign):
    """Return scan_at_once(copy_cap) -> (book, answers): a title with one copy on the shelf,
    scanned by six volunteers at the same moment under that copy cap."""

    def run(copy_cap: int):
        book = make_book(title="아몬드", authors="손원평", publisher="창비", kdc="813.7",
                         kdc_class="8", isbn13="9788936434267", language="ko")
        make_copy(book, call_number="813.7-손66ㅇ", copy_number=1)
        make_campaign(name="봄 기증", is_default=True)
        set_triage_rules(TriageRules(copy_cap=copy_cap), by=make_member(Role.COORDINATOR),
                         now=utcnow())
        tokens = [issue_token(make_member(Role.VOLUNTEER, password=""), days=1,
                              now=utcnow())[0] for _ in range(VOLUNTEERS)]
        db.session.commit()
        results = at_once(VOLUNTEERS, lambda i: post_json(
            f"{live_server}/api/v1/intake", tokens[i], {"scan": "9788936434267"}))
        db.session.expire_all()
        return book, results

    return run


def test_copies_scanned_at_once_get_their_own_copy_numbers(scan_at_once):
    book, results = scan_at_once(copy_cap=0)

    assert sorted(status for status, _ in results) == [201] * VOLUNTEERS, results
    copies = db.session.execute(sa.select(Copy.copy_number, Copy.call_number)
                                .where(Copy.book_id == book.id)).all()
    assert sorted(number for number, _ in copies) == list(range(1, VOLUNTEERS + 2))
    assert len({call_number for _, call_number in copies}) == VOLUNTEERS + 1, copies


def test_the_copy_cap_holds_when_volunteers_scan_the_last_place_at_once(scan_at_once):
    """Cap 2, one copy on the shelf, six scans at once: one copy is added, five are held back
    (each counted the copies again while the others waited)."""
    book, results = scan_at_once(copy_cap=2)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (VOLUNTEERS - 1), results
    held = [answer for status, answer in results if status == 409]
    assert all(answer["error"]["reason"] == "copy_cap" for answer in held), held
    assert db.session.scalar(sa.select(sa.func.count(Copy.id))
                             .where(Copy.book_id == book.id)) == 2
