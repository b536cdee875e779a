"""Internal barcodes: EAN-13 with the right prefix, valid check digit, never reused."""

from app.barcodes import is_valid_ean13
from app.core.numbering import next_copy_barcode, next_member_card
from app.extensions import db


def test_copy_and_member_codes(app):
    copies = [next_copy_barcode() for _ in range(5)]
    cards = [next_member_card() for _ in range(3)]
    db.session.commit()
    assert all(c.startswith("201") and len(c) == 13 and is_valid_ean13(c) for c in copies)
    assert all(c.startswith("202") and is_valid_ean13(c) for c in cards)
    assert len(set(copies)) == 5
    assert copies[0] == "201000000001" + copies[0][-1]


def test_serials_are_not_reused_after_a_rollback_of_others(app):
    first = next_copy_barcode()
    db.session.commit()
    second = next_copy_barcode()
    db.session.rollback()  # an abandoned intake
    third = next_copy_barcode()
    db.session.commit()
    assert first != third
    assert second == third or int(third[3:12]) > int(second[3:12])
