"""A full café for the layout walk: the demo data, and one of everything a page can show, so
every URL argument points to a real row and every list has rows (in Korean and in English,
as a café's books and members are).

`build()` returns the ids the URL map takes, the extra pages to walk (a closed stocktake's
report, a coordinator's own sheet) and the demo accounts to log in as.
"""

import io
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.accounts.privacy import request_deletion
from app.catalog import store
from app.circulation import holds, loans
from app.core import demo
from app.core.defaults import default_site, ensure_defaults
from app.core.numbering import next_copy_barcode
from app.extensions import db
from app.imports.uploads import store_upload
from app.labels import label_queue
from app.models import (
    Book,
    Campaign,
    Copy,
    CopyStatus,
    Donation,
    DonationItem,
    ItemOutcome,
    LabelKind,
    LabelTemplate,
    Member,
    Notice,
    Partner,
    ShiftActivity,
    WithdrawalReason,
    utcnow,
)
from app.stocktake import scanning
from app.stocktake.sessions import close_stocktake, make_scope, start_stocktake
from app.stocktake.weeding import withdraw
from app.volunteers import shifts

ACCOUNTS = {email.split("@")[0]: email for email, *_rest in demo.DEMO_ACCOUNTS}
PASSWORD = demo.DEMO_PASSWORD


def account(key: str) -> Member:
    """The demo account of that name: coordinator, volunteer, member, reader or donor."""
    return _member(key)


def _member(key: str) -> Member:
    return db.session.scalar(sa.select(Member).where(Member.email == ACCOUNTS[key]))


def _copy(title: str) -> Copy:
    return db.session.scalars(
        sa.select(Copy).join(Book).where(Book.title == title).order_by(Copy.id)).first()


