"""The yearly statistics page (/reports/yearly) and its CSV and .xlsx exports."""

from flask import Response, render_template

from app.core.access import access
from app.core.csvutil import csv_response
from app.core.params import int_arg
from app.core.timebuckets import local_today
from app.exports.services import xlsx_bytes
from app.models import Role, utcnow
from app.reports import bp
from app.reports.yearly import HEADERS, year_figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    """Return the year asked for (last year by default: the survey asks for a whole year)."""
    return int_arg("year", local_today(utcnow()).year - 1, low=2000, high=2100)


@bp.route("/yearly")
@access(Role.COORDINATOR)
def yearly():
    """One year's figures for the 작은도서관 실태조사 and funders."""
    year = _year()
    return render_template("reports/yearly.html", year=year, headers=HEADERS,
                           rows=year_figures(year).rows())


@bp.route("/yearly.csv")
@access(Role.COORDINATOR)
def yearly_csv():
    """Download one year's figures as CSV."""
    year = _year()
    return csv_response(f"yearly-{year}.csv", [str(h) for h in HEADERS],
                        year_figures(year).rows())


@bp.route("/yearly.xlsx")
@access(Role.COORDINATOR)
def yearly_xlsx():
    """Download one year's figures as an Excel workbook."""
    year = _year()
    data = xlsx_bytes([str(h) for h in HEADERS], year_figures(year).rows(), title=str(year))
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="yearly-{year}.xlsx"'})
