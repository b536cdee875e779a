"""The domain model, one module per area."""

from app.models.accounts import ApiToken, LoginAttempt, Member, Role
from app.models.audit import AuditEvent, Setting
from app.models.base import MAX_ID, utcnow
from app.models.catalog import (
    BarcodeCounter,
    Book,
    Copy,
    CopyStatus,
    MetadataCache,
    SearchGram,
)
from app.models.circulation import Hold, HoldStatus, Loan, LoanRules
from app.models.donations import (
    Campaign,
    CampaignBook,
    Donation,
    DonationItem,
    ItemOutcome,
    Partner,
)
from app.models.idempotency import IdempotencyKey
from app.models.labels import LabelKind, LabelQueueItem, LabelTemplate
from app.models.notices import Notice, NoticePreference
from app.models.sites import Site
from app.models.stocktake import (
    Disposition,
    ScanResult,
    Stocktake,
    StocktakeCopy,
    StocktakeScan,
    Withdrawal,
    WithdrawalReason,
)
from app.models.volunteers import ShiftActivity, VolunteerShift

__all__ = [
    "MAX_ID",
    "ApiToken",
    "AuditEvent",
    "BarcodeCounter",
    "Book",
    "Campaign",
    "CampaignBook",
    "Copy",
    "CopyStatus",
    "Disposition",
    "Donation",
    "DonationItem",
    "Hold",
    "ItemOutcome",
    "HoldStatus",
    "IdempotencyKey",
    "LabelKind",
    "LabelQueueItem",
    "LabelTemplate",
    "Loan",
    "LoanRules",
    "LoginAttempt",
    "Member",
    "Notice",
    "NoticePreference",
    "MetadataCache",
    "Partner",
    "Role",
    "ScanResult",
    "SearchGram",
    "ShiftActivity",
    "Setting",
    "Site",
    "Stocktake",
    "StocktakeCopy",
    "StocktakeScan",
    "VolunteerShift",
    "Withdrawal",
    "WithdrawalReason",
    "utcnow",
]
