"""The OpenAPI document: written from the code, valid, and true to the answers."""

import re
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi import API_PREFIX, spec
from app.core.access import ANYONE
from app.extensions import db
from app.models import CopyStatus, Donation, DonationItem, ItemOutcome, Role, utcnow
from tests.conftest import PASSWORD
from tests.support.providers import block_network, web  # noqa: F401

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _normalise(path: str) -> str:
    """Turn /books/<int:book_id> and /books/{book_id} into /books/{}."""
    path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "{}", path)
    return re.sub(r"\{[^}]+\}", "{}", path)


def _served(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = _normalise(rule.rule[len(API_PREFIX):])
        operations |= {(m, path) for m in rule.methods - IGNORED_METHODS}
    return operations


def _described() -> set[tuple[str, str]]:
    return {
        (method.upper(), _normalise(path))
        for path, item in spec()["paths"].items()
        for method in item
    }


def test_spec_is_valid_openapi_3_1(app):
    document = spec()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_served_spec_is_the_spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json == spec()


def test_every_api_view_declares_its_shapes(app):
    """Every /api/v1 view has an @operation; the document describes exactly what is served."""
    undeclared = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                        if rule.rule.startswith(API_PREFIX + "/")
                        and getattr(app.view_functions[rule.endpoint], "operation", None) is None)
    assert undeclared == [], "declare their shapes with @operation (app/api/spec.py)"
    assert _described() == _served(app)


def test_a_view_without_a_declaration_fails_the_document(app):
    from app.api.openapi import build

    app.add_url_rule(f"{API_PREFIX}/undeclared", "api.undeclared", lambda: "")
    with pytest.raises(LookupError, match="api.undeclared"):
        build(app)


def test_every_operation_declares_its_errors(app):
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            assert operation.get("operationId"), (method, path)
            codes = set(operation["responses"])
            assert any(c.startswith("2") for c in codes), (method, path)
            queries = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if operation.get("requestBody") or queries:
                assert "400" in codes, (method, path)
            if operation["security"]:
                assert {"401", "403"} <= codes, (method, path)
            keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
            if method in ("post", "put", "patch", "delete") and operation["security"]:
                assert keys and keys[0]["in"] == "header" and {"409", "422"} <= codes, (
                    "a member's write says it takes an Idempotency-Key", method, path)
            else:
                assert not keys, (method, path)


def test_a_write_sent_again_with_its_key_is_done_once(client, make_member):
    """What the document promises of the Idempotency-Key header, on one declared write."""
    coordinator = make_member(Role.COORDINATOR)
    token = client.post("/api/v1/tokens", json={"email": coordinator.email,
                                                "password": PASSWORD}).json["token"]
    headers = {"Idempotency-Key": "campaign-2026-1", "Authorization": f"Bearer {token}"}
    body = {"name": "겨울 기증", "starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    first = client.post("/api/v1/campaigns", json=body, headers=headers)
    again = client.post("/api/v1/campaigns", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    other = client.post("/api/v1/campaigns", json={**body, "name": "다른 이름"}, headers=headers)
    assert other.status_code == 422 and other.json["error"]["code"] == "idempotency_key_reused"


def test_security_and_roles_come_from_access(app):
    """Security follows each view's @access: none for ANYONE, a token for the others."""
    document = spec()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        who = app.view_functions[rule.endpoint]._access
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX):])
        for method in rule.methods - IGNORED_METHODS:
            operation = document["paths"][path][method.lower()]
            assert (operation["security"] == []) == (who == ANYONE), (method, path)


def test_a_view_answering_an_undeclared_status_fails_in_tests(app):
    """The wrapper refuses, under test, an answer the declaration does not list."""
    from app.api import spec as declare

    @declare.operation("probe", tag="meta", responses={200: "Only this."})
    def probe():
        return "", 204

    with app.test_request_context("/api/v1/probe"), pytest.raises(TypeError,
                                                                  match="probe answered 204"):
        probe()


