"""API endpoints for circulation: checkouts, checkins, renewals, holds, my loans."""

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.util import field, iso, json_body
from app.circulation import services
from app.core.access import access
from app.errors import InvalidInput
from app.extensions import db
from app.models import Hold, Loan, Role, utcnow


def loan_json(loan: Loan, *, today=None) -> dict:
    """Return the API's view of a loan (member_card is null once the link is dropped)."""
    today = today or services.local_date(utcnow())
    return {
        "id": loan.id,
        "copy_barcode": loan.copy.barcode,
        "book_id": loan.copy.book_id,
        "title": loan.copy.book.title,
        "member_card": loan.member.card_barcode if loan.member is not None else None,
        "checked_out_at": iso(loan.checked_out_at),
        "due_on": iso(loan.due_on),
        "renewals": loan.renewals,
        "returned_at": iso(loan.returned_at),
        "overdue": loan.is_overdue(today),
        "days_overdue": loan.days_overdue(today),
    }


def hold_json(hold: Hold, *, for_staff: bool = False) -> dict:
    """Return the API's view of a hold (desk staff see the holder's masked name)."""
    data = {
        "id": hold.id,
        "book_id": hold.book_id,
        "title": hold.book.title,
        "status": hold.status.value,
        "placed_at": iso(hold.placed_at),
        "queue_position": services.queue_position(hold),
        "copy_barcode": hold.copy.barcode if hold.copy is not None and hold.is_active else None,
        "pickup_by": iso(hold.pickup_by),
    }
    if for_staff:
        data["holder"] = services.mask_name(hold.member.name if hold.member else None)
    return data


# Ids in paths stop at the database's integer range (a larger one is simply not found).
@bp.route("/checkouts", methods=["POST"])
@access(Role.VOLUNTEER)
def create_checkout():
    """Lend a copy to a member; a repeated request answers 200 with the same loan."""
    data = json_body()
    card = field(data, "member_card", str, max_length=32)
    barcode = field(data, "copy_barcode", str, max_length=32)
    member = services.member_by_card(card)
    copy = services.copy_by_barcode(barcode)
    done = services.check_out(copy, member, by=current_user, now=utcnow())
    # Answered from the objects in hand: after the commit they would be read again.
    body = {"loan": loan_json(done.loan)}
    if done.hold is not None:
        body["hold"] = hold_json(done.hold)
    db.session.commit()
    return jsonify(body), 201 if done.created else 200


@bp.route("/checkins", methods=["POST"])
@access(Role.VOLUNTEER)
def create_checkin():
    """Check a copy in; says whether it goes to the hold shelf, and for whom."""
    data = json_body()
    barcode = field(data, "copy_barcode", str, max_length=32)
    copy = services.copy_by_barcode(barcode)
    done = services.return_copy(copy, by=current_user, now=utcnow())
    body = {
        "loan": loan_json(done.loan) if done.loan is not None else None,
        "hold": hold_json(done.hold, for_staff=True) if done.hold is not None else None,
        "copy": {"barcode": copy.barcode, "status": copy.status.value},
        "repeated": done.repeated,
        "found": done.found,
    }
    db.session.commit()
    return jsonify(body)


@bp.route("/loans/<int(max=2147483647):loan_id>/renew", methods=["POST"])
@access(Role.MEMBER)
def renew_loan(loan_id: int):
    """Renew a loan (the borrower, or desk staff)."""
    loan = services.loan_for(loan_id, current_user)
    services.renew(loan, by=current_user, now=utcnow())
    db.session.commit()
    return jsonify({"loan": loan_json(loan)})


@bp.route("/holds", methods=["POST"])
@access(Role.MEMBER)
def create_hold():
    """Place a hold on a book for the current member."""
    data = json_body()
    book_id = field(data, "book_id", int)
    if book_id < 1 or book_id > 2**31 - 1:
        raise InvalidInput()
    book = services.get_book(book_id)
    hold = services.place_hold(book, current_user, now=utcnow())
    db.session.commit()
    return jsonify({"hold": hold_json(hold)}), 201


@bp.route("/holds/<int(max=2147483647):hold_id>", methods=["DELETE"])
@access(Role.MEMBER)
def delete_hold(hold_id: int):
    """Cancel a hold (the holder, or desk staff)."""
    hold = services.hold_for(hold_id, current_user)
    services.cancel_hold(hold, by=current_user, now=utcnow())
    db.session.commit()
    return "", 204


@bp.route("/me/loans", methods=["GET"])
@access(Role.MEMBER)
def my_loans():
    """My current loans, soonest due first."""
    today = services.local_date(utcnow())
    return jsonify({"items": [loan_json(loan, today=today)
                              for loan in services.open_loans(current_user)]})


@bp.route("/me/holds", methods=["GET"])
@access(Role.MEMBER)
def my_holds():
    """My waiting and ready holds."""
    return jsonify({"items": [hold_json(hold) for hold in services.active_holds(current_user)]})
