"""Stocktakes (scanning the shelves against a frozen list) and withdrawals (제적) from the
collection, with what became of each withdrawn copy (폐기, or passed on)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column, utcnow


class ScanResult(enum.StrEnum):
    """What one stocktake scan found (the words the scan page, the API and the report use)."""

    FOUND = "found"
    FOUND_ON_LOAN = "found_on_loan"
    NOT_IN_SCOPE = "not_in_scope"
    OUT_OF_ORDER = "out_of_order"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"
    ALREADY_SCANNED = "already_scanned"


class Stocktake(db.Model):
    """One stocktake session: its scope, the expected list frozen at the start, its counts.

    The counts are kept as the scans come (one UPDATE in each scan's transaction), so the
    scan page shows them without counting a 100k-copy session again on every scan.
    """

    __tablename__ = "stocktake"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The scope: any of these, together; none is the whole collection.
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"))
    shelf: Mapped[str | None] = mapped_column(sa.String(64))
    call_from: Mapped[str | None] = mapped_column(sa.String(64))
    call_to: Mapped[str | None] = mapped_column(sa.String(64))
    # Volunteers walk the shelf in call-number order: a copy that sorts before the one
    # scanned just before it is out of order.
    in_order: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))
    expected: Mapped[int] = mapped_column(default=0)
    # Expected copies scanned so far (whatever the scan said of them).
    seen: Mapped[int] = mapped_column(default=0)
    # Scans per result word.
    n_found: Mapped[int] = mapped_column(default=0)
    n_found_on_loan: Mapped[int] = mapped_column(default=0)
    n_not_in_scope: Mapped[int] = mapped_column(default=0)
    n_out_of_order: Mapped[int] = mapped_column(default=0)
    n_withdrawn: Mapped[int] = mapped_column(default=0)
    n_unknown: Mapped[int] = mapped_column(default=0)
    n_already_scanned: Mapped[int] = mapped_column(default=0)
    # Set when closed: expected copies never scanned (and not lent out meanwhile).
    missing: Mapped[int | None]

    site: Mapped["Site | None"] = relationship()  # noqa: F821
    started_by: Mapped["Member | None"] = relationship(foreign_keys=[started_by_id])  # noqa: F821
    closed_by: Mapped["Member | None"] = relationship(foreign_keys=[closed_by_id])  # noqa: F821

    @property
    def is_open(self) -> bool:
        """Tell whether scans are still taken."""
        return self.closed_at is None

    def count(self, result: ScanResult) -> int:
        """Return the number of scans that gave `result`."""
        return getattr(self, f"n_{result.value}") or 0

    @property
    def counts(self) -> dict[str, int]:
        """Return the scans per result word."""
        return {result.value: self.count(result) for result in ScanResult}

    @property
    def totals(self) -> dict[str, int]:
        """Return the expected and seen copies with the scans per result word."""
        return {"expected": self.expected or 0, "seen": self.seen or 0, **self.counts}


class StocktakeCopy(db.Model):
    """A copy of a stocktake: expected (frozen at the start), or seen though not expected.

    Its primary key is what makes a scan count once: the first scan of a copy claims its
    row (an UPDATE of an unseen expected row, or an INSERT), a later or simultaneous one
    finds it taken and is `already_scanned`.
    """

    __tablename__ = "stocktake_copy"

    stocktake_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stocktake.id", ondelete="CASCADE"), primary_key=True)
    # A copy deleted (an intake undone) leaves the sessions it was in.
    copy_id: Mapped[int] = mapped_column(
        sa.ForeignKey("copy.id", ondelete="CASCADE"), primary_key=True, index=True)
    expected: Mapped[bool] = mapped_column(default=True)
    result: Mapped[ScanResult | None] = mapped_column(enum_column(ScanResult))
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))
    # Set when the session closes: expected, never scanned, not lent out meanwhile.
    missing: Mapped[bool] = mapped_column(default=False)

    copy: Mapped["Copy"] = relationship()  # noqa: F821

    __table_args__ = (
        # The missing list of a closed session, from the index.
        sa.Index("ix_stocktake_copy_missing", "stocktake_id", "missing"),
    )


class StocktakeScan(db.Model):
    """One scan, as it came: the log of a session, and each volunteer's previous copy."""

    __tablename__ = "stocktake_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stocktake.id", ondelete="CASCADE"))
    copy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("copy.id", ondelete="SET NULL"))
    barcode: Mapped[str] = mapped_column(sa.String(100))
    result: Mapped[ScanResult] = mapped_column(enum_column(ScanResult))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scanned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))
    # The scanning device (a page's own random id; "" when none was sent): one account on
    # the café PC and a phone reads two shelves, each in its own order.
    lane: Mapped[str] = mapped_column(sa.String(32), default="")

    copy: Mapped["Copy | None"] = relationship()  # noqa: F821

    __table_args__ = (
        # A volunteer's last scans on a device in a session (the previous copy on the shelf).
        sa.Index("ix_stocktake_scan_by", "stocktake_id", "scanned_by_id", "lane", "id"),
    )


class WithdrawalReason(enum.StrEnum):
    """Why a copy leaves the register (제적 사유)."""

    DAMAGED = "damaged"  # 훼손
    LOST = "lost"  # 분실
    OUTDATED = "outdated"  # 오래됨 (내용이 낡음)
    DUPLICATE = "duplicate"  # 복본 과다
    TRANSFERRED = "transferred"  # 기증처 이관
    OTHER = "other"


class Disposition(enum.StrEnum):
    """What became of a withdrawn copy."""

    PENDING = "pending"  # not decided yet
    DISPOSED = "disposed"  # 폐기
    PASSED_ON = "passed_on"  # to another library or institution (passed_to says where)


class Withdrawal(db.Model):
    """A copy taken off the register (제적): why, by whom, and what became of it."""

    __tablename__ = "withdrawal"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(sa.ForeignKey("copy.id", ondelete="CASCADE"),
                                         index=True)
    reason: Mapped[WithdrawalReason] = mapped_column(enum_column(WithdrawalReason))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))
    disposition: Mapped[Disposition] = mapped_column(enum_column(Disposition),
                                                     default=Disposition.PENDING)
    passed_to: Mapped[str | None] = mapped_column(sa.String(200))
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the copy comes back into the collection (the withdrawal no longer counts).
    reinstated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reinstated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"))

    copy: Mapped["Copy"] = relationship()  # noqa: F821
    withdrawn_by: Mapped["Member | None"] = relationship(  # noqa: F821
        foreign_keys=[withdrawn_by_id])

    __table_args__ = (
        # One standing withdrawal per copy.
        sa.Index("uq_withdrawal_active_copy", "copy_id", unique=True,
                 sqlite_where=sa.text("reinstated_at IS NULL"),
                 postgresql_where=sa.text("reinstated_at IS NULL")),
        sa.CheckConstraint("disposition <> 'passed_on' OR passed_to IS NOT NULL",
                           name="passed_on_says_where"),
    )

    @property
    def is_active(self) -> bool:
        """Tell whether the copy is still withdrawn under this record."""
        return self.reinstated_at is None