@pytest.fixture
def catalogue(make_book, make_copy):
    """A few books with copies, so the generated requests find something."""
    for i, (title, isbn13) in enumerate([("해리포터와 마법사의 돌", "9788983920775"),
                                         ("소년이 온다", "9788936434120"),
                                         ("Le Petit Prince", None)]):
        book = make_book(title=title, isbn13=isbn13, authors="한강; Antoine",
                         addon_code="03810" if isbn13 else None, language="ko")
        make_copy(book=book, status=CopyStatus.ON_LOAN if i == 1 else CopyStatus.AVAILABLE)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.mark.parametrize("path", ["/books", "/books/{book_id}", "/books/new",
                                  "/books/popular", "/openapi.json"])
def test_public_get_endpoints_answer_as_described(app, catalogue, path):
    """Schemathesis sends generated requests (valid and not) and checks every answer."""
    schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)
    operation = schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=50, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()


# ---------------------------------------------------------------------------
# Every operation, with tokens and seeded data (issue 10: >= 2,000 generated cases)
# ---------------------------------------------------------------------------

# Generated cases per operation and mode; operations with few possible inputs (no
# parameters) stop early, the others reach this. The sum is asserted below.
POSITIVE_EXAMPLES = 80
NEGATIVE_EXAMPLES = 45
MIN_TOTAL_CASES = 2_000
# Who calls each operation (its role in the summary); missing means no token.
CALLER = {
    ("GET", "/me"): Role.MEMBER, ("GET", "/me/loans"): Role.MEMBER,
    ("GET", "/me/holds"): Role.MEMBER, ("POST", "/holds"): Role.MEMBER,
    ("GET", "/isbn/{raw}"): Role.VOLUNTEER, ("POST", "/intake"): Role.VOLUNTEER,
    ("GET", "/donations/{donation_id}"): Role.VOLUNTEER,
    ("POST", "/checkouts"): Role.VOLUNTEER, ("POST", "/checkins"): Role.VOLUNTEER,
    ("POST", "/loans/{loan_id}/renew"): Role.VOLUNTEER,
    ("DELETE", "/holds/{hold_id}"): Role.VOLUNTEER, ("POST", "/labels"): Role.VOLUNTEER,
    ("POST", "/campaigns"): Role.COORDINATOR,
    ("POST", "/call-numbers"): Role.VOLUNTEER,
    ("POST", "/stocktakes"): Role.VOLUNTEER,
    ("POST", "/stocktakes/{stocktake_id}/scans"): Role.VOLUNTEER,
    ("GET", "/stocktakes/{stocktake_id}"): Role.VOLUNTEER,
    ("POST", "/stocktakes/{stocktake_id}/close"): Role.COORDINATOR,
    ("DELETE", "/tokens/current"): "revoker-current", ("DELETE", "/tokens/{token_id}"): "revoker",
}
REVOKER, REVOKER_CURRENT = "revoker", "revoker-current"
SEED_PASSWORD = "fuzzing password 1"  # noqa: S105


def _seeds(seed: dict) -> dict:
    """Where each operation may receive seeded values: (where, name, values)."""
    cards, barcodes = seed["cards"], seed["barcodes"]
    return {
        ("POST", "/tokens"): [("body", None, [{"email": e, "password": SEED_PASSWORD}
                                              for e in seed["emails"]])],
        ("GET", "/isbn/{raw}"): [("path", "raw", seed["scans"])],
        ("POST", "/intake"): [("body", "scan", seed["scans"]),
                              ("body", "donor_card", cards),
                              ("body", "campaign_id", seed["campaigns"]),
                              # The seeded books are over the copy cap: an outcome passes.
                              ("body", "outcome", ["kept", "declined"]),
                              ("body", "mark", [None]), ("body", "passed_to", [None])],
        ("POST", "/checkouts"): [("body", "member_card", cards),
                                 ("body", "copy_barcode", barcodes)],
        ("POST", "/checkins"): [("body", "copy_barcode", barcodes)],
        ("POST", "/holds"): [("body", "book_id", seed["books"])],
        ("POST", "/labels"): [("body", "copies", [[b] for b in barcodes] + [barcodes[:3]]),
                              ("body", "template", [None]), ("body", "start_at", [1, 5])],
        ("GET", "/books/{book_id}"): [("path", "book_id", seed["books"])],
        ("GET", "/campaigns/{campaign_id}"): [("path", "campaign_id", seed["campaigns"])],
        ("GET", "/donations/{donation_id}"): [("path", "donation_id", seed["donations"])],
        ("POST", "/loans/{loan_id}/renew"): [("path", "loan_id", seed["loans"])],
        ("DELETE", "/holds/{hold_id}"): [("path", "hold_id", seed["holds"])],
        ("DELETE", "/tokens/{token_id}"): [("path", "token_id", seed["revocable"])],
        ("POST", "/stocktakes"): [("body", "scope", [{}, {"call_from": "000"}])],
        ("POST", "/call-numbers"): [("body", None, [
            {"kdc": "813.7", "author": "김호연 지음", "title": "불편한 편의점"},
            {"kdc": "808", "author": "김영진", "title": "두근두근 편의점", "shelf": "유"},
            {"kdc": "813.7", "author": "김호연", "title": "불편한 편의점", "volume": 2,
             "copy": 2, "title_mark": "syllable"}])],
        ("POST", "/stocktakes/{stocktake_id}/scans"): [
            ("path", "stocktake_id", seed["stocktakes"][:1]), ("body", "barcode", barcodes)],
        ("GET", "/stocktakes/{stocktake_id}"): [("path", "stocktake_id", seed["stocktakes"])],
        ("POST", "/stocktakes/{stocktake_id}/close"): [
            ("path", "stocktake_id", seed["stocktakes"][1:])],
    }


