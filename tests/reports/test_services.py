"""Report queries: each number of the small history, Seoul months, date ranges."""

from datetime import date

from app.models import CopyStatus
from app.reports import services

JAN, MAR = date(2026, 1, 1), date(2026, 3, 31)


def test_loans_and_returns_per_month(history):
    assert services.loans_per_month(JAN, MAR) == [
        ("2026-01", 3, 2), ("2026-02", 2, 3), ("2026-03", 2, 1)]


def test_a_range_covers_whole_local_days(history):
    # The loan at 23:00 on 31 January (Seoul) is in a range that ends that day...
    assert services.loans_per_month(date(2026, 1, 31), date(2026, 1, 31)) == [
        ("2026-01", 1, 0)]
    # ...and the return at 08:00 on 1 February (31 January in UTC) is not.
    assert services.loans_per_month(date(2026, 2, 1), date(2026, 2, 1)) == [("2026-02", 0, 1)]


def test_empty_months_are_listed(history):
    assert services.loans_per_month(date(2025, 10, 15), date(2025, 11, 2)) == [
        ("2025-10", 0, 0), ("2025-11", 0, 0)]


def test_distinct_active_members_per_month(history):
    # January: two pseudonyms; March: one pseudonym and one loan still linked to its member.
    assert services.active_members_per_month(JAN, MAR) == [
        ("2026-01", 2), ("2026-02", 1), ("2026-03", 2)]


def test_new_members_per_month_in_seoul_time(history):
    assert services.new_members_per_month(JAN, MAR) == [
        ("2026-01", 1), ("2026-02", 1), ("2026-03", 0)]


def test_most_borrowed(history):
    assert [(t, n) for _id, t, n in services.most_borrowed(JAN, MAR)] == [
        ("소년이 온다", 5), ("Poems", 2)]
    assert [(t, n) for _id, t, n in services.most_borrowed(date(2026, 2, 1), MAR)] == [
        ("소년이 온다", 3), ("Poems", 1)]
    assert len(services.most_borrowed(JAN, MAR, limit=1)) == 1


def test_overdue_now(history):
    overdue = services.overdue_now(history.today)
    assert [(o.title, o.days_overdue, o.member_name) for o in overdue] == [
        ("소년이 온다", 10, "Borrower Kang"), ("소년이 온다", 5, "Borrower Kang")]
    assert services.overdue_count(history.today) == 2
    assert services.overdue_count(date(2026, 3, 12)) == 1
    assert services.overdue_now(date(2026, 3, 10)) == []


def test_collection_by_subject_and_status(history):
    assert services.collection_by_subject() == [("8", 3)]  # the withdrawn zine is out
    assert services.collection_by_status() == [
        (CopyStatus.AVAILABLE, 1), (CopyStatus.ON_LOAN, 2), (CopyStatus.ON_HOLD_SHELF, 0),
        (CopyStatus.LOST, 0), (CopyStatus.MISSING, 0), (CopyStatus.DAMAGED, 0),
        (CopyStatus.WITHDRAWN, 1)]


def test_catalogued_per_volunteer(history):
    assert services.catalogued_per_volunteer(JAN, MAR) == [
        ("Volunteer Lee", 3), ("Volunteer Choi", 1)]
    assert services.catalogued_per_volunteer(date(2026, 3, 1), MAR) == [("Volunteer Choi", 1)]
    assert services.catalogued_per_volunteer(date(2026, 4, 1), date(2026, 4, 30)) == []


def test_count_charts_have_whole_number_ticks():
    from app.reports.charts import _ticks, column_chart

    assert _ticks(5, counts=True) == (0, 5)
    assert _ticks(10, counts=True) == (0, 5, 10)
    assert _ticks(2.5, counts=False) == (0, 1.25, 2.5)
    svg = str(column_chart(["1월", "2월"], [("대출", [3, 5])], title="t"))
    assert ">2.5<" not in svg and ">5<" in svg
