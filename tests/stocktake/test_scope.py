"""A stocktake's scope, on call numbers alone (pure functions)."""

import pytest

from app.callnumbers import placed_call_number, shelf_of
from app.stocktake.scope import Scope


def inside(scope: Scope, call_number: str | None, shelf: str | None = None,
           site_id: int = 1) -> bool:
    return scope.contains(site_id=site_id, shelf=shelf, call_number=call_number)


def test_the_whole_collection_takes_everything():
    scope = Scope()
    assert scope.is_whole
    assert inside(scope, None) and inside(scope, "유 808-김64ㄷ") and inside(scope, "813.7")


@pytest.mark.parametrize(("call_number", "expected"), [
    ("800", True), ("808-김64ㄷ", True), ("813.7-김95ㅂ-v.2", True), ("899.1-이12ㄱ", True),
    ("899", True), ("900-가12ㄴ", False), ("799.9-나12ㄷ", False), ("유 808-김64ㄷ", False),
    (None, False), ("정리 안 된 책", False),
])
def test_a_range_takes_what_its_bounds_begin(call_number, expected):
    assert inside(Scope(call_from="800", call_to="899"), call_number) is expected


@pytest.mark.parametrize(("call_number", "expected"), [
    ("813.7-김95ㅂ", True), ("813.72-가11ㄱ", True), ("813.6-조47ㄴ", True),
    ("813.8-권74ㄱ", False), ("814-가11ㄱ", False),
])
def test_an_upper_bound_with_a_fraction(call_number, expected):
    assert inside(Scope(call_from="813", call_to="813.7"), call_number) is expected


def test_an_upper_bound_with_an_author_mark_takes_its_marks():
    scope = Scope(call_from="813.7-김", call_to="813.7-김9")
    assert inside(scope, "813.7-김95ㅂ") and inside(scope, "813.7-김88ㄱ")
    assert not inside(scope, "813.7-손66아")


def test_a_shelf_takes_its_prefix_from_either_field():
    scope = Scope(shelf="유")
    assert inside(scope, "808-김64ㄷ", shelf="유")
    assert inside(scope, "유 813.8-권74ㄱ")
    assert not inside(scope, "813.8-권74ㄱ")
    assert not inside(scope, "유 813.8-권74ㄱ", shelf="큰글자")


def test_a_shelf_and_a_range_together():
    scope = Scope(shelf="유", call_from="800", call_to="899")
    assert inside(scope, "808-김64ㄷ", shelf="유")
    assert inside(scope, "유 813.8-권74ㄱ")
    assert not inside(scope, "808-김64ㄷ")
    assert not inside(scope, "유 911-한15ㅎ")


def test_a_site_narrows_the_scope():
    assert inside(Scope(site_id=1), "800") and not inside(Scope(site_id=2), "800")


def test_placed_call_numbers_carry_the_shelf_once():
    assert placed_call_number("유", "808-김64ㄷ") == "유 808-김64ㄷ"
    assert placed_call_number("유", "유 808-김64ㄷ") == "유 808-김64ㄷ"
    assert placed_call_number(None, " 813.7 ") == "813.7"
    assert placed_call_number("유", None) is None
    assert shelf_of(None, "큰글자 813.7-김95ㅂ") == "큰글자"
