"""Whole numbers in query strings: read with bounds, a 400 past them (issue 17), never a 500."""

import pytest

from app.core.params import DB_INT_MAX, MAX_PAGE, bounded_int, int_arg
from app.errors import InvalidInput
from app.models import Role

HUGE = "99999999999999999999"  # past 64 bits: SQLite's driver raised OverflowError


def test_bounded_int():
    assert bounded_int(" 42 ") == 42 and bounded_int("-3", low=-5) == -3
    assert bounded_int(str(DB_INT_MAX)) == DB_INT_MAX
    for bad in (HUGE, str(DB_INT_MAX + 1), "1e3", "٣", "1_000", "+1", "", "x", True, 2.0):
        with pytest.raises(ValueError):
            bounded_int(bad)
    with pytest.raises(ValueError):
        bounded_int("0", low=1)


def test_int_arg(app):
    args = {"page": "3", "blank": " ", "big": HUGE}
    assert int_arg("page", args=args) == 3
    assert int_arg("missing", 1, args=args) == 1 and int_arg("blank", 7, args=args) == 7
    with app.test_request_context("/?page=2"):
        assert int_arg("page") == 2
    with pytest.raises(InvalidInput) as raised:
        int_arg("big", args=args, high=MAX_PAGE)
    assert raised.value.status == 400
    assert str(raised.value) == "The parameter 'big' must be a whole number from 1 to 10000."


@pytest.mark.parametrize("path", ["/admin", "/admin/access-log", "/intake/incomplete",
                                  "/campaigns/{campaign}/donations"])
def test_a_page_past_the_last_is_a_400_not_a_500(client, login_as, make_campaign, path):
    login_as(Role.COORDINATOR, locale="en")
    path = path.format(campaign=make_campaign().id)
    assert client.get(f"{path}?page=2").status_code == 200
    response = client.get(f"{path}?page={HUGE}")
    assert response.status_code == 400
    assert "The parameter &#39;page&#39; must be a whole number from 1 to 10000." in \
        response.get_data(as_text=True)
    for bad in ("0", "-1", "x", "1e3"):
        assert client.get(f"{path}?page={bad}").status_code == 400


@pytest.mark.parametrize("path", ["/admin/access-log", "/desk/overdue/letters"])
def test_a_member_past_the_database_range_is_a_400(client, login_as, path):
    login_as(Role.COORDINATOR, locale="en")
    assert client.get(f"{path}?member={HUGE}").status_code == 400
    assert client.get(f"{path}?member={DB_INT_MAX + 1}").status_code == 400