def build(app, tmp_path) -> dict:
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    now = utcnow()
    ensure_defaults()
    demo.seed(now=now)
    db.session.commit()
    coordinator, volunteer = _member("coordinator"), _member("volunteer")
    member, reader, donor = _member("member"), _member("reader"), _member("donor")
    site = default_site()

    # The member: an overdue loan, a loan due soon, a hold on the hold shelf, one in the queue.
    late = _copy("The Great Gatsby")
    late_loan = loans.check_out(late, member, by=volunteer, now=now - timedelta(days=20)).loan
    shelf_copy = _copy("코스모스")
    loans.check_out(shelf_copy, donor, by=volunteer, now=now - timedelta(days=3))
    holds.place_hold(shelf_copy.book, member, now=now - timedelta(days=2))
    loans.return_copy(shelf_copy, by=volunteer, now=now - timedelta(days=1))  # trapped
    queued = _copy("The Hunger Games")
    loans.check_out(queued, donor, by=volunteer, now=now - timedelta(days=1))
    holds.place_hold(queued.book, member, now=now)
    db.session.flush()

    # A book saved with its ISBN only, and one more in the label queue.
    bare = store.add(Book(isbn13="9788936434267", title="9788936434267", needs_metadata=True,
                          metadata_source="isbn-only", created_by_id=volunteer.id))
    extra = Copy(barcode=next_copy_barcode(), book_id=bare.id, site_id=site.id,
                 created_by_id=volunteer.id)
    db.session.add(extra)
    db.session.flush()
    label_queue.add_to_queue([extra], by=volunteer, now=now, source="scans")

    # A second campaign (a donation can move) and the first one's donations with items.
    campaign = db.session.scalars(sa.select(Campaign)).first()
    db.session.add(Campaign(name="Summer book drive 2026", starts_on=now.date(),
                            site_id=site.id, created_by_id=coordinator.id))
    donation = db.session.scalars(
        sa.select(Donation).where(Donation.campaign_id == campaign.id,
                                  Donation.donor_id == member.id)).first()
    # Gifts intake held back: one passed on to a partner, one declined (the donor sees both).
    partner = Partner(name="서산시립도서관")
    db.session.add(partner)
    db.session.flush()
    db.session.add_all([
        DonationItem(donation_id=donation.id, isbn13="9788937460449", title="데미안",
                     held_for="copy_cap", outcome=ItemOutcome.PASSED_ON,
                     partner_id=partner.id, passed_to=partner.name,
                     recorded_by_id=volunteer.id),
        DonationItem(donation_id=donation.id, isbn13="9780451524935",
                     title="Nineteen Eighty-Four", held_for="damaged",
                     outcome=ItemOutcome.DECLINED, reason="물에 젖음",
                     recorded_by_id=volunteer.id),
    ])

    # Stocktakes: one closed with copies missing, one open with scans.
    closed = start_stocktake(make_scope(), by=coordinator, now=now - timedelta(days=7))
    on_shelf = sa.select(Copy).where(Copy.status == CopyStatus.AVAILABLE).order_by(Copy.id)
    for copy in db.session.scalars(on_shelf.limit(5)):
        scanning.scan(closed, copy.barcode, by=volunteer, now=now - timedelta(days=7))
    close_stocktake(closed, by=coordinator, now=now - timedelta(days=6))
    open_ = start_stocktake(make_scope(), by=coordinator, now=now)
    for copy in db.session.scalars(on_shelf.order_by(None).order_by(Copy.id.desc()).limit(3)):
        scanning.scan(open_, copy.barcode, by=volunteer, now=now)
    scanning.scan(open_, "2019999999997", by=volunteer, now=now)  # not a copy of ours

    # A withdrawn copy, notices sent and failed, shifts to approve, a deletion request.
    withdraw([_copy("Of Mice and Men")], reason=WithdrawalReason.DAMAGED, by=coordinator,
             now=now)
    for state, channel, kind in (("sent", "text", "overdue"), ("failed", "email", "due_soon"),
                                 ("given_up", "text", "hold_ready")):
        db.session.add(Notice(member_id=member.id, kind=kind, channel=channel,
                              key=f"{kind}:{now:%Y-%m-%d}", state=state, attempts=1,
                              items=[{"loan_id": late_loan.id, "title": "The Great Gatsby"}],
                              sent_at=now if state == "sent" else None,
                              sent_as="lms" if channel == "text" else None,
                              recipient="01012345678" if channel == "text" else member.email,
                              answer=None if state == "sent" else "HTTP 500 InternalError"))
    shifts.log_shift(volunteer, start=now - timedelta(days=1, hours=3),
                     end=now - timedelta(days=1), activity=ShiftActivity.INTAKE, note="서가 정리",
                     now=now)
    shifts.start_shift(volunteer, ShiftActivity.DESK, now=now - timedelta(minutes=30))
    request_deletion(reader, now=now)

    # A sheet a coordinator typed in, beside the built-in ones.
    own = LabelTemplate(name="우리 카페 라벨 3x7", kind=LabelKind.COPY, page_width_mm=210,
                        page_height_mm=297, rows=7, columns=3, label_width_mm=63.5,
                        label_height_mm=38.1, margin_top_mm=15, margin_left_mm=7)
    db.session.add(own)
    db.session.commit()

    upload = store_upload(Path(app.config["IMPORT_UPLOAD_DIR"]), io.BytesIO(
        "title,isbn\n아몬드,9788936456788\nThe Giver,9780385732550\n".encode()), "books.csv",
        by=coordinator)
    card_sheet = db.session.scalar(sa.select(LabelTemplate.id).where(
        LabelTemplate.kind == LabelKind.CARD))
    return {
        "ids": {"book_id": late.book_id, "member_id": member.id, "copy_id": late.id,
                "campaign_id": campaign.id, "stocktake_id": open_.id,
                "donation_id": donation.id, "template_id": card_sheet, "token": upload.token},
        "extra": [f"/stocktake/{closed.id}", f"/labels/templates/{own.id}",
                  f"/catalog/{shelf_copy.book_id}", f"/desk/copies/{shelf_copy.id}"],
        "member_card": member.card_barcode,
        "hold_shelf_barcode": shelf_copy.barcode,  # on the hold shelf for the member
        "lent_barcode": queued.barcode,  # lent to the donor; the member's hold waits for it
        "late_barcode": late.barcode,
    }