def _with_seeds(strategy, seeds: list):
    """Replace generated values by seeded ones about half of the time, field by field.

    (An anyOf of an enum and the field's schema in the spec would not do: the generator
    simplifies it to the wider schema and never picks the seeded values.)
    """
    if not seeds:
        return strategy
    picks = st.tuples(*[st.one_of(st.just(NOT_SEEDED), st.sampled_from(values))
                        for _where, _name, values in seeds])

    def apply(pair):
        case, chosen = pair
        for (where, name, _values), value in zip(seeds, chosen, strict=True):
            if value is NOT_SEEDED:
                continue
            if where == "path":
                case.path_parameters[name] = value
            elif name is None and isinstance(case.body, dict):
                case.body.update(value)
            elif isinstance(case.body, dict):
                if value is None:
                    case.body.pop(name, None)
                else:
                    case.body[name] = value
        return case

    return st.tuples(strategy, picks).map(apply)


NOT_SEEDED = object()


@pytest.fixture
def seeded(app, make_member, make_book, make_copy, make_campaign):
    """Members of each role with tokens, books, copies, loans, holds and a campaign."""
    from app.accounts.services import issue_token
    from app.circulation import services as circulation
    from app.stocktake.sessions import make_scope, start_stocktake

    now = utcnow()
    members = {role: make_member(role, password=SEED_PASSWORD) for role in Role}
    borrowers = [make_member(Role.MEMBER) for _ in range(3)]
    campaign = make_campaign(name="Fuzz campaign", goal_books=100, is_default=True)
    books, copies = [], []
    for i, isbn13 in enumerate(["9788983920775", "9788936434120", "9791190090018", None]):
        book = make_book(title=f"Fuzz book {i}", isbn13=isbn13, authors="한강; Antoine",
                         language="ko")
        books.append(book)
        copies += [make_copy(book=book) for _ in range(3 if isbn13 else 1)]
    # One loan per borrower; the last book's only copy is out, so it can be held.
    loans = [circulation.check_out(copy, borrower, by=members[Role.VOLUNTEER], now=now).loan
             for copy, borrower in zip([copies[0], copies[3], copies[-1]], borrowers,
                                       strict=True)]
    holds = [circulation.place_hold(books[-1], borrower, now=now) for borrower in borrowers[:2]]
    db.session.commit()
    tokens = {}
    for role, member in members.items():
        tokens[role], _stored = issue_token(member, days=1, now=now)
    # Revoking: a member of its own, so that other operations keep their tokens.
    revoker = make_member(Role.MEMBER)
    tokens[REVOKER], _stored = issue_token(revoker, days=1, now=now)
    tokens[REVOKER_CURRENT], _stored = issue_token(revoker, days=1, now=now)
    revocable = [issue_token(revoker, days=1, now=now)[1] for _ in range(3)]
    # A donation with a copy, an item passed on and one declined (issue 23).
    donation = Donation(anonymous=True, campaign_id=campaign.id, site_id=copies[1].site_id)
    db.session.add(donation)
    db.session.flush()
    copies[1].donation_id = donation.id
    db.session.add_all([
        DonationItem(donation_id=donation.id, title="Fuzz item", held_for="copy_cap",
                     outcome=ItemOutcome.PASSED_ON, passed_to="Fuzz library", recorded_at=now),
        DonationItem(donation_id=donation.id, title="Fuzz item", held_for="damaged",
                     outcome=ItemOutcome.DECLINED, recorded_at=now)])
    # One stocktake to scan into, others to close.
    stocktakes = [start_stocktake(make_scope(), by=members[Role.VOLUNTEER], now=now).id
                  for _ in range(4)]
    db.session.commit()
    return {
        "tokens": tokens,
        "revocable": [stored.id for stored in revocable],
        "emails": [m.email for m in members.values()],
        "cards": [m.card_barcode for m in [*members.values(), *borrowers]],
        "scans": ["9788983920775", "978-89-369-3412-0", "979119009001803810", "8936434128",
                  "9780316030571"],
        # Not the seeded loans' copies: /checkins would close the loans /renew needs.
        "barcodes": [c.barcode for c in copies if c.id not in {ln.copy_id for ln in loans}],
        "books": [b.id for b in books],
        "campaigns": [campaign.id],
        "donations": [donation.id],
        "loans": [loan.id for loan in loans],
        "holds": [hold.id for hold in holds],
        "stocktakes": stocktakes,
    }


