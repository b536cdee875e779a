"""The yearly statistics: every figure equals a count made here, independently, in Python,
over a generated year of activity (with activity the year before and after, not counted)."""

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.core.defaults import default_site
from app.core.numbering import next_copy_barcode
from app.extensions import db
from app.models import (
    Copy,
    CopyStatus,
    Disposition,
    Donation,
    DonationItem,
    ItemOutcome,
    Loan,
    Role,
    Withdrawal,
    WithdrawalReason,
)
from app.reports.yearly import KDC_CLASSES, year_figures

SEOUL = ZoneInfo("Asia/Seoul")
YEAR = 2025


def _moment(rng: random.Random) -> datetime:
    """A random instant from Dec 2024 to Jan 2026 (some fall on the year's edges)."""
    start = datetime(2024, 12, 31, 20, 0, tzinfo=SEOUL)
    return (start + timedelta(minutes=rng.randrange(60 * 24 * 368))).astimezone(UTC)


def _local_year(moment: datetime) -> int:
    return moment.astimezone(SEOUL).year


@pytest.fixture
def activity(app, make_member, make_book):
    rng = random.Random(23)
    site = default_site()
    members = [make_member(Role.MEMBER) for _ in range(6)]
    books = [make_book(kdc_class=rng.choice([*KDC_CLASSES, None])) for _ in range(12)]
    donations = []
    for _ in range(8):
        donation = Donation(anonymous=True, site_id=site.id, received_at=_moment(rng))
        db.session.add(donation)
        donations.append(donation)
    db.session.flush()
    copies = []
    for _ in range(60):
        donation = rng.choice([None, *donations])
        created = donation.received_at if donation else _moment(rng)
        copy = Copy(book_id=rng.choice(books).id, site_id=site.id, barcode=next_copy_barcode(),
                    donation_id=donation.id if donation else None, created_at=created,
                    status_changed_at=created)
        db.session.add(copy)
        copies.append(copy)
    db.session.flush()
    withdrawals = []
    for copy in rng.sample(copies, 15):
        at = max(copy.created_at, _moment(rng))
        reinstated = at + timedelta(days=20) if rng.random() < 0.3 else None
        copy.status = CopyStatus.AVAILABLE if reinstated else CopyStatus.WITHDRAWN
        withdrawals.append(Withdrawal(copy_id=copy.id, reason=WithdrawalReason.OUTDATED,
                                      withdrawn_at=at, reinstated_at=reinstated,
                                      disposition=Disposition.PENDING))
    db.session.add_all(withdrawals)
    loans = []
    for _ in range(80):
        copy = rng.choice(copies)
        loans.append(Loan(copy_id=copy.id, book_id=copy.book_id, site_id=site.id,
                          member_id=rng.choice(members).id, checked_out_at=_moment(rng),
                          returned_at=datetime(2026, 6, 1, tzinfo=UTC),
                          due_on=datetime(2026, 6, 1).date()))
    db.session.add_all(loans)
    items = [DonationItem(donation_id=rng.choice(donations).id, title="x", held_for="copy_cap",
                          outcome=rng.choice([ItemOutcome.PASSED_ON, ItemOutcome.DECLINED]),
                          passed_to="Library", recorded_at=_moment(rng)) for _ in range(10)]
    db.session.add_all(items)
    db.session.commit()
    return books, copies, withdrawals, loans, donations, items


def test_the_years_figures_equal_counts_made_independently(activity):
    books, copies, withdrawals, loans, donations, items = activity
    kdc = {b.id: b.kdc_class for b in books}
    end = datetime(YEAR + 1, 1, 1, tzinfo=SEOUL)

    def off_register_at_end(copy):
        return any(w.copy_id == copy.id and w.withdrawn_at < end
                   and (w.reinstated_at is None or w.reinstated_at >= end)
                   for w in withdrawals)

    collection: dict = {}
    for copy in copies:
        if copy.created_at < end and not off_register_at_end(copy):
            collection[kdc[copy.book_id]] = collection.get(kdc[copy.book_id], 0) + 1
    in_year = [c for c in copies if _local_year(c.created_at) == YEAR]
    year_loans = [ln for ln in loans if _local_year(ln.checked_out_at) == YEAR]
    by_month = [sum(1 for ln in year_loans if ln.checked_out_at.astimezone(SEOUL).month == m)
                for m in range(1, 13)]
    loans_kdc: dict = {}
    for loan in year_loans:
        loans_kdc[kdc[loan.book_id]] = loans_kdc.get(kdc[loan.book_id], 0) + 1
    year_donations = {d.id for d in donations if _local_year(d.received_at) == YEAR}

    figures = year_figures(YEAR)
    assert {k: v for k, v in figures.collection_by_kdc.items() if v} == collection
    assert figures.acquired_donated == sum(1 for c in in_year if c.donation_id)
    assert figures.acquired_other == sum(1 for c in in_year if not c.donation_id)
    assert figures.withdrawn == sum(1 for w in withdrawals if _local_year(w.withdrawn_at) == YEAR
                                    and w.reinstated_at is None)
    assert figures.loans_by_month == by_month
    assert figures.loans_by_kdc == loans_kdc
    assert figures.active_members == len({ln.member_id for ln in year_loans})
    assert figures.donations == len(year_donations)
    assert figures.items_kept == sum(1 for c in copies if c.donation_id in year_donations)
    assert figures.items_passed_on == sum(1 for i in items if i.donation_id in year_donations
                                          and i.outcome is ItemOutcome.PASSED_ON)
    assert figures.items_declined == sum(1 for i in items if i.donation_id in year_donations
                                         and i.outcome is ItemOutcome.DECLINED)
    assert sum(by_month) > 0 and figures.withdrawn > 0 and figures.items_declined > 0


def test_the_page_and_exports_show_the_same_figures(client, login_as, activity):
    login_as(Role.COORDINATOR, locale="ko")
    rows = year_figures(YEAR).rows()
    page = client.get(f"/reports/yearly?year={YEAR}")
    assert page.status_code == 200 and "장서 현황" in page.get_data(as_text=True)
    exported = list(csv.reader(io.StringIO(
        client.get(f"/reports/yearly.csv?year={YEAR}").get_data().decode("utf-8-sig"))))
    assert [tuple(r[:2]) + (int(r[2]),) for r in exported[1:]] == rows
    sheet = load_workbook(io.BytesIO(
        client.get(f"/reports/yearly.xlsx?year={YEAR}").get_data())).active
    assert [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)] == rows
    assert client.get("/reports/yearly?year=1999").status_code == 400


def test_volunteers_do_not_see_the_yearly_figures(client, login_as):
    login_as(Role.VOLUNTEER)
    assert client.get("/reports/yearly").status_code == 403
