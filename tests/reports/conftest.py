"""A small history with known report numbers (months are Seoul months)."""

from dataclasses import dataclass
from datetime import date

import pytest

from app.extensions import db
from app.models import Book, CopyStatus, Member, Role
from tests.campaigns.factories import add_donation, add_loan, seoul


@dataclass
class History:
    volunteer: Member
    other_volunteer: Member
    borrower: Member
    novel: Book
    poems: Book
    today: date


@pytest.fixture
def history(app, make_member, make_book) -> History:
    """Loans in Jan-Mar 2026, two overdue today (2026-03-20), members and cataloguing.

    Expected:
      loans per month   2026-01: 3 loans, 2 returns; 2026-02: 2 loans, 3 returns (one is a
                        January loan returned in February); 2026-03: 2 loans, 1 return
      active members    2026-01: 2, 2026-02: 1, 2026-03: 2
      most borrowed     novel 5, poems 2
      overdue now       2 (due 2026-03-10 and 2026-03-15)
      catalogued        volunteer 3 copies, other volunteer 1 (Jan-Mar)
    """
    volunteer = make_member(Role.VOLUNTEER, name="Volunteer Lee",
                            now=seoul(2025, 12, 1, 9, 0))
    other = make_member(Role.VOLUNTEER, name="Volunteer Choi", now=seoul(2025, 12, 2, 9, 0))
    borrower = make_member(name="Borrower Kang", now=seoul(2026, 1, 1, 0, 30))  # 1 Jan local
    make_member(name="Late", now=seoul(2026, 2, 28, 23, 30))  # still February in Seoul
    novel = make_book(title="소년이 온다", kdc_class="8")
    poems = make_book(title="Poems", kdc_class="8")
    zine = make_book(title="Zine")
    gift = add_donation(None, [novel, novel, poems], by=volunteer,
                        received_at=seoul(2026, 1, 2, 10, 0))
    late = add_donation(None, [zine], by=other, received_at=seoul(2026, 3, 1, 0, 10))
    n1, n2, p1 = sorted(gift.copies, key=lambda c: c.id)
    late.copies[0].status = CopyStatus.WITHDRAWN
    # January: three loans by two borrowers (keys are per member and month).
    add_loan(n1, at=seoul(2026, 1, 5, 10), returned_at=seoul(2026, 1, 10, 10),
             borrower_key="k-a-2026-01")
    add_loan(n2, at=seoul(2026, 1, 6, 10), returned_at=seoul(2026, 1, 20, 10),
             borrower_key="k-a-2026-01")
    # 1 Feb 08:00 in Seoul is 31 Jan in UTC: a February return.
    add_loan(p1, at=seoul(2026, 1, 31, 23, 0), returned_at=seoul(2026, 2, 1, 8, 0),
             borrower_key="k-b-2026-01")
    # February: two loans by one borrower, both returned.
    add_loan(n1, at=seoul(2026, 2, 3, 10), returned_at=seoul(2026, 2, 10, 10),
             borrower_key="k-a-2026-02")
    add_loan(p1, at=seoul(2026, 2, 4, 10), returned_at=seoul(2026, 2, 11, 10),
             borrower_key="k-a-2026-02")
    # March: two open loans, both overdue on 20 March; one has no key yet (member kept).
    add_loan(n1, member=borrower, at=seoul(2026, 3, 1, 10), due_on=date(2026, 3, 15),
             borrower_key="k-c-2026-03")
    add_loan(n2, member=borrower, at=seoul(2026, 3, 2, 10), due_on=date(2026, 3, 10))
    # One March return: the January loan below, returned late.
    add_loan(late.copies[0], at=seoul(2025, 12, 20, 10), returned_at=seoul(2026, 3, 3, 10),
             borrower_key="k-d-2025-12")
    db.session.commit()
    return History(volunteer, other, borrower, novel, poems, date(2026, 3, 20))
