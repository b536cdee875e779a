"""Domain errors: what a service refuses, with a message a person can read.

A route lets a DomainError through: app/main/errors.py, the one mapping, turns it into a
flashed message back on the form's page, or `{"error": {"code", "message"}}` with `status`
for the API. A page that shows a refusal itself (the desk, a form shown again) runs the
use case in `app.core.refusals.shown_inline`.
"""

from flask_babel import lazy_gettext as _l

from app.core.i18n import interpolate


class DomainError(Exception):
    """A use case refused for a reason the user can act on."""

    code = "domain_error"
    status = 409
    default_message = _l("This cannot be done.")

    def __init__(self, message=None, **params):
        self.message = message if message is not None else self.default_message
        self.params = params
        super().__init__(self.message)

    def __str__(self) -> str:
        return interpolate(self.message, self.params)

    def as_json(self) -> dict:
        """Return the API's error body."""
        return {"error": {"code": self.code, "message": str(self)}}


class InvalidInput(DomainError):
    """The request itself is wrong (bad field, bad format)."""

    code = "invalid_input"
    status = 400
    default_message = _l("Some of the information given is not valid.")


class FormExpired(InvalidInput):
    """A form of buttons only came back invalid: its page was too old (or was tampered with)."""

    code = "form_expired"
    default_message = _l("The form has expired; please try again.")


class InvalidJSON(InvalidInput):
    """A request body that is not a JSON object we will read (malformed, too large, too deep)."""

    code = "invalid_json"
    default_message = _l("The request body is not a valid JSON object.")


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


class IdempotencyKeyReused(DomainError):
    """An idempotency key sent again with another request than the one it was first used for."""

    code = "idempotency_key_reused"
    status = 422
    default_message = _l("This idempotency key was already used for another request.")


class IdempotencyKeyInProgress(Conflict):
    """A request sent again while the first one with its key is still being answered."""

    code = "idempotency_key_in_progress"
    default_message = _l("The first request with this idempotency key is still being answered. "
                         "Please try again in a moment.")


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


class UnknownBarcodes(DomainError):
    """Barcodes in a print request that are not valid or belong to no copy (none is printed)."""

    code = "unknown_barcodes"
    status = 422
    default_message = _l("These barcodes are not valid or belong to no copy: %(codes)s")

    def __init__(self, unknown: list[str], invalid: list[str]):
        self.unknown = list(unknown)
        self.invalid = list(invalid)
        super().__init__(codes=", ".join(self.invalid + self.unknown))

    def as_json(self) -> dict:
        """Return the API's error body, listing the codes."""
        body = super().as_json()
        body["error"].update(unknown=self.unknown, invalid=self.invalid)
        return body


class UnknownTemplate(NotFound):
    code = "unknown_template"
    default_message = _l("There is no such label template.")


class InvalidTemplate(InvalidInput):
    """A sheet template whose measurements cannot be printed."""

    code = "invalid_template"
    status = 422
    default_message = _l("This label template cannot be used.")

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems) or None)


class TemplateNameTaken(Conflict):
    code = "template_name_taken"
    default_message = _l("A label template with this name already exists.")


class CannotPrintLabels(InvalidInput):
    """A batch that cannot be printed on the chosen sheet (start position, long barcode...)."""

    code = "cannot_print"
    status = 422
    default_message = _l("These labels cannot be printed.")


class NothingToPrint(InvalidInput):
    code = "nothing_to_print"
    status = 422
    default_message = _l("There is nothing to print.")


class BadCheckDigit(InvalidISBN):
    """A scan whose last digit does not match (same API code as any invalid ISBN)."""

    default_message = _l(
        "The last digit (check digit) does not match the others: scan again, or check the "
        "number you typed."
    )


class NotABookBarcode(InvalidISBN):
    """A valid barcode that is not a book ISBN (periodical, product, one of ours...)."""

    default_message = _l("This barcode is not a book ISBN.")


class MetadataRequired(DomainError):
    code = "metadata_required"
    status = 422
    default_message = _l(
        "No source knows this ISBN. Type the title (and what else you can see), or save it "
        "with the ISBN only and complete it later."
    )


class IsbnTaken(Conflict):
    code = "isbn_taken"
    default_message = _l("Another book in the catalogue already has this ISBN.")


class NothingToUndo(Conflict):
    code = "nothing_to_undo"
    default_message = _l("There is no scan to undo.")


class CannotUndo(Conflict):
    code = "cannot_undo"
    default_message = _l("This copy has already been lent or changed; it cannot be undone.")


