"""Each report as the page and its CSV show it: a table (header and rows), a chart and a
note, built from the queries in services.py for a date range."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core.classification import kdc_class_name
from app.errors import NotFound
from app.models import CopyStatus
from app.reports import services
from app.reports.charts import bar_chart, column_chart

#: Every report, in the page's order (and the name of its CSV).
REPORT_KEYS = ("loans", "active-members", "new-members", "most-borrowed", "overdue",
               "collection-subject", "collection-status", "catalogued")

STATUS_NAMES = {
    CopyStatus.AVAILABLE: _l("Available"),
    CopyStatus.ON_LOAN: _l("On loan"),
    CopyStatus.ON_HOLD_SHELF: _l("On the hold shelf"),
    CopyStatus.LOST: _l("Lost"),
    CopyStatus.MISSING: _l("Missing"),
    CopyStatus.DAMAGED: _l("Damaged"),
    CopyStatus.WITHDRAWN: _l("Withdrawn"),
}


@dataclass
class Report:
    """One report: its table (header and rows), an optional chart, and its CSV rows."""

    key: str
    title: str
    headers: list[str]
    rows: list[tuple]
    chart: Markup | None = None
    note: str | None = None


def default_range(today: date) -> tuple[date, date]:
    """Return the default range: the last twelve local months up to today."""
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), today


def _months(rows, names):
    labels = [r[0] for r in rows]
    series = [(name, [r[i + 1] for r in rows]) for i, name in enumerate(names)]
    return labels, series


def build(key: str, start: date, end: date, today: date, shared: dict | None = None) -> Report:
    """Return the report `key` for the range (and today, for 'overdue now').

    `shared` keeps what several reports of one page read (the collection's counts).
    """
    shared = {} if shared is None else shared
    if key == "loans":
        rows = services.loans_per_month(start, end)
        names = [_("Loans"), _("Returns")]
        labels, series = _months(rows, names)
        return Report(key, _("Loans and returns per month"), [_("Month"), *names], rows,
                      column_chart(labels, series, title=_("Loans and returns per month"),
                                   testid="chart-loans"))
    if key == "active-members":
        rows = services.active_members_per_month(start, end)
        labels, series = _months(rows, [_("Members")])
        return Report(key, _("Distinct members who borrowed, per month"),
                      [_("Month"), _("Members")], rows,
                      column_chart(labels, series, title=_("Active members per month"),
                                   testid="chart-active-members"))
    if key == "new-members":
        rows = services.new_members_per_month(start, end)
        labels, series = _months(rows, [_("New members")])
        return Report(key, _("New members per month"), [_("Month"), _("New members")], rows,
                      column_chart(labels, series, title=_("New members per month"),
                                   testid="chart-new-members"))
    if key == "most-borrowed":
        rows = [(title, loans) for _id, title, loans in services.most_borrowed(start, end)]
        return Report(key, _("Most borrowed books"), [_("Title"), _("Loans")], rows,
                      bar_chart(rows, title=_("Most borrowed books"),
                                testid="chart-most-borrowed"))
    if key == "overdue":
        loans = services.overdue_now(today)
        rows = [(o.title, o.barcode, o.member_name or "—", o.member_card or "",
                 o.due_on.isoformat(), o.days_overdue) for o in loans]
        count = services.overdue_count(today)
        return Report(key, _("Overdue now"),
                      [_("Title"), _("Barcode"), _("Member"), _("Card"), _("Due"),
                       _("Days overdue")], rows,
                      note=_("Loans overdue today: %(num)d", num=count))
    if key == "collection-subject":
        rows = [(kdc_class_name(c), n) for c, n in _collection(shared).by_subject]
        return Report(key, _("Collection by subject"), [_("Subject"), _("Copies")], rows,
                      bar_chart(rows, title=_("Collection by subject"),
                                testid="chart-collection-subject"),
                      note=_("Withdrawn copies are not counted."))
    if key == "collection-status":
        rows = [(str(STATUS_NAMES[s]), n) for s, n in _collection(shared).by_status]
        return Report(key, _("Collection by status"), [_("Status"), _("Copies")], rows,
                      bar_chart(rows, title=_("Collection by status"),
                                testid="chart-collection-status"))
    if key == "catalogued":
        rows = [(name or _("Unknown"), n)
                for name, n in services.catalogued_per_volunteer(start, end)]
        return Report(key, _("Books catalogued per volunteer"), [_("Volunteer"), _("Copies")],
                      rows, bar_chart(rows, title=_("Books catalogued per volunteer"),
                                      testid="chart-catalogued"))
    raise NotFound()


def _collection(shared: dict) -> services.Collection:
    if "collection" not in shared:
        shared["collection"] = services.collection()
    return shared["collection"]
