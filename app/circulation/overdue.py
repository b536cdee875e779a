"""Overdue loans grouped by member: the desk's list, the letters and the reminders."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.circulation.rules import local_date
from app.extensions import db
from app.models import Loan, Member


@dataclass
class Overdue:
    """A member's overdue loans, for the desk's list and the reminder letters."""

    member: Member
    loans: list[Loan]
    today: date

    @property
    def most_days(self) -> int:
        """Return the days overdue of the oldest loan."""
        return max(loan.days_overdue(self.today) for loan in self.loans)


def overdue_by_member(*, now: datetime, member: Member | None = None) -> list[Overdue]:
    """Return members with overdue loans, longest overdue first."""
    today = local_date(now)
    query = (
        sa.select(Loan)
        .where(Loan.returned_at.is_(None), Loan.due_on < today, Loan.member_id.is_not(None))
        .order_by(Loan.due_on, Loan.id)
    )
    if member is not None:
        query = query.where(Loan.member_id == member.id)
    groups: dict[int, Overdue] = {}
    for loan in db.session.scalars(query):
        groups.setdefault(loan.member_id, Overdue(loan.member, [], today)).loans.append(loan)
    return sorted(groups.values(), key=lambda o: (-o.most_days, o.member.name))
