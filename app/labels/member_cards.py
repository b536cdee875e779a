"""Member cards: the members whose card is not printed yet, their cards as a PDF, and
recording them printed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa

from app.core import audit
from app.errors import NothingToPrint
from app.extensions import db
from app.labels.card_pdf import CardItem, render_member_cards
from app.labels.lookups import chunks
from app.labels.printing import print_batch
from app.models import LabelTemplate, Member


def new_members() -> list[Member]:
    """Return active members whose card has never been printed, oldest first."""
    return list(db.session.scalars(
        sa.select(Member)
        .where(Member.card_printed_at.is_(None), Member.active.is_(True),
               Member.anonymised_at.is_(None))
        .order_by(Member.created_at, Member.id)
    ))


def members_by_id(ids: Iterable[int]) -> list[Member]:
    """Return the (not anonymised) members with these ids, in the order given."""
    ids = list(dict.fromkeys(ids))
    found = {
        m.id: m for chunk in chunks(ids) for m in db.session.scalars(
            sa.select(Member).where(Member.id.in_(chunk), Member.anonymised_at.is_(None))
        )
    }
    return [found[i] for i in ids if i in found]


def print_cards(members: Sequence[Member], template: LabelTemplate, *, start_at: int = 1,
                cafe_name: str) -> bytes:
    """Return a PDF of these members' cards (name, card barcode, café) from position start_at."""
    cards = [CardItem(name=m.name, barcode=m.card_barcode, cafe_name=cafe_name) for m in members]
    return print_batch(template, cards, start_at=start_at, render=render_member_cards)


def mark_cards_printed(members: Sequence[Member], *, by: Member, now: datetime) -> int:
    """Record that these members have their printed cards."""
    if not members:
        raise NothingToPrint()
    for member in members:
        member.card_printed_at = now
        audit.record("member.card_printed", actor=by, entity="member", entity_id=member.id,
                     now=now)
    db.session.flush()
    return len(members)
