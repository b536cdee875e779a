"""The stocktake API (API.md): start, scan, counts so far, close with the missing list."""

import sqlalchemy as sa

from app.accounts.services import issue_token
from app.circulation.loans import check_out
from app.extensions import db
from app.models import CopyStatus, Loan, Role, utcnow

OUTSIDE_REQUESTS = True


def _headers(member) -> dict:
    raw, _token = issue_token(member, days=1, now=utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def test_a_stocktake_through_the_api(client, shelf, volunteer, coordinator, member, rules):
    staff, boss = _headers(volunteer), _headers(coordinator)
    lent = shelf["813.7-손66아"]
    check_out(lent, member, by=volunteer, now=utcnow())
    db.session.commit()
    started = client.post("/api/v1/stocktakes", json={"scope": {"call_from": "813",
                                                                "call_to": "833.9"}},
                          headers=staff)
    assert started.status_code == 201, started.json
    stocktake_id, expected = started.json["id"], started.json["expected"]
    assert expected == 3  # 813.6, 813.7, 833.6 (not the copy on loan, nor 843, nor 유)

    def scan(code):
        return client.post(f"/api/v1/stocktakes/{stocktake_id}/scans", json={"barcode": code},
                           headers=staff)

    found = scan(shelf["813.6-조47ㄴ"].barcode)
    assert found.status_code == 200
    assert found.json["result"] == "found"
    assert found.json["copy"]["barcode"] == shelf["813.6-조47ㄴ"].barcode
    assert found.json["copy"]["place"] == "813.6-조47ㄴ"
    assert found.json["message"].startswith("Found")
    assert scan(shelf["813.6-조47ㄴ"].barcode).json["result"] == "already_scanned"
    on_loan = scan(lent.barcode).json
    assert on_loan["result"] == "found_on_loan" and on_loan["copy"]["status"] == "available"
    assert db.session.scalar(sa.select(Loan.returned_at).where(Loan.copy_id == lent.id))
    assert scan(shelf["843-롤24해"].barcode).json["result"] == "not_in_scope"
    unknown = scan("NOPE-0001").json
    assert unknown["result"] == "unknown" and unknown["copy"] is None

    counts = client.get(f"/api/v1/stocktakes/{stocktake_id}", headers=staff).json
    assert counts["expected"] == 3 and counts["seen"] == 1 and counts["closed_at"] is None
    assert counts["counts"]["found"] == 1 and counts["counts"]["unknown"] == 1
    assert counts["counts"]["already_scanned"] == 1 and counts["missing"] is None

    # Closing is the coordinator's: a volunteer is refused, and nothing closes.
    assert client.post(f"/api/v1/stocktakes/{stocktake_id}/close",
                       headers=staff).status_code == 403
    closed = client.post(f"/api/v1/stocktakes/{stocktake_id}/close", headers=boss)
    assert closed.status_code == 200
    missing = [c["place"] for c in closed.json["missing"]]
    assert missing == ["813.7-김95ㅂ", "833.6-무292ㅍ"]  # in shelf order
    assert closed.json["counts"]["found_on_loan"] == 1
    again = client.post(f"/api/v1/stocktakes/{stocktake_id}/close", headers=boss)
    assert again.status_code == 409 and again.json["error"]["code"] == "stocktake_closed"
    late = scan(shelf["813.7-김95ㅂ"].barcode)
    assert late.status_code == 409 and late.json["error"]["code"] == "stocktake_closed"
    assert client.get(f"/api/v1/stocktakes/{stocktake_id}",
                      headers=staff).json["missing"] == 2
    db.session.expire_all()
    assert db.session.get(type(lent), lent.id).status is CopyStatus.AVAILABLE


def test_stocktake_api_refusals(client, shelf, volunteer, make_member):
    staff = _headers(volunteer)
    empty = client.post("/api/v1/stocktakes", json={"scope": {"call_from": "900",
                                                              "call_to": "100"}},
                        headers=staff)
    assert empty.status_code == 400 and empty.json["error"]["code"] == "invalid_scope"
    no_site = client.post("/api/v1/stocktakes", json={"scope": {"site": 999}}, headers=staff)
    assert no_site.status_code == 400 and no_site.json["error"]["code"] == "invalid_scope"
    assert client.post("/api/v1/stocktakes", json={"scope": {"shelf": 5}},
                       headers=staff).status_code == 400
    unknown = client.post("/api/v1/stocktakes/999/scans", json={"barcode": "X"},
                          headers=staff)
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_stocktake"
    assert client.get("/api/v1/stocktakes/999", headers=staff).status_code == 404
    everything = client.post("/api/v1/stocktakes", json={}, headers=staff)
    assert everything.status_code == 201 and everything.json["expected"] == len(shelf)
    blank = client.post(f"/api/v1/stocktakes/{everything.json['id']}/scans",
                        json={"barcode": ""}, headers=staff)
    assert blank.status_code == 400
    reader = _headers(make_member(Role.MEMBER, password=""))
    assert client.post("/api/v1/stocktakes", json={}, headers=reader).status_code == 403
    assert client.get(f"/api/v1/stocktakes/{everything.json['id']}").status_code == 401
