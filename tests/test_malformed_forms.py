"""Every HTML form route answers a malformed body with a page: never a 5xx, never a traceback.

The routes come from the URL map (every POST route outside /api/); their fields from the
forms the pages render and the forms the route builds, with the pages' values as the valid
ones (a route with neither gets every field seen). Each route gets, as a logged-in
coordinator with a valid CSRF token (logged out for log-in and registration): an empty
body, one per kind of damage in every field (numbers past 64 bits, NUL bytes, invalid
UTF-8, very long text, file parts in place of text), one per field with only that field
damaged, and a few that hypothesis mixes.
"""

import io
import logging
import secrets
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.accounts.services import issue_token
from app.circulation.loans import check_out
from app.config import TestConfig
from app.core.defaults import default_site, ensure_defaults
from app.core.forms import BaseForm
from app.extensions import db
from app.imports.uploads import store_upload
from app.models import Donation, Hold, LabelTemplate, Loan, Member, Role, WithdrawalReason, utcnow
from app.stocktake.sessions import make_scope, start_stocktake
from app.stocktake.weeding import withdraw

DAMAGE = ("huge", "nul", "bad_utf8", "long", "file")
HUGE = ("99999999999999999999", "-99999999999999999999", str(2**64), str(2**31), "1e400",
        "9788936434267")
# Routes whose URL takes something other than these are GET-only (exports, reports).
WORLD_ARGUMENTS = ("member_id", "book_id", "copy_id", "loan_id", "hold_id", "campaign_id",
                   "donation_id", "template_id", "token_id", "token", "stocktake_id",
                   "withdrawal_id")


def _form_routes(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "POST" in rule.methods and not rule.rule.startswith("/api/")),
                  key=lambda rule: rule.rule)


ROUTES = _form_routes(create_app(TestConfig))


def test_the_form_routes_are_found():
    paths = {rule.rule for rule in ROUTES}
    assert {"/desk/scan", "/campaigns/new", "/admin/members/new", "/labels/offset",
            "/admin/import", "/me/password"} <= paths
    assert len(ROUTES) > 40
    assert all(set(rule.arguments) <= set(WORLD_ARGUMENTS) for rule in ROUTES)


