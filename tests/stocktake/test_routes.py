"""Stocktake pages: start, scan (the page's script and without it), close, report, CSV, PDF."""

import re

import sqlalchemy as sa

from app.circulation.services import check_out
from app.extensions import db
from app.models import CopyStatus, Role, Stocktake, utcnow

OUTSIDE_REQUESTS = True  # the client makes its own requests
FETCH = {"X-Stocktake-Fetch": "1"}


def start_one(client, csrf_token, **scope) -> int:
    response = client.post("/stocktake", data={"csrf_token": csrf_token("/stocktake"),
                                               "in_order": "y", **scope})
    assert response.status_code == 303
    match = re.fullmatch(r"/stocktake/(\d+)", response.headers["Location"])
    return int(match.group(1))


def post_scan(client, token, stocktake_id, code, headers=FETCH):
    return client.post(f"/stocktake/{stocktake_id}/scan", headers=headers,
                       data={"csrf_token": token, "code": code})


def test_a_volunteer_starts_a_stocktake_and_scans(client, login_as, csrf_token, shelf):
    login_as(Role.VOLUNTEER)
    page = client.get("/stocktake", headers={"Accept-Language": "ko"})
    assert page.status_code == 200
    assert "장서 점검 시작" in page.get_data(as_text=True)
    stocktake_id = start_one(client, csrf_token, call_from="800", call_to="899")
    page = client.get(f"/stocktake/{stocktake_id}")
    html = page.get_data(as_text=True)
    assert 'data-testid="scan-field"' in html and "autofocus" in html
    assert 'src="/static/js/stocktake.js' in html
    token = csrf_token(f"/stocktake/{stocktake_id}")
    answer = post_scan(client, token, stocktake_id, shelf["813.7-김95ㅂ"].barcode)
    assert answer.status_code == 200
    fragment = answer.get_data(as_text=True)
    assert "<html" not in fragment
    assert 'data-result="found"' in fragment
    assert "불편한 편의점" in fragment and "813.7-김95ㅂ" in fragment  # the copy shown
    assert re.search(r'data-testid="count-seen">1<', fragment)
    answer = post_scan(client, token, stocktake_id, shelf["911-한15ㅎ"].barcode)
    assert 'data-result="not_in_scope"' in answer.get_data(as_text=True)
    # Without the page's script the whole page comes back, with the result in it.
    page = post_scan(client, token, stocktake_id, "2019999999990", headers={})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and 'data-result="unknown"' in html


