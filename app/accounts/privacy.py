"""Members' rights over their data (Korea's PIPA): download it, ask for its deletion.

A completed deletion turns the account into an anonymous shell: the row stays (so loan and
donation statistics, which point to it, stay unchanged) but holds no personal data.
"""

import secrets
from datetime import datetime

import sqlalchemy as sa

from app.accounts.services import active_coordinators
from app.core import audit
from app.errors import Conflict, LastCoordinator
from app.extensions import db
from app.models import (
    Donation,
    Hold,
    HoldStatus,
    Loan,
    Member,
    Notice,
    NoticePreference,
    Role,
    utcnow,
)
from app.models.accounts import ApiToken


class AlreadyAnonymised(Conflict):
    code = "already_anonymised"
    from flask_babel import lazy_gettext as _l

    default_message = _l("This account's personal data has already been deleted.")


def export_member_data(member: Member, *, by: Member, now: datetime) -> dict:
    """Return everything the app holds about a member, and log that it was exported."""
    loans = db.session.scalars(
        sa.select(Loan).where(Loan.member_id == member.id).order_by(Loan.checked_out_at)
    ).all()
    holds = db.session.scalars(
        sa.select(Hold).where(Hold.member_id == member.id).order_by(Hold.placed_at)
    ).all()
    donations = db.session.scalars(
        sa.select(Donation).where(Donation.donor_id == member.id).order_by(Donation.received_at)
    ).all()
    notices = db.session.scalars(
        sa.select(Notice).where(Notice.member_id == member.id).order_by(Notice.created_at)
    ).all()
    preference = db.session.get(NoticePreference, member.id)
    audit.record("member.export", actor=by, entity="member", entity_id=member.id, now=now)
    return {
        "exported_at": now.isoformat(),
        "member": {
            "name": member.name, "email": member.email, "phone": member.phone,
            "role": member.role.value, "card": member.card_barcode, "language": member.locale,
            "keep_history": member.keep_history, "donor_named": member.donor_named,
            "registered_at": member.created_at.isoformat(),
            "last_login_at": member.last_login_at.isoformat() if member.last_login_at else None,
        },
        "loans": [
            {"title": loan.copy.book.title, "copy": loan.copy.barcode,
             "checked_out_at": loan.checked_out_at.isoformat(), "due_on": loan.due_on.isoformat(),
             "returned_at": loan.returned_at.isoformat() if loan.returned_at else None}
            for loan in loans
        ],
        "holds": [
            {"title": hold.book.title, "status": hold.status.value,
             "placed_at": hold.placed_at.isoformat()}
            for hold in holds
        ],
        "donations": [
            {"received_at": d.received_at.isoformat(),
             "campaign": d.campaign.name if d.campaign else None,
             "books": [c.book.title for c in d.copies]}
            for d in donations
        ],
        "notice_choices": None if preference is None else {
            "by_email": preference.by_email, "by_text": preference.by_text,
            "mobile": preference.mobile, "kinds_off": preference.kinds_off,
        },
        "notices": [
            {"kind": n.kind, "channel": n.channel, "state": n.state,
             "books": [item.get("title") for item in n.items], "sent_to": n.recipient,
             "created_at": n.created_at.isoformat(),
             "sent_at": n.sent_at.isoformat() if n.sent_at else None}
            for n in notices
        ],
    }


def request_deletion(member: Member, *, now: datetime) -> None:
    """Record a member's request that their personal data be deleted."""
    if member.deletion_requested_at is None:
        member.deletion_requested_at = now
        audit.record("member.deletion_request", actor=member, entity="member",
                     entity_id=member.id, now=now)


def deletion_requests() -> list[Member]:
    """Return the members waiting for their deletion to be completed."""
    return list(db.session.scalars(
        sa.select(Member)
        .where(Member.deletion_requested_at.is_not(None), Member.anonymised_at.is_(None))
        .order_by(Member.deletion_requested_at)
    ))


def anonymise(member: Member, *, by: Member, now: datetime | None = None) -> None:
    """Delete a member's personal data; loans and donations stay as anonymous statistics."""
    now = now or utcnow()
    if member.anonymised_at is not None:
        raise AlreadyAnonymised()
    if member.role == Role.COORDINATOR:
        if active_coordinators() <= 1:
            raise LastCoordinator()
    for hold in db.session.scalars(
        sa.select(Hold).where(Hold.member_id == member.id,
                              Hold.status.in_([HoldStatus.WAITING, HoldStatus.READY]))
    ):
        hold.status = HoldStatus.CANCELLED
        hold.closed_at = now
    db.session.execute(sa.delete(ApiToken).where(ApiToken.member_id == member.id))
    # Notices name books and hold the address they went to; the mobile number is personal.
    db.session.execute(sa.delete(Notice).where(Notice.member_id == member.id))
    db.session.execute(sa.delete(NoticePreference).where(NoticePreference.member_id == member.id))
    member.name = "-"
    member.email = None
    member.phone = None
    member.password_hash = None
    member.role = Role.MEMBER
    member.active = False
    member.keep_history = False
    member.donor_named = False
    # A fresh random card number: the old one may be printed on a card someone finds.
    member.card_barcode = "X" + secrets.token_hex(12)
    member.rotate_session()
    member.anonymised_at = now
    audit.record("member.anonymise", actor=by, entity="member", entity_id=member.id, now=now)
