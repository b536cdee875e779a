"""API endpoints for stocktakes: start one, scan into it, read its counts, close it."""

from flask_login import current_user
from pydantic import BaseModel, Field

from app import models
from app.api import bp
from app.api.spec import DateTime, operation
from app.callnumbers import placed_call_number
from app.core.access import access
from app.core.validation import MAX_ID, Code, Text
from app.extensions import db
from app.models import CopyStatus, Role, ScanResult, utcnow
from app.stocktake import report, scanning, sessions


class ScopeRequest(BaseModel):
    """Which shelves: a site, a 별치기호 shelf, a call-number range; none of them is all."""

    site: int | None = Field(None, ge=1, le=MAX_ID, description="A site's id.")
    shelf: Text(64, required=False) | None = Field(None, description="A 별치기호 (shelf mark).")
    call_from: Text(64, required=False) | None = Field(None, description="First call number.")
    call_to: Text(64, required=False) | None = Field(None, description="Last call number.")


class StartRequest(BaseModel):
    """The scope of the new stocktake."""

    scope: ScopeRequest = Field(default_factory=ScopeRequest)


class Started(BaseModel):
    """The new stocktake and how many copies it expects on its shelves."""

    id: int
    expected: int = Field(ge=0)


class ScanRequest(BaseModel):
    """One scanned barcode."""

    barcode: Code(100)


class StocktakeCopy(BaseModel):
    """A copy as a stocktake sees it: where it belongs and what it is."""

    id: int
    barcode: str
    title: str
    place: str | None = Field(description="별치기호 and call number: where it belongs.")
    status: CopyStatus

    @classmethod
    def of(cls, copy: models.Copy) -> "StocktakeCopy":
        """Return the API's view of a copy."""
        return cls(id=copy.id, barcode=copy.barcode, title=copy.book.title,
                   place=placed_call_number(copy.shelf, copy.call_number), status=copy.status)


class ScanAnswer(BaseModel):
    """What the scan found and did, in a word and in sentences."""

    result: ScanResult = Field(description="found, found_on_loan (the loan is closed), "
                                            "not_in_scope, out_of_order, withdrawn, unknown "
                                            "or already_scanned.")
    copy_: StocktakeCopy | None = Field(alias="copy", serialization_alias="copy")
    message: str
    counts: dict[str, int] = Field(description="The stocktake's counts by result so far.")


class Counts(BaseModel):
    """A stocktake's counts so far."""

    id: int
    expected: int
    seen: int = Field(description="Expected copies scanned so far.")
    counts: dict[str, int] = Field(description="Scans by result.")
    started_at: DateTime
    closed_at: DateTime | None
    missing: int | None = Field(description="Once closed: the copies never found.")


class Closed(BaseModel):
    """The closed stocktake's missing list (in shelf order) and its counts."""

    missing: list[StocktakeCopy]
    counts: dict[str, int]


@bp.route("/stocktakes", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("startStocktake", tag="stocktake", body=StartRequest, responses={
    201: (Started, "The stocktake, its expected list frozen."),
    400: "invalid_scope: no such site, or a call-number range that is empty.",
})
def start_stocktake(body: StartRequest):
    """Start a stocktake of a scope; the copies expected on its shelves are fixed now."""
    scope = sessions.make_scope(site_id=body.scope.site, shelf=body.scope.shelf,
                                call_from=body.scope.call_from, call_to=body.scope.call_to)
    stocktake = sessions.start_stocktake(scope, by=current_user, now=utcnow())
    answer = Started(id=stocktake.id, expected=stocktake.expected)
    db.session.commit()
    return answer, 201


@bp.route("/stocktakes/<int(max=2147483647):stocktake_id>/scans", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("scanIntoStocktake", tag="stocktake", body=ScanRequest, responses={
    200: (ScanAnswer, "The scan's result (a repeated scan answers already_scanned)."),
    404: "unknown_stocktake.",
    409: "stocktake_closed.",
})
def scan_into_stocktake(stocktake_id: int, body: ScanRequest):
    """Take one scan: found, found on loan (returned as the desk does), out of place, ..."""
    stocktake = sessions.get_stocktake(stocktake_id)
    done = scanning.scan(stocktake, body.barcode, by=current_user, now=utcnow(),
                         lane=f"api-{current_user.id}")
    answer = ScanAnswer(result=done.result, message=done.message, counts=done.counts,
                        copy=StocktakeCopy.of(done.copy) if done.copy is not None else None)
    db.session.commit()
    return answer


@bp.route("/stocktakes/<int(max=2147483647):stocktake_id>")
@access(Role.VOLUNTEER)
@operation("getStocktake", tag="stocktake", responses={
    200: (Counts, "The counts so far."), 404: "unknown_stocktake."})
def get_stocktake(stocktake_id: int):
    """Read a stocktake's counts so far."""
    stocktake = sessions.get_stocktake(stocktake_id)
    return Counts(id=stocktake.id, expected=stocktake.expected, seen=stocktake.seen,
                  counts=stocktake.counts, started_at=stocktake.started_at,
                  closed_at=stocktake.closed_at, missing=stocktake.missing)


@bp.route("/stocktakes/<int(max=2147483647):stocktake_id>/close", methods=["POST"])
@access(Role.COORDINATOR)
@operation("closeStocktake", tag="stocktake", responses={
    200: (Closed, "The missing list, fixed now."),
    404: "unknown_stocktake.",
    409: "stocktake_closed.",
})
def close_stocktake(stocktake_id: int):
    """Close a stocktake: expected copies never scanned (and not on loan) are missing."""
    stocktake = sessions.get_stocktake(stocktake_id)
    sessions.close_stocktake(stocktake, by=current_user, now=utcnow())
    missing = [StocktakeCopy.of(shown.copy) for group in report.stocktake_report(stocktake).groups
               for shown in group.copies]
    answer = Closed(missing=missing, counts=stocktake.counts)
    db.session.commit()
    return answer
