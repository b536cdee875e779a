"""API endpoints for circulation: checkouts, checkins, renewals, holds, my loans."""

from datetime import date

from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from app import models
from app.api import bp
from app.api.spec import DateTime, operation
from app.circulation import services
from app.core.access import access
from app.core.validation import MAX_ID, Code
from app.extensions import db
from app.models import CopyStatus, HoldStatus, Role, utcnow


class Loan(BaseModel):
    """A loan (member_card is null once the link to the member is dropped)."""

    id: int
    copy_barcode: str
    book_id: int
    title: str
    member_card: str | None
    checked_out_at: DateTime
    due_on: date
    renewals: int
    returned_at: DateTime | None
    overdue: bool
    days_overdue: int

    @classmethod
    def of(cls, loan: models.Loan, *, today: date | None = None) -> "Loan":
        """Return the API's view of a loan."""
        today = today or services.local_date(utcnow())
        return cls(
            id=loan.id, copy_barcode=loan.copy.barcode, book_id=loan.copy.book_id,
            title=loan.copy.book.title,
            member_card=loan.member.card_barcode if loan.member is not None else None,
            checked_out_at=loan.checked_out_at, due_on=loan.due_on, renewals=loan.renewals,
            returned_at=loan.returned_at, overdue=loan.is_overdue(today),
            days_overdue=loan.days_overdue(today),
        )


class Hold(BaseModel):
    """A hold on a book (desk staff also see the holder's masked name)."""

    id: int
    book_id: int
    title: str
    status: HoldStatus
    placed_at: DateTime
    queue_position: int | None = Field(description="Place in the book's queue (1 = next) "
                                                   "while waiting.")
    copy_barcode: str | None = Field(description="The copy set aside, while ready.")
    pickup_by: date | None
    holder: str | None = Field(None, description="At the desk only: the holder's first "
                                                 "letter and OO.")

    @classmethod
    def of(cls, hold: models.Hold, *, for_staff: bool = False) -> "Hold":
        """Return the API's view of a hold."""
        fields = dict(
            id=hold.id, book_id=hold.book_id, title=hold.book.title, status=hold.status,
            placed_at=hold.placed_at, queue_position=services.queue_position(hold),
            copy_barcode=(hold.copy.barcode if hold.copy is not None and hold.is_active
                          else None),
            pickup_by=hold.pickup_by,
        )
        if for_staff:
            fields["holder"] = services.mask_name(hold.member.name if hold.member else None)
        return cls(**fields)


class CheckoutRequest(BaseModel):
    """Who borrows which copy."""

    member_card: Code(32)
    copy_barcode: Code(32)


class Checkout(BaseModel):
    """The loan, and the member's hold it fills (only when it filled one)."""

    loan: Loan
    hold: Hold | None = None


class CheckinRequest(BaseModel):
    """The copy handed back."""

    copy_barcode: Code(32)


class CopyState(BaseModel):
    """A copy's barcode and where it is now."""

    barcode: str
    status: CopyStatus


class Checkin(BaseModel):
    """The closed loan, and the hold the copy now goes to, if any."""

    model_config = ConfigDict(validate_by_name=True)

    loan: Loan | None
    hold: Hold | None
    copy_: CopyState = Field(alias="copy")  # (BaseModel has a copy method)
    repeated: bool = Field(description="A double scan: the copy came back moments ago.")
    found: bool = Field(description="The copy was lost and is found again.")


class LoanAnswer(BaseModel):
    """A loan."""

    loan: Loan


class HoldRequest(BaseModel):
    """The book to hold."""

    book_id: int = Field(ge=1, le=MAX_ID)


class HoldAnswer(BaseModel):
    """A hold."""

    hold: Hold


class LoanList(BaseModel):
    """Loans, soonest due first."""

    items: list[Loan]


class HoldList(BaseModel):
    """Holds."""

    items: list[Hold]


