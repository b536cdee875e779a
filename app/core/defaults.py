"""Reference rows every installation needs: the default site, its loan rules, label sheets.

Created on first use (idempotent, safe when several workers start at once), so the
production path is only `flask db upgrade` and then the server.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.extensions import db, savepoint
from app.models import LabelKind, LabelTemplate, LoanRules, Site

DEFAULT_SITE = {"code": "seosan", "name": "서산시민센터 북카페", "is_default": True}

# Common label stock (mm). Gaps are the space between neighbouring labels.
LABEL_TEMPLATES = [
    dict(name="A4 3x8 (70 x 37 mm)", page_width_mm=210, page_height_mm=297, rows=8,
         columns=3, label_width_mm=70, label_height_mm=37, margin_top_mm=0.5,
         margin_left_mm=0, gap_x_mm=0, gap_y_mm=0, is_default=True),
    dict(name="A4 2x7 (99.1 x 38.1 mm)", page_width_mm=210, page_height_mm=297, rows=7,
         columns=2, label_width_mm=99.1, label_height_mm=38.1, margin_top_mm=15.15,
         margin_left_mm=4.65, gap_x_mm=2.5, gap_y_mm=0),
    dict(name="A4 4x10 (48.5 x 25.4 mm)", page_width_mm=210, page_height_mm=297, rows=10,
         columns=4, label_width_mm=48.5, label_height_mm=25.4, margin_top_mm=21.5,
         margin_left_mm=8, gap_x_mm=0, gap_y_mm=0),
    dict(name="US Letter 3x10 (Avery 5160)", page_width_mm=215.9, page_height_mm=279.4,
         rows=10, columns=3, label_width_mm=66.675, label_height_mm=25.4,
         margin_top_mm=12.7, margin_left_mm=4.7625, gap_x_mm=3.175, gap_y_mm=0),
    dict(name="62 mm roll (62 x 29 mm)", page_width_mm=62, page_height_mm=29, rows=1,
         columns=1, label_width_mm=62, label_height_mm=29, margin_top_mm=0,
         margin_left_mm=0, gap_x_mm=0, gap_y_mm=0),
    # Spine labels (call numbers): small labels on A4 sheets and a 24 mm roll; and an A4 sheet
    # of wide labels that take the barcode label and the spine label side by side.
    dict(name="A4 spine labels 9x8 (20 x 35 mm)", page_width_mm=210, page_height_mm=297,
         rows=8, columns=9, label_width_mm=20, label_height_mm=35, margin_top_mm=8.5,
         margin_left_mm=7, gap_x_mm=2, gap_y_mm=0),
    dict(name="24 mm spine roll (24 x 40 mm)", page_width_mm=24, page_height_mm=40, rows=1,
         columns=1, label_width_mm=24, label_height_mm=40, margin_top_mm=0,
         margin_left_mm=0, gap_x_mm=0, gap_y_mm=0),
    dict(name="A4 label + spine 2x8 (99.1 x 34 mm)", page_width_mm=210, page_height_mm=297,
         rows=8, columns=2, label_width_mm=99.1, label_height_mm=34, margin_top_mm=12.5,
         margin_left_mm=4.65, gap_x_mm=2.5, gap_y_mm=0),
    dict(name="A4 member cards 2x5 (85.6 x 54 mm)", kind=LabelKind.CARD,
         page_width_mm=210, page_height_mm=297, rows=5, columns=2, label_width_mm=85.6,
         label_height_mm=54, margin_top_mm=13.5, margin_left_mm=14.4, gap_x_mm=10,
         gap_y_mm=0, is_default=True),
]


# The built-in sheets' names as pages show them, by the name they are stored under. The
# stored name is the stable key (the API and the remembered print settings use it); a sheet
# a coordinator added or renamed has a name they typed, shown as typed.
STOCK_SHEET_NAMES = {
    "A4 3x8 (70 x 37 mm)": _l("A4 3x8 (70 x 37 mm)"),
    "A4 2x7 (99.1 x 38.1 mm)": _l("A4 2x7 (99.1 x 38.1 mm)"),
    "A4 4x10 (48.5 x 25.4 mm)": _l("A4 4x10 (48.5 x 25.4 mm)"),
    "US Letter 3x10 (Avery 5160)": _l("US Letter 3x10 (Avery 5160)"),
    "62 mm roll (62 x 29 mm)": _l("62 mm roll (62 x 29 mm)"),
    "A4 spine labels 9x8 (20 x 35 mm)": _l("A4 spine labels 9x8 (20 x 35 mm)"),
    "24 mm spine roll (24 x 40 mm)": _l("24 mm spine roll (24 x 40 mm)"),
    "A4 label + spine 2x8 (99.1 x 34 mm)": _l("A4 label + spine 2x8 (99.1 x 34 mm)"),
    "A4 member cards 2x5 (85.6 x 54 mm)": _l("A4 member cards 2x5 (85.6 x 54 mm)"),
}


def sheet_name(name: str) -> str:
    """Return a sheet's name as shown: a built-in sheet's in the page's language."""
    shown = STOCK_SHEET_NAMES.get(name)
    return str(shown) if shown is not None else name


def stored_sheet_name(typed: str) -> str:
    """Return the name to store for a typed name: a built-in sheet's own name when the typed
    one is how a page shows it (a form saved unchanged keeps the sheet built in)."""
    folded = typed.casefold()
    for stored, shown in STOCK_SHEET_NAMES.items():
        if folded in (stored.casefold(), str(shown).casefold()):
            return stored
    return typed


# The stock sheets too narrow for a barcode: they print spine labels only.
SPINE_ONLY_TEMPLATES = ("A4 spine labels 9x8 (20 x 35 mm)", "24 mm spine roll (24 x 40 mm)")


def default_site() -> Site:
    """Return the default site, creating it when missing."""
    site = db.session.scalar(sa.select(Site).where(Site.is_default.is_(True)))
    if site is None:
        site = _create(Site, DEFAULT_SITE) or db.session.scalar(
            sa.select(Site).where(Site.is_default.is_(True))
        )
    return site


def loan_rules(site: Site | None = None) -> LoanRules:
    """Return a site's loan rules, creating the defaults when missing."""
    site = site or default_site()
    rules = db.session.scalar(sa.select(LoanRules).where(LoanRules.site_id == site.id))
    if rules is None:
        rules = _create(LoanRules, {"site_id": site.id}) or db.session.scalar(
            sa.select(LoanRules).where(LoanRules.site_id == site.id)
        )
    return rules


def ensure_defaults() -> None:
    """Create every missing reference row (site, loan rules, label templates)."""
    site = default_site()
    loan_rules(site)
    if db.session.scalar(sa.select(sa.func.count(LabelTemplate.id))) == 0:
        for values in LABEL_TEMPLATES:
            _create(LabelTemplate, values)


def _create(model, values: dict):
    """Insert a row in a savepoint; return None when another worker inserted it first."""
    try:
        with savepoint():
            obj = model(**values)
            db.session.add(obj)
        return obj
    except IntegrityError:
        return None
