"""Fixtures for the labels area: queued copies with Korean titles, a decoded-PDF helper,
and what the use-case tests share (English messages, templates by name, audit events)."""

import io
from datetime import UTC, datetime

import pypdf
import pytest
import sqlalchemy as sa

from app.core.defaults import default_site, ensure_defaults
from app.extensions import db
from app.labels.label_queue import add_to_queue
from app.labels.sheet_templates import list_templates
from app.models import AuditEvent, Donation, LabelKind, LabelTemplate, Role, utcnow
from tests.labels.decode import decode_pdf

KOREAN_TITLES = ["아몬드", "소년이 온다", "82년생 김지영", "채식주의자", "코스모스"]
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
CAFE = "서산시민센터 북카페"
BAD_CHECK_DIGIT = "2010000000019"  # 201000000001 has check digit 4


@pytest.fixture
def stock_templates(app):
    """The stock label and card sheets, as the first request creates them."""
    ensure_defaults()
    db.session.commit()


@pytest.fixture
def english_request(app, stock_templates):
    """Messages are read in English, as in a request from an English browser."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def events(action):
    """Return the audit events of one action."""
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def template_named(name_part: str) -> LabelTemplate:
    """Return the first template whose name contains `name_part`."""
    return next(t for t in list_templates() if name_part in t.name)


def sheet_values(**changes) -> dict:
    """Return a printable 2 x 2 sheet's template values, with `changes`."""
    values = dict(
        name="Test 2x2", kind=LabelKind.COPY, page_width_mm=210, page_height_mm=297, rows=2,
        columns=2, label_width_mm=90, label_height_mm=60, margin_top_mm=10, margin_left_mm=10,
        gap_x_mm=5, gap_y_mm=5, offset_x_mm=0, offset_y_mm=0, is_default=False,
    )
    values.update(changes)
    return values


@pytest.fixture
def make_queued(app, make_book, make_copy, make_member):
    """Return make_queued(n, **copy_fields) -> n new copies (Korean titles) in the print queue.

    Stands in for intake, which queues every copy it catalogues.
    """
    volunteer = make_member(Role.VOLUNTEER, name="자원봉사자")

    def make(n: int = 3, *, by=None, **kw):
        copies = []
        for i in range(n):
            book = make_book(title=KOREAN_TITLES[i % len(KOREAN_TITLES)])
            copies.append(make_copy(book, call_number=kw.get("call_number", f"813.7-{i}")))
        add_to_queue(copies, by=by or volunteer, now=utcnow(), source="intake")
        db.session.commit()
        return copies

    return make


@pytest.fixture
def make_donation(app, make_copy):
    """Return make_donation(n) -> a donation with n new copies."""
    def make(n: int = 2) -> Donation:
        donation = Donation(site_id=default_site().id, anonymous=True)
        db.session.add(donation)
        db.session.commit()
        for _ in range(n):
            make_copy(donation_id=donation.id)
        db.session.refresh(donation)
        return donation

    return make


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page of a PDF."""
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def decoded_codes(pdf: bytes) -> list[list[str]]:
    """Return, page by page, the barcodes a real decoder reads from the PDF at 300 dpi."""
    return [[d.text for d in page] for page in decode_pdf(pdf)]
