"""Label sheet templates and the label print queue."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column, utcnow


class LabelKind(enum.StrEnum):
    """What a sheet template prints: copy labels or member cards."""

    COPY = "copy"
    CARD = "card"


class LabelTemplate(db.Model):
    """A label sheet: page, grid, label size, margins, gaps and the printer's offset (mm)."""

    __tablename__ = "label_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[LabelKind] = mapped_column(enum_column(LabelKind), default=LabelKind.COPY)
    page_width_mm: Mapped[float]
    page_height_mm: Mapped[float]
    rows: Mapped[int]
    columns: Mapped[int]
    label_width_mm: Mapped[float]
    label_height_mm: Mapped[float]
    margin_top_mm: Mapped[float] = mapped_column(default=0)
    margin_left_mm: Mapped[float] = mapped_column(default=0)
    gap_x_mm: Mapped[float] = mapped_column(default=0)
    gap_y_mm: Mapped[float] = mapped_column(default=0)
    offset_x_mm: Mapped[float] = mapped_column(default=0)
    offset_y_mm: Mapped[float] = mapped_column(default=0)
    is_default: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("rows >= 1 AND columns >= 1", name="grid_positive"),
        sa.CheckConstraint(
            "label_width_mm > 0 AND label_height_mm > 0", name="label_size_positive"
        ),
    )


class LabelQueueItem(db.Model):
    """A copy waiting for its label to be printed."""

    __tablename__ = "label_queue_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(
        sa.ForeignKey("copy.id", ondelete="CASCADE"), unique=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )

    copy: Mapped["Copy"] = relationship()  # noqa: F821