def _fuzz(operation, mode, examples: int, headers: dict, checks: list,
          seeds: list) -> Counter:
    """Run one operation's generated cases; return how many got each status code."""
    statuses = Counter()
    strategy = operation.as_strategy(generation_mode=mode)

    @given(case=_with_seeds(strategy, seeds))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks)

    check()
    return statuses


def test_every_operation_survives_generated_requests(app, seeded, web):  # noqa: F811
    """Schemathesis over the whole API, valid and invalid requests: never a server error.

    Authenticated operations get a bearer token of the role they are for, and the
    generator is offered the seeded cards, barcodes and ids so that valid requests reach
    the services (loans, holds, intake, labels), not only the 404 branch.
    """
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)
    seeds = _seeds(seeded)
    total = 0
    failures = []
    served = _served(app)
    operations = [(m.upper(), p, op) for p, item in spec()["paths"].items()
                  for m, op in item.items()]
    for method, path, described in operations:
        if (method, _normalise(path)) not in served:
            continue
        operation = schema[path][method]
        role = CALLER.get((method, path))
        headers = {"Authorization": f"Bearer {seeded['tokens'][role]}"} if role else {}
        modes = [(GenerationMode.POSITIVE, POSITIVE_EXAMPLES, CHECKS,
                  seeds.get((method, path), []))]
        if described.get("parameters") or described.get("requestBody"):
            # Invalid requests need something to make invalid (and keep it invalid).
            modes.append((GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, [not_a_server_error], []))
        for mode, examples, checks, mode_seeds in modes:
            started = time.perf_counter()
            try:
                statuses = _fuzz(operation, mode, examples, headers, checks, mode_seeds)
            # Collect them all, then fail once (schemathesis raises an exception group).
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001
                failures.append(f"{method} {path} ({mode.value}): {error}")
                continue
            total += statuses.total()
            seconds = time.perf_counter() - started
            print(f"{method} {path} {mode.value}: {statuses.total()} cases in {seconds:.1f} s "
                  f"{dict(sorted(statuses.items()))}")
            if mode is GenerationMode.POSITIVE and not any(200 <= c < 300 for c in statuses) \
                    and path != "/tokens":  # wrong passwords soon get 429 from one address
                # The seeded data should let some valid requests through to the services.
                failures.append(f"{method} {path}: no 2xx answer in {dict(statuses)}")
    print(f"schemathesis: {total} generated cases over {len(operations)} operations")
    assert failures == [], "\n\n".join(failures)
    assert total >= MIN_TOTAL_CASES, total
