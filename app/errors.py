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


class UnknownCampaign(NotFound):
    code = "unknown_campaign"
    default_message = _l("There is no such campaign.")


class CampaignClosed(Conflict):
    code = "campaign_closed"
    default_message = _l("This campaign is closed.")


class DonationAlreadyInCampaign(Conflict):
    code = "already_in_campaign"
    default_message = _l("The donation is already in this campaign.")


class UnknownDonation(NotFound):
    code = "unknown_donation"
    default_message = _l("There is no such donation.")
