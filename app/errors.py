"""Domain errors: what a service refuses, with a message a person can read.

The HTML routes turn a DomainError into a flashed message or a form error; the API
turns it into `{"error": {"code", "message"}}` with `status`. One mapping, here.
"""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A use case refused for a reason the user can act on."""

    code = "domain_error"
    status = 409
    default_message = _l("This cannot be done.")

    def __init__(self, message=None, **params):
        self.message = message if message is not None else self.default_message
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def as_json(self) -> dict:
        """Return the API's error body."""
        return {"error": {"code": self.code, "message": str(self)}}


class InvalidInput(DomainError):
    """The request itself is wrong (bad field, bad format)."""

    code = "invalid_input"
    status = 400
    default_message = _l("Some of the information given is not valid.")


class NotFound(DomainError):
    """The thing asked for does not exist."""

    code = "not_found"
    status = 404
    default_message = _l("Not found.")


class Forbidden(DomainError):
    """The actor may not do this to this object."""

    code = "forbidden"
    status = 403
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    """The request clashes with the current state."""

    code = "conflict"
    status = 409


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = _l("An account with this email address already exists.")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _l("The email address or password is not correct.")


class AccountInactive(DomainError):
    code = "account_inactive"
    status = 403
    default_message = _l("This account has been deactivated. Please ask a coordinator.")


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    default_message = _l(
        "Too many failed logins. Please wait %(minutes)d minutes and try again."
    )


class UnknownMember(NotFound):
    code = "unknown_member"
    default_message = _l("No member has this card.")


class UnknownCopy(NotFound):
    code = "unknown_copy"
    default_message = _l("No copy has this barcode.")


class InvalidISBN(InvalidInput):
    code = "invalid_isbn"
    default_message = _l("This is not a valid ISBN.")


class LastCoordinator(Conflict):
    code = "last_coordinator"
    default_message = _l("The last active coordinator cannot be removed or demoted.")


# Circulation (the lending desk, renewals, holds); codes are the API's (see API.md).


class UnknownBook(NotFound):
    code = "unknown_book"
    default_message = _l("No book has this number.")


class UnknownLoan(NotFound):
    code = "unknown_loan"
    default_message = _l("No such loan.")


class UnknownHold(NotFound):
    code = "unknown_hold"
    default_message = _l("No such hold.")


class CopyNotAvailable(Conflict):
    code = "copy_not_available"
    default_message = _l("This copy cannot be lent right now.")


class LoanLimitReached(Conflict):
    code = "loan_limit_reached"
    default_message = _l("%(name)s already has %(count)d books on loan, the most allowed.")


class MemberBlocked(Conflict):
    code = "member_blocked"
    default_message = _l("%(name)s cannot borrow now.")


class HeldForOther(Conflict):
    code = "held_for_other"
    default_message = _l("This copy is on the hold shelf for another member (%(holder)s).")


class NotOnLoan(Conflict):
    code = "not_on_loan"
    default_message = _l("This copy is not on loan.")


class RenewalLimitReached(Conflict):
    code = "renewal_limit_reached"
    default_message = _l("This loan has been renewed %(count)d times, the most allowed.")


class BookOnHold(Conflict):
    code = "book_on_hold"
    default_message = _l("Another member is waiting for this book, so it cannot be renewed.")


class LoanOverdue(Conflict):
    code = "loan_overdue"
    default_message = _l(
        "This loan is %(days)d days overdue and can no longer be renewed. Please bring "
        "the book back."
    )


class LoanClosed(Conflict):
    code = "loan_closed"
    default_message = _l("This book has already been returned.")


class HoldExists(Conflict):
    code = "hold_exists"
    default_message = _l("You already have a hold on this book.")


class HoldLimitReached(Conflict):
    code = "hold_limit_reached"
    default_message = _l("You already have %(count)d holds, the most allowed.")


class BookAvailable(Conflict):
    code = "book_available"
    default_message = _l("A copy of this book is on the shelf now: borrow it at the desk.")


class AlreadyBorrowed(Conflict):
    code = "already_on_loan"
    default_message = _l("You already have this book on loan.")


class NoCopies(Conflict):
    code = "no_copies"
    default_message = _l("The café has no copy of this book to lend.")


class HoldNotActive(Conflict):
    code = "hold_not_active"
    default_message = _l("This hold is no longer active.")


class CopyOnLoan(Conflict):
    code = "copy_on_loan"
    default_message = _l("This copy is on loan: check it in first.")


class SelfCheckoutOff(Forbidden):
    code = "self_checkout_off"
    default_message = _l("Self-checkout is not turned on. Please borrow at the desk.")
