"""The café's lending rules: its calendar, a site's loan rules, and what keeps a member
from borrowing, in plain words."""

import functools
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.circulation.lookups import open_loans
from app.core.defaults import loan_rules
from app.core.i18n import interpolate
from app.extensions import db
from app.models import Copy, LoanRules, Member, Site

# The café's calendar: due dates and pickup deadlines are days in Korea.
LOCAL_TZ = ZoneInfo("Asia/Seoul")


def local_date(now: datetime) -> date:
    """Return the café's calendar date at `now`."""
    return now.astimezone(LOCAL_TZ).date()


@functools.cache
def _rules_query() -> sa.Select:
    return sa.select(LoanRules).where(LoanRules.site_id == sa.bindparam("site_id"))


def rules_for(copy: Copy | None = None) -> LoanRules:
    """Return the loan rules of the copy's site (or of the default site)."""
    if copy is not None:
        # One query on the desk's hot path; the defaults are made only when missing.
        rules = db.session.scalar(_rules_query(), {"site_id": copy.site_id})
        if rules is not None:
            return rules
        return loan_rules(db.session.get(Site, copy.site_id))
    return loan_rules()


@dataclass(frozen=True)
class Block:
    """A reason a member cannot borrow now (the message translates when shown)."""

    code: str
    template: object
    params: tuple = ()

    @property
    def message(self) -> str:
        """Return the reason in plain words, in the current language."""
        return interpolate(self.template, self.params)


def member_blocks(member: Member, *, now: datetime, rules: LoanRules | None = None) -> list[Block]:
    """Return the reasons the member cannot borrow now (empty when they can)."""
    rules = rules or rules_for()
    today = local_date(now)
    blocks: list[Block] = []
    if not member.is_active:
        blocks.append(Block("inactive", _l("This account is deactivated.")))
    loans = open_loans(member)
    overdue = [loan for loan in loans if loan.is_overdue(today)]
    if overdue and rules.overdue_blocks:
        blocks.append(Block(
            "overdue", _l("%(count)d overdue book(s): return them before borrowing more."),
            (("count", len(overdue)),)))
    if len(loans) >= rules.max_loans:
        blocks.append(Block(
            "limit", _l("%(count)d books on loan: the limit of %(max)d is reached."),
            (("count", len(loans)), ("max", rules.max_loans))))
    return blocks
