"""Administration use cases: finding members, loan rules."""

from datetime import datetime

import sqlalchemy as sa

from app.core import audit
from app.core.text import escape_like
from app.models import LoanRules, Member


def member_search_query(q: str | None) -> sa.Select:
    """Return a query for members matching a name, email, phone or card fragment."""
    query = sa.select(Member).where(Member.anonymised_at.is_(None))
    if q:
        q = q.strip()
        like = "%" + escape_like(q) + "%"
        query = query.where(
            sa.or_(
                Member.name.ilike(like, escape="\\"),
                Member.email.ilike(like, escape="\\"),
                Member.phone.ilike(like, escape="\\"),
                Member.card_barcode == q,
            )
        )
    return query.order_by(Member.name, Member.id)


RULE_FIELDS = (
    "loan_days", "max_renewals", "renewal_days", "max_loans", "max_holds",
    "hold_shelf_days", "renew_overdue_days", "overdue_blocks", "self_checkout",
)


def update_loan_rules(rules: LoanRules, values: dict, *, by: Member, now: datetime) -> None:
    """Change loan rules (they apply to loans made from now on) and record the change."""
    changes = {}
    for field in RULE_FIELDS:
        new = values[field]
        if getattr(rules, field) != new:
            changes[field] = [getattr(rules, field), new]
            setattr(rules, field, new)
    if changes:
        rules.updated_by_id = by.id
        rules.updated_at = now
        audit.record("loan_rules.update", actor=by, entity="loan_rules", entity_id=rules.id,
                     now=now, changes=changes)