class NoBookYet(Conflict):
    code = "no_book_yet"
    default_message = _l("Scan a book first.")


class UnknownCampaign(NotFound):
    code = "unknown_campaign"
    default_message = _l("There is no such campaign.")


class CampaignClosed(Conflict):
    code = "campaign_closed"
    default_message = _l("This campaign is closed. Choose another one.")


    default_message = _l("This campaign is closed.")


class DonationAlreadyInCampaign(Conflict):
    code = "already_in_campaign"
    default_message = _l("The donation is already in this campaign.")


class UnknownDonation(NotFound):
    code = "unknown_donation"
    default_message = _l("There is no such donation.")


class DonorInactive(Conflict):
    code = "donor_inactive"
    default_message = _l("This member's account is deactivated.")


class WrongFileType(InvalidInput):
    """The file's content is not one the import reads, whatever its name says."""

    code = "unsupported_file_type"
    status = 415
    default_message = _l(
        "This file is not a CSV, Excel .xlsx or MARC file (whatever its name says). Upload a "
        "CSV file (UTF-8 or CP949/EUC-KR), an Excel .xlsx workbook, or MARC records (.mrc, "
        ".dat or MARCXML)."
    )


class UnreadableFile(InvalidInput):
    code = "unreadable_file"
    default_message = _l(
        "This file could not be read. Upload a CSV file (UTF-8 or CP949/EUC-KR), an Excel "
        ".xlsx workbook, or MARC records (.mrc, .dat or MARCXML)."
    )


class FileTooLarge(InvalidInput):
    """An import file past what one request reads: rows, or a workbook's unpacked size."""

    code = "file_too_large"
    status = 413
    default_message = _l("This file is too large to import. Split it into smaller files.")


class ImportExpired(NotFound):
    code = "import_expired"
    default_message = _l("This upload is no longer available. Please upload the file again.")


class MappingInvalid(InvalidInput):
    code = "mapping_invalid"
    default_message = _l("Choose which column holds the title.")


class CatalogueChanged(Conflict):
    """Someone added one of the import's ISBNs or barcodes while it ran."""

    code = "catalogue_changed"
    default_message = _l("The catalogue changed while importing; nothing was imported. "
                         "Please look at the preview again.")


class NotABackup(InvalidInput):
    code = "not_a_backup"
    default_message = _l("This file is not a backup of this app.")


class BackupFailed(DomainError):
    code = "backup_failed"
    status = 500
    default_message = _l("The backup could not be made: %(reason)s")


class RestoreFailed(DomainError):
    code = "restore_failed"
    status = 500
    default_message = _l("The backup could not be restored: %(reason)s")


# Circulation (the lending desk, renewals, holds); codes are the API's (see API.md).


class UnknownBook(NotFound):
    code = "unknown_book"
    default_message = _l("No book has this number.")


class BookNotFound(NotFound):
    """No book has this id (the catalogue's and the API's books; the desk says UnknownBook)."""

    code = "book_not_found"
    default_message = _l("There is no book with this number.")


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




# Stocktake and weeding.


class UnknownStocktake(NotFound):
    code = "unknown_stocktake"
    default_message = _l("No such stocktake.")


class StocktakeClosed(Conflict):
    code = "stocktake_closed"
    default_message = _l("This stocktake is closed: it takes no more scans.")


class StocktakeOpen(Conflict):
    code = "stocktake_open"
    default_message = _l("Close the stocktake first: its missing list is not final yet.")


class InvalidScope(InvalidInput):
    code = "invalid_scope"
    default_message = _l("The call-number range is empty: its start sorts after its end.")


class NotWithdrawn(Conflict):
    code = "not_withdrawn"
    default_message = _l("This copy is not withdrawn.")


class NotMissing(Conflict):
    code = "not_missing"
    default_message = _l("This copy is not on this stocktake's missing list.")


class NothingSelected(InvalidInput):
    code = "nothing_selected"
    default_message = _l("Choose at least one copy.")


class TriageRequired(Conflict):
    """A scan held back by the copy cap or a decline rule: the volunteer records its outcome."""

    code = "triage_required"
    default_message = _l("This item is held back: record what becomes of it.")

    def __init__(self, message=None, *, reason: str, copies: int, **params):
        super().__init__(message, **params)
        self.reason = reason
        self.copies = copies

    def as_json(self) -> dict:
        """Return the API's error body, with the rule that held the item back."""
        body = super().as_json()
        body["error"].update(reason=self.reason, copies=self.copies)
        return body


class UnknownPartner(NotFound):
    code = "unknown_partner"
    default_message = _l("Choose an institution from the list to pass the item on to.")