@bp.route("/checkouts", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("checkOut", tag="circulation", body=CheckoutRequest, responses={
    201: (Checkout, "The new loan."),
    200: (Checkout, "A double scan: the same open loan."),
    404: "unknown_copy or unknown_member.",
    409: "copy_not_available, loan_limit_reached, member_blocked or held_for_other.",
})
def create_checkout(body: CheckoutRequest):
    """Lend a copy to a member; a repeated request answers 200 with the same loan."""
    member = services.member_by_card(body.member_card)
    copy = services.copy_by_barcode(body.copy_barcode)
    done = services.check_out(copy, member, by=current_user, now=utcnow())
    # Answered from the objects in hand: after the commit they would be read again.
    answer = Checkout(loan=Loan.of(done.loan), **(
        {"hold": Hold.of(done.hold)} if done.hold is not None else {}))
    db.session.commit()
    return answer, 201 if done.created else 200


@bp.route("/checkins", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("checkIn", tag="circulation", body=CheckinRequest, responses={
    200: (Checkin, "The closed loan and the hold it now fills, if any."),
    404: "unknown_copy.",
    409: "not_on_loan.",
})
def create_checkin(body: CheckinRequest):
    """Check a copy in; says whether it goes to the hold shelf, and for whom."""
    copy = services.copy_by_barcode(body.copy_barcode)
    done = services.return_copy(copy, by=current_user, now=utcnow())
    answer = Checkin(
        loan=Loan.of(done.loan) if done.loan is not None else None,
        hold=Hold.of(done.hold, for_staff=True) if done.hold is not None else None,
        copy_=CopyState(barcode=copy.barcode, status=copy.status),
        repeated=done.repeated, found=done.found,
    )
    db.session.commit()
    return answer


@bp.route("/loans/<int(max=2147483647):loan_id>/renew", methods=["POST"])
@access(Role.MEMBER)
@operation("renewLoan", tag="circulation", description="The borrower, or desk staff.",
           responses={200: (LoanAnswer, "The renewed loan."), 404: "No such loan.",
                      409: "renewal_limit_reached or book_on_hold."})
def renew_loan(loan_id: int):
    """Renew a loan (the borrower, or desk staff)."""
    loan = services.loan_for(loan_id, current_user)
    services.renew(loan, by=current_user, now=utcnow())
    db.session.commit()
    return LoanAnswer(loan=Loan.of(loan))


@bp.route("/holds", methods=["POST"])
@access(Role.MEMBER)
@operation("placeHold", tag="circulation", body=HoldRequest, responses={
    201: (HoldAnswer, "The new hold."),
    404: "No such book (unknown_book).",
    409: "The hold is refused (e.g. hold_exists, book_available, hold_limit_reached).",
})
def create_hold(body: HoldRequest):
    """Place a hold on a book for the current member."""
    book = services.get_book(body.book_id)
    hold = services.place_hold(book, current_user, now=utcnow())
    db.session.commit()
    return HoldAnswer(hold=Hold.of(hold)), 201


@bp.route("/holds/<int(max=2147483647):hold_id>", methods=["DELETE"])
@access(Role.MEMBER)
@operation("cancelHold", tag="circulation", description="The holder, or desk staff.",
           responses={204: "Cancelled.", 404: "No such hold.",
                      409: "The hold can no longer be cancelled."})
def delete_hold(hold_id: int):
    """Cancel a hold (the holder, or desk staff)."""
    hold = services.hold_for(hold_id, current_user)
    services.cancel_hold(hold, by=current_user, now=utcnow())
    db.session.commit()
    return "", 204


@bp.route("/me/loans", methods=["GET"])
@access(Role.MEMBER)
@operation("getMyLoans", tag="circulation", responses={200: (LoanList, "The loans.")})
def my_loans():
    """My current loans, soonest due first."""
    today = services.local_date(utcnow())
    return LoanList(items=[Loan.of(loan, today=today)
                           for loan in services.open_loans(current_user)])


@bp.route("/me/holds", methods=["GET"])
@access(Role.MEMBER)
@operation("getMyHolds", tag="circulation", responses={200: (HoldList, "The holds.")})
def my_holds():
    """My waiting and ready holds."""
    return HoldList(items=[Hold.of(hold) for hold in services.active_holds(current_user)])
