"""The API's one view of a book record, shared by the catalogue and intake endpoints."""

from datetime import date

from pydantic import BaseModel, Field

from app import isbn as isbnmod
from app import models
from app.catalog import services as catalog
from app.models import CopyStatus


class Addon(BaseModel):
    """The Korean 5-digit add-on code (부가기호), decoded."""

    code: str = Field(pattern="^[0-9]{5}$")
    reader_group: str
    reader_group_label: str
    form: str
    form_label: str
    kdc_class: str
    kdc_class_label: str
    subject: str

    @classmethod
    def of(cls, code: str | None) -> "Addon | None":
        """Return a decoded add-on code, or None (no code, or not one we can read)."""
        if not code:
            return None
        try:
            addon = isbnmod.decode_addon(code)
        except ValueError:
            return None
        return cls(code=addon.code, reader_group=addon.reader_group,
                   reader_group_label=str(addon.reader_group_label), form=addon.form,
                   form_label=str(addon.form_label), kdc_class=addon.kdc_class,
                   kdc_class_label=str(addon.kdc_class_label), subject=addon.subject)


class BookRecord(BaseModel):
    """A book record (intake answers with it; Book adds its copies)."""

    id: int
    isbn13: str | None
    isbn10: str | None
    title: str
    subtitle: str | None
    authors: list[str]
    publisher: str | None
    year: int | None
    language: str | None
    kdc: str | None
    kdc_class: str | None
    addon: Addon | None
    needs_metadata: bool = Field(
        description="Saved with its ISBN only; the record is to be completed.")
    metadata_source: str | None = Field(description="Where the record came from.")

    @classmethod
    def fields_of(cls, book: models.Book) -> dict:
        """Return the record's fields of a book (Book adds to them)."""
        return dict(
            id=book.id, isbn13=book.isbn13, isbn10=book.isbn10, title=book.title,
            subtitle=book.subtitle, authors=book.author_list, publisher=book.publisher,
            year=book.year, language=book.language, kdc=book.kdc, kdc_class=book.kdc_class,
            addon=Addon.of(book.addon_code), needs_metadata=book.needs_metadata,
            metadata_source=book.metadata_source,
        )

    @classmethod
    def of(cls, book: models.Book) -> "BookRecord":
        """Return the API's view of a book's record."""
        return cls(**cls.fields_of(book))


class PublicCopy(BaseModel):
    """A copy as the public sees it: never who has it."""

    barcode: str
    status: CopyStatus
    site: str
    call_number: str | None
    due_on: date | None


class Book(BookRecord):
    """A book with its copies (never who has them) and the donors who agreed to be named."""

    copies: list[PublicCopy]
    available: int = Field(ge=0, description="Copies on the shelf now.")
    donors: list[str] = Field(description="Donors who agreed to be named.")

    @classmethod
    def of(cls, book: models.Book) -> "Book":
        """Return the API's view of a book with its copies."""
        copies = catalog.public_copies(book)
        return cls(
            **cls.fields_of(book),
            copies=[PublicCopy(barcode=c.barcode, status=c.status, site=c.site,
                               call_number=c.call_number, due_on=c.due_on) for c in copies],
            available=sum(1 for c in copies if c.status is CopyStatus.AVAILABLE),
            donors=catalog.donor_credits(book),
        )
