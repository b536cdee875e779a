"""Stocktake services: the frozen list, every scan result, closing, missing and lost."""

import pytest
import sqlalchemy as sa

from app.circulation.services import check_out, place_hold, return_copy
from app.errors import InvalidScope, NotMissing, StocktakeClosed, StocktakeOpen
from app.extensions import db
from app.models import (
    AuditEvent,
    CopyStatus,
    HoldStatus,
    Loan,
    ScanResult,
    StocktakeCopy,
    StocktakeScan,
)
from app.stocktake import scanning, sessions
from app.stocktake.scope import Scope


def start(by, clock, **scope):
    stocktake = sessions.start_stocktake(sessions.make_scope(**scope), by=by, now=clock())
    db.session.commit()
    return stocktake


def scan(stocktake, code, by, clock):
    answer = scanning.scan(stocktake, code, by=by, now=clock.advance(seconds=3))
    db.session.commit()
    return answer


def expected_barcodes(stocktake) -> set[str]:
    return {row.copy.barcode for row in db.session.scalars(
        sa.select(StocktakeCopy).where(StocktakeCopy.stocktake_id == stocktake.id,
                                       StocktakeCopy.expected.is_(True)))}


# ---------------------------------------------------------------------------
# The frozen list
# ---------------------------------------------------------------------------


def test_the_expected_list_is_the_shelved_copies(shelf, volunteer, member, clock, rules):
    on_loan, withdrawn, damaged, lost, missing, held = (shelf[c] for c in list(shelf)[:6])
    check_out(on_loan, member, by=volunteer, now=clock())
    withdrawn.status = CopyStatus.WITHDRAWN
    damaged.status = CopyStatus.DAMAGED
    lost.status = CopyStatus.LOST
    missing.status = CopyStatus.MISSING
    held.status = CopyStatus.ON_HOLD_SHELF
    db.session.commit()
    stocktake = start(volunteer, clock)
    assert expected_barcodes(stocktake) == {c.barcode for c in (lost, missing, held,
                                                                *list(shelf.values())[6:])}
    assert stocktake.expected == 5


def test_a_range_expects_only_its_copies(shelf, volunteer, clock):
    stocktake = start(volunteer, clock, call_from="813", call_to="813.7")
    assert expected_barcodes(stocktake) == {shelf[c].barcode for c in (
        "813.6-조47ㄴ", "813.7-김95ㅂ", "813.7-손66아")}


def test_a_shelf_expects_its_copies_whichever_field_says_so(shelf, volunteer, clock):
    stocktake = start(volunteer, clock, shelf="유")
    assert expected_barcodes(stocktake) == {shelf["808-김64ㄷ"].barcode,
                                            shelf["유 813.8-권74ㄱ"].barcode}


def test_a_range_that_ends_before_it_starts_is_refused(app):
    with pytest.raises(InvalidScope):
        sessions.make_scope(call_from="900", call_to="800")


# ---------------------------------------------------------------------------
# Scans
# ---------------------------------------------------------------------------


def test_found_then_already_scanned(shelf, volunteer, clock):
    stocktake = start(volunteer, clock, call_from="800", call_to="899")
    copy = shelf["813.7-김95ㅂ"]
    answer = scan(stocktake, copy.barcode, volunteer, clock)
    assert answer.result is ScanResult.FOUND
    assert answer.counts["seen"] == 1 and answer.counts["found"] == 1
    db.session.refresh(copy)
    assert copy.last_seen_at == clock()
    seen_at = clock()
    again = scan(stocktake, f" {copy.barcode}\n", volunteer, clock)
    assert again.result is ScanResult.ALREADY_SCANNED
    assert again.message == "Already scanned. Nothing changed."
    assert again.counts["seen"] == 1 and again.counts["already_scanned"] == 1
    db.session.refresh(copy)
    assert copy.last_seen_at == seen_at  # no change the second time
    assert db.session.scalar(sa.select(sa.func.count(StocktakeScan.id))) == 2


def test_not_in_scope_says_where_it_belongs(shelf, volunteer, clock):
    stocktake = start(volunteer, clock, call_from="800", call_to="899")
    answer = scan(stocktake, shelf["911-한15ㅎ"].barcode, volunteer, clock)
    assert answer.result is ScanResult.NOT_IN_SCOPE
    assert "It belongs at 911-한15ㅎ." in answer.message
    children = scan(stocktake, shelf["808-김64ㄷ"].barcode, volunteer, clock)
    assert children.result is ScanResult.NOT_IN_SCOPE
    assert "It belongs at 유 808-김64ㄷ." in children.message
    assert children.counts["not_in_scope"] == 2 and children.counts["seen"] == 0