class _Forms(HTMLParser):
    """Collect each POST form's action, and its fields with the value the page gives."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, dict[str, str]] = {}
        self._form: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            post = (attrs.get("method") or "get").lower() == "post"
            action = urlsplit(attrs.get("action") or self.page_path).path
            self._form = self.forms.setdefault(action, {}) if post else None
        elif self._form is None:
            return
        elif tag in ("input", "button", "textarea") and attrs.get("name"):
            self._form.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and self._select not in self._form:
            self._form[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@pytest.fixture
def world(app, client, make_member, make_copy, make_campaign, tmp_path):
    """A coordinator, one of each thing a form route acts on, and the ids URLs take."""
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    ensure_defaults()
    coordinator = make_member(Role.COORDINATOR, locale="en")
    other = make_member(Role.MEMBER, name="김민지", phone="010-1234-5678")
    copy, lent = make_copy(), make_copy()
    now = utcnow()
    check_out(lent, other, by=coordinator, now=now)
    campaign, _other_campaign = make_campaign(), make_campaign()  # a donation can move
    site = default_site()
    donation = Donation(donor_id=other.id, campaign_id=campaign.id, site_id=site.id)
    hold = Hold(book_id=lent.book_id, member_id=other.id, site_id=site.id)
    db.session.add_all([donation, hold])
    _raw, token = issue_token(coordinator, days=1, now=now)
    stocktake = start_stocktake(make_scope(), by=coordinator, now=now)
    spare = make_copy()
    withdrawal, = withdraw([spare], reason=WithdrawalReason.DAMAGED, by=coordinator, now=now)
    db.session.commit()
    upload = store_upload(tmp_path / "uploads", io.BytesIO(
        "title,isbn\n아몬드,9788936434267\n".encode()), "books.csv", by=coordinator)
    ids = {"member_id": other.id, "book_id": copy.book_id, "copy_id": copy.id,
           "loan_id": db.session.scalar(db.select(Loan.id).where(Loan.copy_id == lent.id)),
           "hold_id": hold.id, "campaign_id": campaign.id, "donation_id": donation.id,
           "template_id": db.session.scalar(db.select(LabelTemplate.id)),
           "token_id": token.id, "token": upload.token, "stocktake_id": stocktake.id,
           "withdrawal_id": withdrawal.id}
    return coordinator, ids, other.card_barcode


def _url(rule, ids: dict) -> str:
    return rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]


def _page_rules(app, ids: dict):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static")) \
                and set(rule.arguments) <= set(ids):
            yield rule


def _log_in(client, member_id: int | None, state: dict | None = None) -> None:
    """Log the coordinator in (again: a route may have logged out or changed the password).

    `state` is the session to start from; `member_id` None leaves it logged out.
    """
    db.session.expire_all()
    with client.session_transaction() as session:
        if state is not None:
            session.clear()
            session.update(state)
        if member_id is None:
            session.pop("_user_id", None)
        else:
            session["_user_id"] = db.session.get(Member, member_id).get_id()
            session["_fresh"] = True


def _value(kind: str, text: str) -> bytes:
    """The bytes of one value (a file part's content for "file")."""
    if kind == "nul":
        return f"\x00{text}\x00김\x00".encode()
    if kind == "bad_utf8":
        return b"\xff\xfe" + text.encode() + b"\xc3\x28\xa0\xa1\xed\xa0\x80"
    if kind == "long":  # past every field's limit, within the request's size limit
        return ("x" * 20_000 + "가" * 500).encode()
    if kind == "file":
        return b"9788936434267\n" + text.encode()
    return text.encode()  # "valid", "huge", "text": the text itself


def _encode(fields: list[tuple[str, str, str]]) -> tuple[bytes, str]:
    """Return a body and its content type: urlencoded unless a field is sent as a file."""
    if not any(kind == "file" for _name, kind, _text in fields):
        body = "&".join(f"{quote_from_bytes(name.encode())}={quote_from_bytes(_value(k, t))}"
                        for name, k, t in fields)
        return body.encode(), "application/x-www-form-urlencoded"
    boundary = "bookcafe" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, kind, text in fields:
        filename = '; filename="books.txt"' if kind == "file" else ""
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{filename}'
                  "\r\n".encode())
        if kind == "file":
            out.write(b"Content-Type: text/plain\r\n")
        out.write(b"\r\n" + _value(kind, text) + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_no_form_route_answers_a_malformed_body_with_a_server_error(
        app, client, csrf_token, world, monkeypatch):
    from app.core.access import ANYONE, declared_access

    coordinator, ids, card = world
    _log_in(client, coordinator.id)
    # The scan station's and the desk's forms show once a donation or a loan is under way.
    token = csrf_token("/")
    client.post("/intake/start", data={"csrf_token": token, "anonymous": "1", "campaign_id": ""})
    client.post("/desk/scan", data={"csrf_token": token, "code": card})
    with client.session_transaction() as session:
        state = dict(session)  # CSRF token, donation and borrower: restored for each request

    def for_anyone(rule) -> bool:
        """Pages for anyone (log in, register) are posted to logged out."""
        return declared_access(rule.endpoint) == ANYONE

    forms: dict[str, dict[str, str]] = {}
    for rule in _page_rules(app, ids):
        path = _url(rule, ids)
        _log_in(client, None if for_anyone(rule) else coordinator.id, state)
        response = client.get(path)
        if response.mimetype == "text/html":
            parser = _Forms(urlsplit(path).path)
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms.items():
                forms.setdefault(action, {}).update(
                    (name, value) for name, value in fields.items()
                    if not name.endswith("csrf_token"))
    every_field = {name: value for fields in forms.values() for name, value in fields.items()}

    # The fields of the forms a route builds (a form no page shows here, too).
    built: set[str] = set()
    process = BaseForm.process

    def recording_process(form, *args, **kwargs):
        built.update(field.name for field in form if not field.name.endswith("csrf_token"))
        return process(form, *args, **kwargs)

    monkeypatch.setattr(BaseForm, "process", recording_process)
    errors = _Errors()
    app.logger.addHandler(errors)

    def post(rule, body: list[tuple[str, str, str]]) -> None:
        path = _url(rule, ids)
        _log_in(client, None if for_anyone(rule) else coordinator.id, state)
        data, content_type = _encode([("csrf_token", "valid", token), *body])
        response = client.post(path, data=data, content_type=content_type)
        where = f"POST {path} {[(name, kind) for name, kind, _text in body]}"
        assert response.status_code < 500, f"{where}: {response.status_code}"
        assert not errors.records, f"{where}: {errors.records[0].getMessage()}"
        if response.mimetype.startswith("text/"):
            assert b"Traceback" not in response.get_data(), where
        response.close()

    def damaged(kind: str, valid: str, text: str = "") -> str:
        return valid if kind == "valid" else text or (HUGE[0] if kind == "huge" else valid)

    def mixed(rule, fields: dict[str, str]) -> None:
        names = sorted(fields)
        field = st.tuples(st.sampled_from(("valid", "valid", "missing", "text") + DAMAGE),
                          st.text(max_size=30), st.sampled_from(HUGE))

        @settings(max_examples=3, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.lists(field, min_size=len(names), max_size=len(names)))
        def run(drawn):
            body = []
            for name, (kind, text, huge) in zip(names, drawn, strict=True):
                if kind != "missing":
                    body.append((name, kind, damaged(kind, fields[name],
                                                     huge if kind == "huge" else text)))
            post(rule, body)

        run()

    try:
        for rule in ROUTES:
            path = _url(rule, ids)
            built.clear()
            post(rule, [])
            known = path in forms or built
            fields = {**{name: every_field.get(name, "") for name in built},
                      **forms.get(path, {})} if known else every_field
            if not fields:
                continue  # a button: nothing but the CSRF token to send
            for kind in DAMAGE:
                post(rule, [(name, kind, damaged(kind, value)) for name, value in fields.items()])
            # One field damaged, the others as the page fills them (to get past validation).
            for i, bad in enumerate(sorted(fields) if known else ()):
                for kind in ("huge", "file", ("nul", "bad_utf8", "long")[i % 3]):
                    post(rule, [(name, kind if name == bad else "valid",
                                 damaged(kind if name == bad else "valid", value))
                                for name, value in fields.items()])
            mixed(rule, fields)
    finally:
        app.logger.removeHandler(errors)


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "abc", "1e400"])
def test_numbers_in_query_strings_are_never_a_server_error(app, client, world, value):
    """Every page answers ?page=, ?member= and the like out of range with a page (200/400)."""
    coordinator, ids, _card = world
    _log_in(client, coordinator.id)
    for rule in _page_rules(app, ids):
        url = _url(rule, ids)
        for name in ("page", "per_page", "member", "template", "start_at", "year"):
            response = client.get(f"{url}?{name}={value}")
            assert response.status_code < 500, (url, name, response.status_code)
            response.close()
