"""Books (editions), copies (physical items with a barcode) and the metadata cache."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, enum_column, utcnow

AUTHOR_SEPARATOR = "; "


class Book(db.Model):
    """One edition of a book: ISBN-13 is canonical and unique when present."""

    __tablename__ = "book"

    id: Mapped[int] = mapped_column(primary_key=True)
    isbn13: Mapped[str | None] = mapped_column(sa.String(13), unique=True)
    isbn10: Mapped[str | None] = mapped_column(sa.String(10))
    # A serial's ISSN (1234-5679), kept as printed: some library exports list periodicals.
    issn: Mapped[str | None] = mapped_column(sa.String(9))
    title: Mapped[str] = mapped_column(sa.String(500))
    subtitle: Mapped[str | None] = mapped_column(sa.String(500))
    # The volume of a set (권차): "3", "상", "v.2".
    volume: Mapped[str | None] = mapped_column(sa.String(20))
    authors: Mapped[str | None] = mapped_column(sa.String(1000))
    publisher: Mapped[str | None] = mapped_column(sa.String(300))
    year: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # KDC (Korean Decimal Classification) number, and its main class digit (0-9).
    kdc: Mapped[str | None] = mapped_column(sa.String(20))
    kdc_class: Mapped[str | None] = mapped_column(sa.String(1))
    # The 5-digit Korean add-on (부가기호) and what its digits decode to.
    addon_code: Mapped[str | None] = mapped_column(sa.String(5))
    addon_reader_group: Mapped[str | None] = mapped_column(sa.String(1))
    addon_form: Mapped[str | None] = mapped_column(sa.String(1))
    addon_subject: Mapped[str | None] = mapped_column(sa.String(3))
    metadata_source: Mapped[str | None] = mapped_column(sa.String(20))
    needs_metadata: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Normalised text (NFC, case- and accent-folded) that catalogue search reads.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )

    copies: Mapped[list["Copy"]] = relationship(back_populates="book", order_by="Copy.id")

    __table_args__ = (
        sa.CheckConstraint("year IS NULL OR (year >= 0 AND year <= 2200)", name="year_range"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        # The home page's new arrivals (complete books, newest first) read it in order.
        sa.Index("ix_book_needs_metadata_created_at", "needs_metadata", "created_at"),
        # Browsing the catalogue reads it in order (on PostgreSQL in the "C" collation, as
        # the migration creates it: the page's code-point order).
        sa.Index("ix_book_search_text", "search_text"),
        sa.Index("ix_book_kdc_class_search_text", "kdc_class", "search_text"),
        # On PostgreSQL with the book's id, so that "available now" with a language reads
        # the index alone before probing each book's copies (SQLite's indexes carry it).
        sa.Index("ix_book_language_search_text", "language", "search_text",
                 postgresql_include=["id"]),
        # A language with a subject: only books that have a language, so that a subject
        # alone keeps its own index (SQLite, without statistics, takes either for it).
        sa.Index("ix_book_kdc_class_language_search_text", "kdc_class", "language",
                 "search_text", sqlite_where=sa.text("language IS NOT NULL"),
                 postgresql_where=sa.text("language IS NOT NULL")),
    )

    def __repr__(self) -> str:
        return f"<Book {self.id} {self.isbn13}>"

    @property
    def author_list(self) -> list[str]:
        """Return the authors as a list."""
        if not self.authors:
            return []
        return [a for a in self.authors.split(AUTHOR_SEPARATOR) if a]

    @author_list.setter
    def author_list(self, names: list[str]) -> None:
        self.authors = AUTHOR_SEPARATOR.join(n.strip() for n in names if n.strip()) or None


class CopyStatus(enum.StrEnum):
    """Where a physical copy is."""

    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    ON_HOLD_SHELF = "on_hold_shelf"
    LOST = "lost"
    # Not found at a stocktake: reversed when the copy turns up; lost after a second one.
    MISSING = "missing"
    DAMAGED = "damaged"
    WITHDRAWN = "withdrawn"

    @property
    def in_collection(self) -> bool:
        """Tell whether a copy in this state still counts as part of the collection."""
        return self is not CopyStatus.WITHDRAWN


class Copy(db.Model):
    """A physical copy of a book, carrying its own barcode label."""

    __tablename__ = "copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(sa.String(32), unique=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("book.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    call_number: Mapped[str | None] = mapped_column(sa.String(64))
    # The shelf prefix (별치기호: 아, 참, 큰글자) that files the copy apart.
    shelf: Mapped[str | None] = mapped_column(sa.String(64))
    # The copy's number among its book's copies (복본: 2 for the second copy).
    copy_number: Mapped[int | None]
    # The room or collection it stands in (자료실), and when it was shelved (배가일).
    location: Mapped[str | None] = mapped_column(sa.String(64))
    shelved_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[CopyStatus] = mapped_column(
        enum_column(CopyStatus), default=CopyStatus.AVAILABLE, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    donation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("donation.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL")
    )
    label_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a stocktake last scanned it on a shelf.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    book: Mapped[Book] = relationship(back_populates="copies")

    @property
    def placed_call_number(self) -> str | None:
        """The call number as it files and prints: with the shelf prefix (별치기호) in front."""
        from app.callnumbers import placed_call_number

        return placed_call_number(self.shelf, self.call_number)
    donation: Mapped["Donation | None"] = relationship(back_populates="copies")  # noqa: F821

    __table_args__ = (
        # Covering indexes: a campaign's totals read its copies' books and statuses, and
        # "catalogued per volunteer" its copies' cataloguers, from the index alone.
        sa.Index("ix_copy_donation_id_book_id", "donation_id", "book_id", "status"),
        sa.Index("ix_copy_created_at_created_by_id", "created_at", "created_by_id"),
        # A book's copies and their statuses: "available now" probes each book listed for
        # an available copy from the index alone (and plain counts of a book's copies).
        sa.Index("ix_copy_book_id_status", "book_id", "status"),
        # Each book's copies with their donation and status, from the index alone (the
        # collection report on SQLite).
        sa.Index("ix_copy_book_id_donation_id", "book_id", "donation_id", "status"),
        # The author marks used in a class (a new title's call number): its copies' call
        # numbers read as a range (PostgreSQL: in the "C" collation, see the migration).
        sa.Index("ix_copy_call_number", "call_number"),
    )

    def __repr__(self) -> str:
        return f"<Copy {self.barcode} {self.status}>"


class MetadataCache(db.Model):
    """What a metadata provider answered for an ISBN (or that none knew it), with expiry."""

    __tablename__ = "metadata_cache"

    isbn13: Mapped[str] = mapped_column(sa.String(13), primary_key=True)
    found: Mapped[bool]
    source: Mapped[str | None] = mapped_column(sa.String(20))
    payload: Mapped[dict | None] = mapped_column(sa.JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BarcodeCounter(db.Model):
    """The last serial issued under an internal barcode prefix; serials are never reused."""

    __tablename__ = "barcode_counter"

    prefix: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    last_serial: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class SearchGram(db.Model):
    """One two-character piece of a book's folded title, authors or publisher.

    Catalogue search finds candidate books by the bigrams of each query word (so a
    2-syllable Korean word matches inside a longer title on both databases), then
    checks the whole word against Book.search_text. Written only by
    app/catalog/store.py, with the book; `flask library reindex` rebuilds it.
    """

    __tablename__ = "search_gram"
    # The primary key's B-tree holds the signature too (a table without rowid on SQLite,
    # INCLUDE on PostgreSQL): a search reads its rarest bigram's entries and their
    # signatures from the index alone.
    __table_args__ = (
        sa.PrimaryKeyConstraint("gram", "book_id", postgresql_include=["sig"]),
        {"sqlite_with_rowid": False},
    )

    gram: Mapped[str] = mapped_column(sa.String(2))
    book_id: Mapped[int] = mapped_column(
        sa.ForeignKey("book.id", ondelete="CASCADE"), index=True
    )
    # The book's bigram signature (app.catalog.index.signature), the same on all its rows.
    sig: Mapped[int] = mapped_column(sa.BigInteger)


# Separates the title, author and other parts of Book.search_text. It is whitespace
# to str.split(), so folded query words never contain it, and ranking can tell in
# which part a word matched.
SEARCH_FIELD_SEPARATOR = "\x1f"