def test_out_of_order_says_what_it_goes_before(shelf, volunteer, helper, clock):
    stocktake = start(volunteer, clock, call_from="800", call_to="899")
    assert scan(stocktake, shelf["813.7-손66아"].barcode, volunteer, clock).result \
        is ScanResult.FOUND
    # Another volunteer's shelf is their own: their order does not count here.
    assert scan(stocktake, shelf["843-롤24해"].barcode, helper, clock).result \
        is ScanResult.FOUND
    misplaced = scan(stocktake, shelf["813.7-김95ㅂ"].barcode, volunteer, clock)
    assert misplaced.result is ScanResult.OUT_OF_ORDER
    assert misplaced.message == "Out of order. Put it before 813.7-손66아."
    assert misplaced.counts["seen"] == 3  # found all the same
    # The next copy in order compares with the last copy that was in its place.
    assert scan(stocktake, shelf["833.6-무292ㅍ"].barcode, volunteer, clock).result \
        is ScanResult.FOUND


def test_one_account_on_two_devices_reads_two_shelves(shelf, volunteer, clock):
    stocktake = start(volunteer, clock, call_from="800", call_to="899")

    def on(lane, call_number):
        answer = scanning.scan(stocktake, shelf[call_number].barcode, by=volunteer,
                               now=clock.advance(seconds=2), lane=lane)
        db.session.commit()
        return answer.result

    assert on("pc", "843-롤24해") is ScanResult.FOUND
    assert on("phone", "813.6-조47ㄴ") is ScanResult.FOUND  # its own shelf, its own order
    assert on("phone", "813.7-김95ㅂ") is ScanResult.FOUND
    assert on("pc", "833.6-무292ㅍ") is ScanResult.OUT_OF_ORDER


def test_out_of_order_only_when_scanning_in_order(shelf, volunteer, clock):
    stocktake = sessions.start_stocktake(Scope(), in_order=False, by=volunteer, now=clock())
    db.session.commit()
    scan(stocktake, shelf["843-롤24해"].barcode, volunteer, clock)
    assert scan(stocktake, shelf["813.6-조47ㄴ"].barcode, volunteer, clock).result \
        is ScanResult.FOUND


def test_unknown_codes(shelf, volunteer, clock):
    stocktake = start(volunteer, clock)
    answer = scan(stocktake, "2019999999990", volunteer, clock)
    assert (answer.result, answer.copy, answer.isbn) == (ScanResult.UNKNOWN, None, None)
    assert "No copy has this barcode. If the book is ours" in answer.message
    isbn = scan(stocktake, "9788936434120", volunteer, clock)
    assert isbn.isbn == "9788936434120" and "intake" in isbn.message
    assert isbn.counts["unknown"] == 2


def test_a_withdrawn_copy_is_offered_back(shelf, volunteer, clock):
    from app.models import WithdrawalReason
    from app.stocktake.weeding import reinstate, withdraw

    copy = shelf["813.7-김95ㅂ"]
    withdraw([copy], reason=WithdrawalReason.OUTDATED, by=volunteer, now=clock())
    db.session.commit()
    stocktake = start(volunteer, clock)
    assert copy.barcode not in expected_barcodes(stocktake)
    answer = scan(stocktake, copy.barcode, volunteer, clock)
    assert answer.result is ScanResult.WITHDRAWN
    assert answer.withdrawal is not None and "withdrawn on" in answer.message
    reinstate(copy, by=volunteer, now=clock())
    db.session.commit()
    assert copy.status is CopyStatus.AVAILABLE
    assert answer.withdrawal.reinstated_at is not None


def test_a_copy_on_loan_found_on_the_shelf_is_returned_and_its_hold_trapped(
        shelf, volunteer, member, other, clock, rules):
    copy = shelf["813.7-김95ㅂ"]
    check_out(copy, member, by=volunteer, now=clock())
    hold = place_hold(copy.book, other, now=clock())
    db.session.commit()
    stocktake = start(volunteer, clock)
    answer = scan(stocktake, copy.barcode, volunteer, clock)
    assert answer.result is ScanResult.FOUND_ON_LOAN
    assert answer.loan is not None and answer.loan.returned_at == clock()
    assert answer.hold.id == hold.id
    assert "It was on loan to 김OO: the loan is closed." in answer.message
    assert "Put it on the hold shelf for 이OO" in answer.message
    db.session.expire_all()
    assert copy.status is CopyStatus.ON_HOLD_SHELF
    assert hold.status is HoldStatus.READY and hold.copy_id == copy.id
    again = scan(stocktake, copy.barcode, volunteer, clock)
    assert again.result is ScanResult.ALREADY_SCANNED
    assert again.counts["found_on_loan"] == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "loan.return")) == 1


