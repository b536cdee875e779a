"""Every route declares who may use it, and each role gets the answer it should."""

import re

import pytest
from werkzeug.routing import Rule

from app.core.access import ANYONE, declared_access
from app.models import Role

ROLES = [None, Role.MEMBER, Role.VOLUNTEER, Role.COORDINATOR]


def _url(rule: Rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = 1 if "Integer" in converter else "x"
    return rule.build(values, append_unknown=False)[1]


def _method(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_route_declares_access(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if declared_access(rule.endpoint) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_each_role_gets_the_declared_answer(app, client, login_as, role):
    if role is not None:
        login_as(role)
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        who = declared_access(rule.endpoint)
        url, method = _url(rule), _method(rule)
        response = client.open(url, method=method)
        allowed = who == ANYONE or (role is not None and role.includes(who))
        where = f"{method} {url} as {role}: {response.status_code}"
        if allowed:
            assert response.status_code not in (401, 403), where
            if response.mimetype == "text/html":
                # A block filled in the wrong place shows up as markup in the title.
                title = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)
                assert title is None or "<" not in title.group(1), where
        elif role is None and url.startswith("/api/"):
            assert response.status_code == 401, where
            assert response.json["error"]["code"] == "authentication_required"
        elif role is None:
            assert response.status_code == 302, where
            assert "/login?next=" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/admin", Role.MEMBER, 403),
        ("/admin", Role.VOLUNTEER, 403),
        ("/admin", Role.COORDINATOR, 200),
        ("/admin/rules", Role.VOLUNTEER, 403),
        ("/me", Role.MEMBER, 200),
    ],
)
def test_named_pages_by_role(client, login_as, path, role, status):
    login_as(role)
    assert client.get(path).status_code == status


def test_undeclared_route_is_refused(app, client):
    @app.route("/undeclared-for-test")
    def undeclared():
        return "should not be reachable"

    assert client.get("/undeclared-for-test").status_code == 403
