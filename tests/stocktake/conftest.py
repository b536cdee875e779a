"""Stocktake fixtures: a fixed clock, staff, and a shelf of copies with call numbers."""


import pytest

from app.core.defaults import loan_rules
from app.extensions import db
from app.models import Role
from tests.support.clock import Clock

# (call number, shelf, title): the 800s in shelf order, then the children's shelf 유.
SHELF = [
    ("813.6-조47ㄴ", None, "난장이가 쏘아올린 작은 공"),
    ("813.7-김95ㅂ", None, "불편한 편의점"),
    ("813.7-손66아", None, "아몬드"),
    ("833.6-무292ㅍ", None, "편의점 인간"),
    ("843-롤24해", None, "해리포터와 마법사의 돌"),
    ("911-한15ㅎ", None, "한국사 편지"),
    ("808-김64ㄷ", "유", "두근두근 편의점"),
    ("유 813.8-권74ㄱ", None, "강아지똥"),
]



@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def volunteer(make_member):
    return make_member(Role.VOLUNTEER, name="자원봉사 한", password="")


@pytest.fixture
def helper(make_member):
    return make_member(Role.VOLUNTEER, name="자원봉사 두", password="")


@pytest.fixture
def coordinator(make_member):
    return make_member(Role.COORDINATOR, name="박지은", password="")


@pytest.fixture
def member(make_member):
    return make_member(Role.MEMBER, name="김하늘", password="")


@pytest.fixture
def other(make_member):
    return make_member(Role.MEMBER, name="이서준", password="")


@pytest.fixture
def rules(app):
    rules = loan_rules()
    db.session.commit()
    return rules


@pytest.fixture
def shelf(make_book, make_copy):
    """Return {call number: copy} for SHELF, one book and copy each."""
    copies = {}
    for call_number, shelf_prefix, title in SHELF:
        book = make_book(title=title, kdc_class=call_number.lstrip("유 ")[0])
        copies[call_number] = make_copy(book, call_number=call_number, shelf=shelf_prefix)
    return copies


@pytest.fixture(autouse=True)
def _english_request(request, app):
    """Messages are read in English (str() of a lazy message needs a request)."""
    if getattr(request.module, "OUTSIDE_REQUESTS", False):
        yield
        return
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