def test_a_copy_lent_after_the_start_counts_as_found_when_scanned(
        shelf, volunteer, member, clock, rules):
    copy = shelf["813.7-김95ㅂ"]
    stocktake = start(volunteer, clock)
    check_out(copy, member, by=volunteer, now=clock())
    db.session.commit()
    answer = scan(stocktake, copy.barcode, volunteer, clock)
    assert answer.result is ScanResult.FOUND_ON_LOAN
    assert answer.counts["seen"] == 1
    assert db.session.scalar(sa.select(Loan.returned_at)) is not None


@pytest.mark.parametrize("status", [CopyStatus.LOST, CopyStatus.MISSING])
def test_a_lost_or_missing_copy_found_comes_back(shelf, volunteer, other, clock, status,
                                                 rules):
    copy = shelf["813.7-김95ㅂ"]
    copy.status = status
    db.session.commit()
    stocktake = start(volunteer, clock)
    answer = scan(stocktake, copy.barcode, volunteer, clock)
    assert answer.result is ScanResult.FOUND
    assert f"It was marked {status.value}: it is back in the collection." in answer.message
    db.session.refresh(copy)
    assert copy.status is CopyStatus.AVAILABLE


def test_a_closed_stocktake_takes_no_scan(shelf, volunteer, coordinator, clock):
    stocktake = start(volunteer, clock)
    sessions.close_stocktake(stocktake, by=coordinator, now=clock())
    db.session.commit()
    with pytest.raises(StocktakeClosed):
        scanning.scan(stocktake, shelf["813.7-김95ㅂ"].barcode, by=volunteer, now=clock())
    with pytest.raises(StocktakeClosed):
        sessions.close_stocktake(stocktake, by=coordinator, now=clock())


# ---------------------------------------------------------------------------
# Closing: the missing list, missing, then lost
# ---------------------------------------------------------------------------


def test_a_scoped_stocktake_reports_only_its_own_copies_missing(
        shelf, volunteer, coordinator, member, clock, rules):
    stocktake = start(volunteer, clock, call_from="800", call_to="899")
    for call_number in ("813.6-조47ㄴ", "833.6-무292ㅍ"):
        scan(stocktake, shelf[call_number].barcode, volunteer, clock)
    # Lent out during the stocktake: not on the shelf, but not missing either.
    check_out(shelf["843-롤24해"], member, by=volunteer, now=clock())
    db.session.commit()
    sessions.close_stocktake(stocktake, by=coordinator, now=clock())
    db.session.commit()
    missing = {c.call_number for c in sessions.missing_copies(stocktake)}
    assert missing == {"813.7-김95ㅂ", "813.7-손66아"}
    assert stocktake.missing == 2
    # Out of scope (911, the 유 shelf) and never scanned: not missing.
    assert "911-한15ㅎ" not in missing


def test_missing_then_lost_after_a_second_stocktake(shelf, volunteer, coordinator, clock):
    copy = shelf["813.7-김95ㅂ"]
    first = start(volunteer, clock, call_from="813.7", call_to="813.7")
    with pytest.raises(StocktakeOpen):
        sessions.mark_missing(first, [copy.id], by=coordinator, now=clock())
    sessions.close_stocktake(first, by=coordinator, now=clock())
    db.session.commit()
    with pytest.raises(NotMissing):
        sessions.mark_missing(first, [shelf["911-한15ㅎ"].id], by=coordinator, now=clock())
    done = sessions.mark_missing(first, [c.id for c in sessions.missing_copies(first)],
                                 by=coordinator, now=clock())
    db.session.commit()
    assert done == {"missing": 2, "lost": 0}
    assert copy.status is CopyStatus.MISSING
    second = start(volunteer, clock, call_from="813.7", call_to="813.7")
    assert copy.barcode in expected_barcodes(second)  # missing copies are looked for again
    scan(second, shelf["813.7-손66아"].barcode, volunteer, clock)
    sessions.close_stocktake(second, by=coordinator, now=clock.advance(days=1))
    db.session.commit()
    done = sessions.mark_missing(second, [copy.id], by=coordinator, now=clock())
    db.session.commit()
    assert done == {"missing": 0, "lost": 1}
    assert copy.status is CopyStatus.LOST
    assert shelf["813.7-손66아"].status is CopyStatus.AVAILABLE


def test_a_missing_copy_checked_in_at_the_desk_comes_back(shelf, volunteer, clock, rules):
    copy = shelf["813.7-김95ㅂ"]
    copy.status = CopyStatus.MISSING
    db.session.commit()
    result = return_copy(copy, by=volunteer, now=clock())
    db.session.commit()
    assert result.found and copy.status is CopyStatus.AVAILABLE
