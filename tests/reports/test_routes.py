"""/reports: coordinators only, the chosen range, a chart and a table per report, CSV."""

import csv
import io
from datetime import date

import pytest

from app.models import Role
from app.reports import routes
from app.reports.tables import REPORT_KEYS, default_range

RANGE = "start=2026-01-01&end=2026-03-31"


def test_reports_are_for_coordinators(client, login_as):
    assert client.get("/reports").status_code == 302
    login_as(Role.VOLUNTEER)
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/loans.csv").status_code == 403


def test_every_report_has_a_table_and_most_a_chart(client, login_as, history):
    login_as(Role.COORDINATOR, locale="en")
    response = client.get(f"/reports?{RANGE}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for key in REPORT_KEYS:
        assert f'data-testid="report-{key}"' in text
        assert f"/reports/{key}.csv?start=2026-01-01&amp;end=2026-03-31" in text
    for chart in ("loans", "active-members", "new-members", "most-borrowed",
                  "collection-subject", "collection-status", "catalogued"):
        assert f'data-testid="chart-{chart}"' in text
    assert "Loans and returns per month" in text
    assert "<td>2026-02</td><td class=\"num\">2</td><td class=\"num\">3</td>" in text
    assert "Volunteer Lee" in text and "Borrower Kang" in text
    assert "<script" not in text.split("</footer>")[0]


def test_default_range_is_the_last_twelve_months(client, login_as):
    assert default_range(date(2026, 3, 20)) == (date(2025, 4, 1), date(2026, 3, 20))
    assert default_range(date(2026, 12, 5)) == (date(2026, 1, 1), date(2026, 12, 5))
    login_as(Role.COORDINATOR, locale="en")
    text = client.get("/reports").get_data(as_text=True)
    assert 'name="start" required type="date" value="' in text


@pytest.mark.parametrize("query", ["start=2026-03-01&end=2026-01-01", "start=bad&end=2026-01-01",
                                   "start=2000-01-01&end=2026-01-01", "end=2026-01-01"])
def test_bad_range_is_explained(client, login_as, query):
    login_as(Role.COORDINATOR, locale="en")
    response = client.get(f"/reports?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert client.get(f"/reports/loans.csv?{query}").status_code == 400


def _csv(response):
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_exports(client, login_as, history):
    login_as(Role.COORDINATOR, locale="en")
    rows = _csv(client.get(f"/reports/loans.csv?{RANGE}"))
    assert rows == [["Month", "Loans", "Returns"], ["2026-01", "3", "2"], ["2026-02", "2", "3"],
                    ["2026-03", "2", "1"]]
    rows = _csv(client.get(f"/reports/most-borrowed.csv?{RANGE}"))
    assert rows[1] == ["소년이 온다", "5"]
    rows = _csv(client.get(f"/reports/active-members.csv?{RANGE}"))
    assert rows[1:] == [["2026-01", "2"], ["2026-02", "1"], ["2026-03", "2"]]
    rows = _csv(client.get(f"/reports/collection-status.csv?{RANGE}"))
    assert ["On loan", "2"] in rows
    for key in REPORT_KEYS:
        response = client.get(f"/reports/{key}.csv?{RANGE}")
        assert response.status_code == 200, key
        assert response.content_type == "text/csv; charset=utf-8"
        assert f"{key}-2026-01-01-2026-03-31.csv" in response.headers["Content-Disposition"]
    assert client.get("/reports/nothing.csv").status_code == 404


def test_overdue_csv_names_the_members(client, login_as, history, monkeypatch):
    monkeypatch.setattr(routes, "local_today", lambda _now: history.today)
    login_as(Role.COORDINATOR, locale="en")
    rows = _csv(client.get(f"/reports/overdue.csv?{RANGE}"))
    assert rows[0] == ["Title", "Barcode", "Member", "Card", "Due", "Days overdue"]
    assert [(r[2], r[4], r[5]) for r in rows[1:]] == [
        ("Borrower Kang", "2026-03-10", "10"), ("Borrower Kang", "2026-03-15", "5")]
    page = client.get(f"/reports?{RANGE}").get_data(as_text=True)
    assert "Loans overdue today: 2" in page
