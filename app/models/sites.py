"""Sites: the places that hold copies (one today; the city plans more)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Site(db.Model):
    """A place with its own shelves, desk and loan rules."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    is_default: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        # At most one default site.
        sa.Index(
            "uq_site_default",
            "is_default",
            unique=True,
            sqlite_where=sa.text("is_default = 1"),
            postgresql_where=sa.text("is_default"),
        ),
    )
