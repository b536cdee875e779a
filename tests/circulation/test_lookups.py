"""Finding copies and members by barcode, card, name or phone."""

import pytest

from app.circulation.lookups import copy_by_barcode, find_members, member_by_card
from app.errors import UnknownCopy, UnknownMember


def test_lookups_refuse_unknown_codes(app):
    with pytest.raises(UnknownCopy):
        copy_by_barcode("2010000009999")
    with pytest.raises(UnknownMember):
        member_by_card("2020000009999")


def test_find_members_by_name_or_phone(member, other):
    assert find_members("하늘") == [member]
    assert find_members("5678") == [member]
    assert find_members("010 1234 5678") == [member]
    assert find_members("없는이름") == []
