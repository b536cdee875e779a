"""`make bench`'s desk figures: intake of known scans, checkout + check-in pairs, the
campaign page and /reports, and the stocktake's scan station, against a served data set."""

from __future__ import annotations

import json
import re
import time
import urllib.parse

import sqlalchemy as sa

from bench.serve import Server, api_token, logged_in, session_cookie, wrk


def pick_copies(url: str, n: int, members: int = 4) -> tuple[list[str], list[str], int]:
    """Return n available copies (of books nobody holds), the cards of `members` members
    free to borrow (the desk accounts first, then members with nothing on loan), and the
    first campaign's id."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(sa.text(
            "SELECT barcode FROM copy WHERE status = 'available' AND book_id NOT IN "
            "(SELECT book_id FROM hold) ORDER BY id DESC LIMIT :n"), {"n": n})]
        cards = [r[0] for r in conn.execute(sa.text(
            "SELECT card_barcode FROM member WHERE email LIKE 'desk%@bench.example' "
            "ORDER BY email"))]
        # The cached data sets have two desk accounts: more come from the generated
        # members (active, with nothing on loan, so nothing overdue and far from the limit).
        cards += [r[0] for r in conn.execute(sa.text(
            "SELECT card_barcode FROM member WHERE role = 'member' AND active "
            "AND anonymised_at IS NULL AND card_barcode IS NOT NULL "
            "AND email NOT LIKE '%@bench.example' AND id NOT IN "
            "(SELECT member_id FROM loan WHERE returned_at IS NULL AND member_id IS NOT NULL) "
            "ORDER BY id LIMIT :n"), {"n": max(0, members - len(cards))})]
        campaign = conn.execute(sa.text("SELECT min(id) FROM campaign")).scalar()
    engine.dispose()
    return rows, cards[:members], campaign


DESK_CONNECTIONS = 4  # as the bare endpoint's throughput run


def desk_figures(server: Server, url: str, seconds: float) -> dict:
    """Intake of known scans and checkout + check-in pairs, each with one connection and
    with as many as the bare endpoint's throughput run (each connection with its own
    ISBNs, or its own member and copies, so they never collide); the bare endpoint again
    with one connection; the campaign page and reports."""
    out = {}
    k = DESK_CONNECTIONS
    copies, cards, campaign = pick_copies(url, 4000, members=k)
    if len(cards) < k or len(copies) < 4 * k:
        raise RuntimeError(f"the data set has too few free members or copies for {k} desks")
    token = api_token(server.base, "volunteer@bench.example")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    out["bare_1c"] = wrk(server.base, [("GET", "/api/v1/health", "")], seconds=seconds,
                         threads=1, connections=1)
    # The same volunteer on every connection (one donation), each scanning its own ISBNs:
    # the same ISBN twice within two seconds would be a double scan, answered without a
    # copy, and a title scanned again and again reaches the copy cap (409). So each run
    # has ISBNs of its own, more than it can scan (up to ~6,000 each), of titles with one
    # copy (the copy cap holds a third copy back: 409, a cheaper answer).
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        titles = [r[0] for r in conn.execute(sa.text(
            "SELECT isbn13 FROM book WHERE isbn13 IS NOT NULL AND (SELECT count(*) FROM copy "
            "WHERE copy.book_id = book.id) < 2 ORDER BY id LIMIT 12000"))]
    engine.dispose()
    half = len(titles) // 2

    def intakes(codes):
        return [("POST", "/api/v1/intake", json.dumps({"scan": isbn})) for isbn in codes]

    out["intake_1c"] = wrk(server.base, seconds=seconds, headers=auth,
                           sequences=[intakes(titles[:half])])
    scans = [intakes(titles[half:][i::k]) for i in range(k)]
    out["intake"] = wrk(server.base, seconds=seconds, headers=auth, sequences=scans)
    # Each connection lends its own copies to its own member: checkout, then check-in.
    per_desk = len(copies) // k
    pairs = []
    for i in range(k):
        sequence = []
        for barcode in copies[i * per_desk:(i + 1) * per_desk]:
            sequence.append(("POST", "/api/v1/checkouts",
                             json.dumps({"member_card": cards[i], "copy_barcode": barcode})))
            sequence.append(("POST", "/api/v1/checkins", json.dumps({"copy_barcode": barcode})))
        pairs.append(sequence)
    out["desk_1c"] = wrk(server.base, seconds=seconds, headers=auth, sequences=pairs[:1])
    out["desk"] = wrk(server.base, seconds=seconds, headers=auth, sequences=pairs)
    cookie = {"Cookie": session_cookie(server.base, "coordinator@bench.example")}
    # wrk counts only the responses that end before it stops: give these pages (seconds
    # each when slow) at least 20 s, or a slow page shows as "0 ms, 0 requests".
    # One connection: how long one coordinator waits for the page (with two, on 2 cores
    # that the database server also uses, each page also waits for the other).
    page_seconds = max(seconds, 20)
    out["campaign_page"] = wrk(server.base, [("GET", f"/campaigns/{campaign}", "")],
                               seconds=page_seconds, headers=cookie, threads=1, connections=1)
    out["reports"] = wrk(server.base, [("GET", "/reports?start=2024-01-01&end=2025-12-31", "")],
                         seconds=page_seconds, headers=cookie, threads=1, connections=1)
    return out


def stocktake_figures(server: Server, url: str, seconds: float) -> dict:
    """A stocktake of the whole collection started through its page (the expected list of
    every shelved copy frozen), then its scan station: distinct copies scanned one after
    another in shelf order, as a volunteer does (1 connection: the latency target), and on
    4 connections at once (each with its own copies; one account, so their shelf orders
    interleave and many answers are out_of_order: the same work)."""
    # The generated copies have no call numbers: give the ones scanned here call numbers in
    # the order they are scanned (a shelf read left to right), so each scan is also checked
    # against the volunteer's previous copy, as on a real shelf. (A scratch copy: it may.)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        barcodes = [r[0] for r in conn.execute(sa.text(
            "SELECT barcode FROM copy WHERE status = 'available' ORDER BY id LIMIT 8000"))]
        conn.execute(sa.text("UPDATE copy SET call_number = :call WHERE barcode = :code"),
                     [{"call": f"{800 + i // 100}-가{i % 100:02d}ㄱ", "code": code}
                      for i, code in enumerate(barcodes)])
    cookie, token, opener = logged_in(server.base, "volunteer@bench.example")
    started = time.perf_counter()
    data = urllib.parse.urlencode({"csrf_token": token, "in_order": "y"}).encode()
    with opener.open(server.base + "/stocktake", data=data, timeout=300) as response:
        stocktake = int(re.search(r"/stocktake/(\d+)$", response.url).group(1))
    start_ms = (time.perf_counter() - started) * 1000
    with engine.connect() as conn:
        expected = conn.execute(sa.text("SELECT expected FROM stocktake WHERE id = :id"),
                                {"id": stocktake}).scalar()
    engine.dispose()
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
               "X-Stocktake-Fetch": "1"}
    path = f"/stocktake/{stocktake}/scan"
    quoted = urllib.parse.quote(token, safe="")

    def scans(codes):
        return [("POST", path, f"csrf_token={quoted}&code={code}") for code in codes]

    k = DESK_CONNECTIONS
    half = len(barcodes) // 2
    out = {"stocktake_start_ms": start_ms, "stocktake_expected": expected}
    out["stocktake_1c"] = wrk(server.base, seconds=seconds, headers=headers,
                              sequences=[scans(barcodes[:half])])
    rest = barcodes[half:]
    out["stocktake"] = wrk(server.base, seconds=seconds, headers=headers,
                           sequences=[scans(rest[i::k]) for i in range(k)])
    return out
