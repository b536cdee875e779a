"""Volunteer hours: overlapping shifts are refused, an unapproved shift is not exported,
and a volunteer sees only their own."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.errors import InvalidInput
from app.extensions import db
from app.models import Role, ShiftActivity
from app.volunteers import shifts

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def kim(make_member):
    return make_member(Role.VOLUNTEER, name="자원활동가 김")


def test_overlapping_shifts_are_refused(kim, make_member):
    shifts.log_shift(kim, start=at(2, 1), end=at(2, 4), activity=ShiftActivity.DESK,
                     note=None, now=NOW)
    for start, end in ((at(2, 3), at(2, 5)), (at(2, 0), at(2, 2)), (at(2, 2), at(2, 3)),
                       (at(2, 0), at(2, 6))):
        with pytest.raises(shifts.ShiftOverlaps):
            shifts.log_shift(kim, start=start, end=end, activity=ShiftActivity.DESK,
                             note=None, now=NOW)
    shifts.log_shift(kim, start=at(2, 4), end=at(2, 5), activity=ShiftActivity.INTAKE,
                     note=None, now=NOW)  # touching is fine
    other = make_member(Role.VOLUNTEER)
    shifts.log_shift(other, start=at(2, 1), end=at(2, 4), activity=ShiftActivity.DESK,
                     note=None, now=NOW)  # someone else's shift
    with pytest.raises(InvalidInput):
        shifts.log_shift(kim, start=at(3, 5), end=at(3, 4), activity=ShiftActivity.DESK,
                         note=None, now=NOW)
    # An open shift runs until now: nothing may start inside it, nor a second one.
    shifts.start_shift(kim, ShiftActivity.INTAKE, now=at(19, 0))
    with pytest.raises(shifts.ShiftOverlaps):
        shifts.log_shift(kim, start=at(19, 1), end=at(19, 2), activity=ShiftActivity.DESK,
                         note=None, now=NOW)
    with pytest.raises(shifts.ShiftOverlaps):
        shifts.start_shift(kim, ShiftActivity.DESK, now=NOW)
    ended = shifts.end_shift(kim, now=NOW)
    assert ended.minutes == 33 * 60


def test_an_unapproved_shift_is_not_exported(client, login_as, kim, make_member):
    approved = shifts.log_shift(kim, start=at(2, 1), end=at(2, 4),
                                activity=ShiftActivity.DESK, note="대출 데스크", now=NOW)
    shifts.log_shift(kim, start=at(3, 1), end=at(3, 2), activity=ShiftActivity.LABELS,
                     note="미승인", now=NOW)
    db.session.commit()
    coordinator = login_as(Role.COORDINATOR, locale="en")
    token_page = client.get("/shifts/review").get_data(as_text=True)
    assert "미승인" in token_page and "대출 데스크" in token_page
    shifts.approve(approved.id, by=coordinator, now=NOW)
    db.session.commit()
    data = client.get(f"/shifts/month.csv?year=2026&month=3&member_id={kim.id}").get_data()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] == [["자원활동가 김", "2026-03-02", "10:00", "13:00", "180", "Desk",
                         "대출 데스크"]]
    pdf = client.get("/shifts/month.pdf?year=2026&month=3")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "대출 데스크" in text and "미승인" not in text


def test_a_volunteer_sees_only_their_own(client, login_as, kim):
    shifts.log_shift(kim, start=at(2, 1), end=at(2, 4), activity=ShiftActivity.DESK,
                     note="김의 교대", now=NOW)
    db.session.commit()
    login_as(Role.VOLUNTEER, locale="en")
    page = client.get("/shifts").get_data(as_text=True)
    assert "김의 교대" not in page
    assert client.get("/shifts/review").status_code == 403
    assert client.get("/shifts/month.csv").status_code == 403


def test_start_and_end_my_shift_from_the_station(client, login_as, csrf_token):
    me = login_as(Role.VOLUNTEER, locale="en")
    token = csrf_token("/shifts")
    response = client.post("/shifts/start", data={"csrf_token": token, "activity": "intake",
                                                  "back": "intake", "start": "y"})
    assert response.headers["Location"] == "/intake"
    assert shifts.open_shift(me) is not None
    client.post("/shifts/log", data={"csrf_token": token, "day": "2026-03-01",
                                     "start": "10:00", "end": "12:00", "activity": "desk",
                                     "note": "x"})
    db.session.rollback()
    assert len(shifts.my_shifts(me)) == 2
    assert shifts.my_shifts(me)[-1].started_at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert timedelta(0) < datetime.now(UTC) - shifts.open_shift(me).started_at
