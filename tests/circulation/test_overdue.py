"""Overdue loans grouped by member, longest overdue first."""

from app.circulation.overdue import overdue_by_member
from tests.circulation.conftest import out


def test_overdue_by_member(make_titles, member, other, volunteer, clock):
    _book, copies = make_titles(3)
    out(copies[0], member, volunteer, clock)
    clock.advance(days=2)
    out(copies[1], other, volunteer, clock)
    out(copies[2], member, volunteer, clock)
    clock.advance(days=14)
    groups = overdue_by_member(now=clock())
    assert [(g.member.id, len(g.loans), g.most_days) for g in groups] == [
        (member.id, 1, 2)]
    clock.advance(days=3)
    groups = overdue_by_member(now=clock())
    assert [(g.member.id, g.most_days) for g in groups] == [(member.id, 5), (other.id, 3)]
