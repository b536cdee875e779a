"""A year's figures for the 작은도서관 실태조사 (small-library survey) and for funders.

Every figure is counted over the local (Seoul) calendar year. Column names follow the
survey's wording where it has one; the README says which figure fills which field.
Not counted yet: members by age band (no birth year is kept), opening days (no calendar),
and acquisitions by purchase vs transfer (a copy records only whether it was donated).
Read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.timebuckets import local_day_start
from app.extensions import db
from app.models import (
    Book,
    Copy,
    CopyStatus,
    Donation,
    DonationItem,
    ItemOutcome,
    Loan,
    Withdrawal,
)

KDC_CLASSES = [str(n) for n in range(10)]

# The sections and their survey wording (실태조사 항목).
SECTIONS = {
    "collection": "장서 현황(연말 기준, KDC 주류별)",
    "acquisitions": "자료 구입·수증(연간 증가 책 수)",
    "withdrawals": "제적(폐기) 책 수",
    "loans_month": "월별 대출 책 수",
    "loans_kdc": "주류별 대출 책 수",
    "members": "이용자",
    "donations": "기증 도서 처리",
}
HEADERS = (_l("Section"), _l("Item"), _l("Count"))


@dataclass
class YearFigures:
    """One year's figures."""

    year: int
    collection_by_kdc: dict[str | None, int] = field(default_factory=dict)
    acquired_donated: int = 0
    acquired_other: int = 0
    withdrawn: int = 0
    loans_by_month: list[int] = field(default_factory=list)
    loans_by_kdc: dict[str | None, int] = field(default_factory=dict)
    active_members: int = 0
    donations: int = 0
    items_kept: int = 0
    items_passed_on: int = 0
    items_declined: int = 0

    def rows(self) -> list[tuple[str, str, int]]:
        """Return (section, item, count) rows in the survey's wording."""
        rows: list[tuple[str, str, int]] = []

        def by_class(section: str, counts: dict[str | None, int]) -> None:
            for kdc in KDC_CLASSES:
                rows.append((SECTIONS[section], f"{kdc}00", counts.get(kdc, 0)))
            rows.append((SECTIONS[section], "미분류", counts.get(None, 0)))
            rows.append((SECTIONS[section], "계", sum(counts.values())))

        by_class("collection", self.collection_by_kdc)
        rows += [(SECTIONS["acquisitions"], "수증(기증)", self.acquired_donated),
                 (SECTIONS["acquisitions"], "구입·이관·기타", self.acquired_other),
                 (SECTIONS["acquisitions"], "계", self.acquired_donated + self.acquired_other),
                 (SECTIONS["withdrawals"], "제적", self.withdrawn)]
        for month, n in enumerate(self.loans_by_month, start=1):
            rows.append((SECTIONS["loans_month"], f"{month}월", n))
        rows.append((SECTIONS["loans_month"], "계", sum(self.loans_by_month)))
        by_class("loans_kdc", self.loans_by_kdc)
        rows += [(SECTIONS["members"], "실이용자 수(대출 회원)", self.active_members),
                 (SECTIONS["donations"], "기증 건수", self.donations),
                 (SECTIONS["donations"], "받은 책",
                  self.items_kept + self.items_passed_on + self.items_declined),
                 (SECTIONS["donations"], "등록(소장)", self.items_kept),
                 (SECTIONS["donations"], "타 기관 전달", self.items_passed_on),
                 (SECTIONS["donations"], "반려·사양", self.items_declined)]
        return rows


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """Return the UTC instants the local year starts and ends at."""
    return local_day_start(date(year, 1, 1)), local_day_start(date(year + 1, 1, 1))


def _withdrawn_by(end: datetime) -> sa.ColumnElement:
    """Copies off the register at `end`: a standing withdrawal then, or (without any
    withdrawal record) withdrawn status set before it."""
    standing = sa.exists().where(
        Withdrawal.copy_id == Copy.id, Withdrawal.withdrawn_at < end,
        sa.or_(Withdrawal.reinstated_at.is_(None), Withdrawal.reinstated_at >= end))
    recorded = sa.exists().where(Withdrawal.copy_id == Copy.id)
    bare = sa.and_(Copy.status == CopyStatus.WITHDRAWN, Copy.status_changed_at < end,
                   ~recorded)
    return sa.or_(standing, bare)


def year_figures(year: int) -> YearFigures:
    """Count one local calendar year's figures."""
    start, end = year_bounds(year)
    figures = YearFigures(year=year)
    figures.collection_by_kdc = dict(db.session.execute(
        sa.select(Book.kdc_class, sa.func.count(Copy.id))
        .join(Book, Copy.book_id == Book.id)
        .where(Copy.created_at < end, ~_withdrawn_by(end))
        .group_by(Book.kdc_class)).all())
    in_year = sa.and_(Copy.created_at >= start, Copy.created_at < end)
    figures.acquired_donated, figures.acquired_other = db.session.execute(
        sa.select(sa.func.count(Copy.id).filter(Copy.donation_id.is_not(None)),
                  sa.func.count(Copy.id).filter(Copy.donation_id.is_(None)))
        .where(in_year)).one()
    figures.withdrawn = db.session.scalar(
        sa.select(sa.func.count(Withdrawal.id))
        .where(Withdrawal.withdrawn_at >= start, Withdrawal.withdrawn_at < end,
               Withdrawal.reinstated_at.is_(None)))
    months = [local_day_start(date(year, m, 1)) for m in range(1, 13)] + [end]
    figures.loans_by_month = [
        db.session.scalar(sa.select(sa.func.count(Loan.id)).where(
            Loan.checked_out_at >= months[i], Loan.checked_out_at < months[i + 1]))
        for i in range(12)]
    loans_in_year = sa.and_(Loan.checked_out_at >= start, Loan.checked_out_at < end)
    figures.loans_by_kdc = dict(db.session.execute(
        sa.select(Book.kdc_class, sa.func.count(Loan.id))
        .join(Book, Loan.book_id == Book.id).where(loans_in_year)
        .group_by(Book.kdc_class)).all())
    figures.active_members = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Loan.member_id)))
        .where(loans_in_year, Loan.member_id.is_not(None)))
    of_year = sa.select(Donation.id).where(Donation.received_at >= start,
                                           Donation.received_at < end)
    figures.donations = db.session.scalar(
        sa.select(sa.func.count(Donation.id)).where(Donation.id.in_(of_year)))
    figures.items_kept = db.session.scalar(
        sa.select(sa.func.count(Copy.id)).where(Copy.donation_id.in_(of_year)))
    held = dict(db.session.execute(
        sa.select(DonationItem.outcome, sa.func.count(DonationItem.id))
        .where(DonationItem.donation_id.in_(of_year),
               DonationItem.outcome != ItemOutcome.KEPT)
        .group_by(DonationItem.outcome)).all())
    figures.items_passed_on = held.get(ItemOutcome.PASSED_ON, 0)
    figures.items_declined = held.get(ItemOutcome.DECLINED, 0)
    return figures