def test_an_empty_scan_is_refused_with_a_message(client, login_as, csrf_token, shelf):
    login_as(Role.VOLUNTEER)
    stocktake_id = start_one(client, csrf_token)
    response = post_scan(client, csrf_token(f"/stocktake/{stocktake_id}"), stocktake_id, "",
                         headers={"Referer": f"http://localhost/stocktake/{stocktake_id}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/stocktake/{stocktake_id}"


def test_only_a_coordinator_closes_and_marks_missing(client, login_as, csrf_token, shelf):
    login_as(Role.VOLUNTEER)
    stocktake_id = start_one(client, csrf_token, call_from="813.7", call_to="813.7")
    token = csrf_token(f"/stocktake/{stocktake_id}")
    post_scan(client, token, stocktake_id, shelf["813.7-손66아"].barcode)
    assert client.post(f"/stocktake/{stocktake_id}/close",
                       data={"csrf_token": token}).status_code == 403
    login_as(Role.COORDINATOR)
    token = csrf_token(f"/stocktake/{stocktake_id}")
    response = client.post(f"/stocktake/{stocktake_id}/close", data={"csrf_token": token})
    assert response.status_code == 303
    report = client.get(f"/stocktake/{stocktake_id}", headers={"Accept-Language": "en"})
    html = report.get_data(as_text=True)
    missing = shelf["813.7-김95ㅂ"]
    assert f'data-barcode="{missing.barcode}"' in html
    assert f'data-barcode="{shelf["813.7-손66아"].barcode}"' not in html
    assert "813.7–813.7" not in html and "800–899" in html  # grouped by range
    assert "분실률" in html and "50.0%" in html
    response = client.post(f"/stocktake/{stocktake_id}/missing",
                           data={"csrf_token": token, "copy_ids": [str(missing.id)]})
    assert response.status_code == 303
    db.session.refresh(missing)
    assert missing.status is CopyStatus.MISSING
    # A closed stocktake takes no scan.
    response = post_scan(client, token, stocktake_id, missing.barcode, headers={
        "Referer": f"http://localhost/stocktake/{stocktake_id}"})
    assert response.status_code == 303


def test_the_report_as_csv_and_pdf(client, login_as, csrf_token, shelf, make_member):
    member = make_member(Role.MEMBER)
    coordinator = login_as(Role.COORDINATOR)
    check_out(shelf["813.6-조47ㄴ"], member, by=coordinator, now=utcnow())
    db.session.commit()
    stocktake_id = start_one(client, csrf_token, call_from="800", call_to="899")
    token = csrf_token(f"/stocktake/{stocktake_id}")
    post_scan(client, token, stocktake_id, shelf["813.6-조47ㄴ"].barcode)
    client.post(f"/stocktake/{stocktake_id}/close", data={"csrf_token": token})
    response = client.get(f"/stocktake/{stocktake_id}/report.csv",
                          headers={"Accept-Language": "ko"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = text.splitlines()
    assert any(line.startswith("점검 대상") and line.endswith(",4") for line in lines), lines
    assert any("불편한 편의점" in line and "813.7-김95ㅂ" in line for line in lines)
    pdf = client.get(f"/stocktake/{stocktake_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_a_withdrawn_copy_put_back_from_the_scan_page(client, login_as, csrf_token, shelf):
    from app.models import WithdrawalReason
    from app.stocktake.weeding import withdraw

    volunteer = login_as(Role.VOLUNTEER)
    copy = shelf["813.7-김95ㅂ"]
    withdraw([copy], reason=WithdrawalReason.DAMAGED, by=volunteer, now=utcnow())
    db.session.commit()
    stocktake_id = start_one(client, csrf_token)
    token = csrf_token(f"/stocktake/{stocktake_id}")
    fragment = post_scan(client, token, stocktake_id, copy.barcode).get_data(as_text=True)
    assert 'data-result="withdrawn"' in fragment and 'data-testid="reinstate"' in fragment
    assert f'name="copy_id" value="{copy.id}"' in fragment
    response = client.post("/stocktake/reinstate", headers=FETCH, data={
        "csrf_token": token, "copy_id": str(copy.id), "stocktake_id": str(stocktake_id)})
    assert 'data-result="reinstated"' in response.get_data(as_text=True)
    db.session.refresh(copy)
    assert copy.status is CopyStatus.AVAILABLE


def test_the_stocktake_list_shows_open_and_closed_ones(client, login_as, csrf_token, shelf):
    login_as(Role.COORDINATOR)
    first = start_one(client, csrf_token, shelf="유")
    second = start_one(client, csrf_token)
    client.post(f"/stocktake/{first}/close", data={"csrf_token": csrf_token("/stocktake")})
    html = client.get("/stocktake", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert html.count('data-testid="stocktake-row"') == 2
    assert html.index(f"/stocktake/{second}\"") < html.index(f"/stocktake/{first}\"")
    assert db.session.scalar(sa.select(sa.func.count(Stocktake.id))) == 2


def test_a_long_missing_list_is_shown_in_part_and_marked_whole(
        client, login_as, csrf_token, shelf, monkeypatch):
    from app.stocktake import routes

    monkeypatch.setattr(routes, "MISSING_SHOWN", 3)
    login_as(Role.COORDINATOR)
    stocktake_id = start_one(client, csrf_token, call_from="800", call_to="899")
    token = csrf_token(f"/stocktake/{stocktake_id}")
    client.post(f"/stocktake/{stocktake_id}/close", data={"csrf_token": token})
    html = client.get(f"/stocktake/{stocktake_id}").get_data(as_text=True)
    assert html.count('data-testid="missing-row"') == 3
    # The first three in shelf order.
    for call_number in ("813.6-조47ㄴ", "813.7-김95ㅂ", "813.7-손66아"):
        assert f'data-barcode="{shelf[call_number].barcode}"' in html
    assert 'data-testid="missing-shown"' in html
    csv = client.get(f"/stocktake/{stocktake_id}/report.csv").get_data(as_text=True)
    assert shelf["843-롤24해"].barcode in csv
    response = client.post(f"/stocktake/{stocktake_id}/missing",
                           data={"csrf_token": token, "every": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    in_range = ("813.6-조47ㄴ", "813.7-김95ㅂ", "813.7-손66아", "833.6-무292ㅍ", "843-롤24해")
    assert {shelf[c].status for c in in_range} == {CopyStatus.MISSING}
    assert shelf["808-김64ㄷ"].status is CopyStatus.AVAILABLE  # the 유 shelf is not in range
