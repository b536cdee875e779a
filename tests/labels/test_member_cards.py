"""Member cards: who needs one, printing them, recording them printed."""

import pytest

from app.extensions import db
from app.labels.member_cards import mark_cards_printed, members_by_id, new_members, print_cards
from app.labels.sheet_templates import default_template
from app.models import LabelKind, Role
from tests.labels.conftest import CAFE, NOW, decoded_codes, events, pdf_text

pytestmark = pytest.mark.usefixtures("english_request")


def test_new_members_and_cards(make_member):
    by = make_member(Role.COORDINATOR, name="관리자")
    fresh = make_member(name="김하늘")
    printed = make_member(name="이미 인쇄")
    printed.card_printed_at = NOW
    db.session.commit()
    new = new_members()
    assert fresh in new and by in new and printed not in new
    card_sheet = default_template(LabelKind.CARD)
    pdf = print_cards([fresh, by], card_sheet, start_at=10, cafe_name=CAFE)
    assert decoded_codes(pdf) == [[fresh.card_barcode], [by.card_barcode]]
    assert "김하늘" in pdf_text(pdf)
    assert mark_cards_printed([fresh], by=by, now=NOW) == 1
    db.session.commit()
    assert fresh.card_printed_at == NOW and fresh not in new_members()
    assert len(events("member.card_printed")) == 1


def test_members_by_id_keeps_order(make_member):
    a, b = make_member(), make_member()
    assert members_by_id([b.id, a.id, b.id, 10**6]) == [b, a]
