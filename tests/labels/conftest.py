"""Fixtures for the labels area: queued copies with Korean titles, a decoded-PDF helper."""

import io

import pypdf
import pytest

from app.extensions import db
from app.labels import services
from app.models import Donation, Role, utcnow

KOREAN_TITLES = ["아몬드", "소년이 온다", "82년생 김지영", "채식주의자", "코스모스"]


@pytest.fixture
def stock_templates(app):
    """The stock label and card sheets, as the first request creates them."""
    from app.core.defaults import ensure_defaults

    ensure_defaults()
    db.session.commit()


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
        services.add_to_queue(copies, by=by or volunteer, now=utcnow(), source="intake")
        db.session.commit()
        return copies

    return make


@pytest.fixture
def make_donation(app, make_copy):
    """Return make_donation(n) -> a donation with n new copies."""
    from app.core.defaults import default_site

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
    from tests.labels.decode import decode_pdf

    return [[d.text for d in page] for page in decode_pdf(pdf)]
