"""Label printing use cases: the print queue, sheet templates, print settings, member cards.

Services take the actor and the time, flush but never commit, and raise DomainErrors.
Rendering is `app.labels.pdf` (no database); this module turns rows into what it draws.
"""

from __future__ import annotations

import math
import re
import subprocess
import tempfile
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit
from app.barcodes import InvalidBarcode, symbology_for
from app.errors import (
    CannotPrintLabels,
    InvalidInput,
    InvalidTemplate,
    NotFound,
    NothingToPrint,
    TemplateNameTaken,
    UnknownBarcodes,
    UnknownTemplate,
)
from app.extensions import db, savepoint
from app.labels.pdf import (
    BarcodeTooWide,
    CardItem,
    LabelError,
    LabelItem,
    SheetSpec,
    label_positions,
    render_labels,
    render_member_cards,
)
from app.models import (
    Copy,
    Donation,
    LabelKind,
    LabelQueueItem,
    LabelTemplate,
    Member,
    Setting,
)
from app.text import nfc

#: Most labels (or cards) in one print request: about one café's whole collection.
MAX_BATCH = 2000
MAX_ID = 2**31 - 1  # the databases' integer range
#: Longest barcode a copy can carry (Copy.barcode is VARCHAR(32)).
MAX_CODE_LENGTH = 32
#: Printer offsets beyond this are a typo, not a printer.
MAX_OFFSET_MM = 20.0

#: The measurement fields of a template, in form order.
SHEET_FIELDS = (
    "page_width_mm", "page_height_mm", "rows", "columns", "label_width_mm",
    "label_height_mm", "margin_top_mm", "margin_left_mm", "gap_x_mm", "gap_y_mm",
    "offset_x_mm", "offset_y_mm",
)
TEMPLATE_FIELDS = ("name", "kind", *SHEET_FIELDS, "is_default")

_SPLIT = re.compile(r"[\s,;]+")


# --------------------------------------------------------------------------
# Finding copies
# --------------------------------------------------------------------------


@dataclass
class Lookup:
    """Copies found for a request, in request order, and the codes that were not."""

    copies: list[Copy] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Every code that is not printed: the invalid ones, then the unknown ones."""
        return self.invalid + self.unknown


def parse_codes(text: str | None) -> list[str]:
    """Split scanned text (a code per line, or separated by spaces or commas) into codes."""
    return [code for code in _SPLIT.split(text or "") if code]


def _is_valid_code(code: str) -> bool:
    if len(code) > MAX_CODE_LENGTH:
        return False
    try:
        symbology_for(code)
    except InvalidBarcode:
        return False
    return True


def _chunks(values: Sequence, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def find_copies(codes: Iterable[str]) -> Lookup:
    """Return the copies with these barcodes (each once, in order) and the codes that fail.

    A code that cannot be a barcode (wrong EAN-13 check digit, not printable) is
    `invalid`; a well-formed code no copy carries is `unknown`.
    """
    result = Lookup()
    wanted: list[str] = []
    seen: set[str] = set()
    for raw in codes:
        code = str(raw).strip()
        if not code or code in seen:
            continue
        seen.add(code)
        if _is_valid_code(code):
            wanted.append(code)
        else:
            result.invalid.append(code)
    found: dict[str, Copy] = {}
    for chunk in _chunks(wanted):
        query = sa.select(Copy).options(joinedload(Copy.book)).where(Copy.barcode.in_(chunk))
        for copy in db.session.scalars(query):
            found[copy.barcode] = copy
    result.copies = [found[code] for code in wanted if code in found]
    result.unknown = [code for code in wanted if code not in found]
    return result


def require_copies(codes: Sequence[str]) -> list[Copy]:
    """Return the copies with these barcodes, or raise UnknownBarcodes if any code fails."""
    if len(codes) > MAX_BATCH:
        raise InvalidInput(_l("At most %(max)d labels can be printed at once.", max=MAX_BATCH))
    lookup = find_copies(codes)
    if lookup.problems:
        raise UnknownBarcodes(unknown=lookup.unknown, invalid=lookup.invalid)
    return lookup.copies


def copies_by_id(ids: Iterable[int]) -> list[Copy]:
    """Return the copies with these ids, in the order given (unknown ids are left out)."""
    # Past the databases' integers no copy has the id (and binding it would fail).
    ids = [i for i in dict.fromkeys(ids) if 1 <= i <= MAX_ID]
    found: dict[int, Copy] = {}
    for chunk in _chunks(ids):
        query = sa.select(Copy).options(joinedload(Copy.book)).where(Copy.id.in_(chunk))
        for copy in db.session.scalars(query):
            found[copy.id] = copy
    return [found[i] for i in ids if i in found]


def copies_in_range(first: str, last: str) -> list[Copy]:
    """Return the copies whose barcodes lie from `first` to `last` (same length), in order."""
    first, last = first.strip(), last.strip()
    bad = [code for code in (first, last) if not _is_valid_code(code)]
    if bad:
        raise UnknownBarcodes(unknown=[], invalid=bad)
    if len(first) != len(last):
        raise InvalidInput(_l("The first and last barcodes must have the same length."))
    if first > last:
        raise InvalidInput(_l("The first barcode must not come after the last one."))
    query = (
        sa.select(Copy)
        .options(joinedload(Copy.book))
        .where(
            Copy.barcode >= first,
            Copy.barcode <= last,
            sa.func.length(Copy.barcode) == len(first),
        )
        .order_by(Copy.barcode)
        .limit(MAX_BATCH + 1)
    )
    copies = list(db.session.scalars(query))
    if len(copies) > MAX_BATCH:
        raise InvalidInput(
            _l("This range holds more than %(max)d copies. Choose a smaller one.", max=MAX_BATCH)
        )
    return copies


def donation_copies(donation_id: int) -> list[Copy]:
    """Return the copies of a donation, or raise NotFound."""
    donation = db.session.get(Donation, donation_id)
    if donation is None:
        raise NotFound(_l("There is no donation number %(id)s.", id=donation_id))
    return sorted(donation.copies, key=lambda c: c.id)


# --------------------------------------------------------------------------
# The print queue
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One queued copy as the queue page shows it."""

    item: LabelQueueItem
    copy: Copy
    added_by: str | None


def queue_rows() -> list[QueueRow]:
    """Return the print queue, oldest first, with who added each copy."""
    query = (
        sa.select(LabelQueueItem, Member.name)
        .join(LabelQueueItem.copy)
        .outerjoin(Member, Member.id == LabelQueueItem.added_by_id)
        .options(joinedload(LabelQueueItem.copy).joinedload(Copy.book))
        .order_by(LabelQueueItem.added_at, LabelQueueItem.id)
    )
    return [QueueRow(item, item.copy, name) for item, name in db.session.execute(query)]


def queued_copies(item_ids: Iterable[int] | None = None) -> list[Copy]:
    """Return the queued copies in queue order: all of them, or those of the given items."""
    query = (
        sa.select(Copy)
        .join(LabelQueueItem, LabelQueueItem.copy_id == Copy.id)
        .options(joinedload(Copy.book))
        .order_by(LabelQueueItem.added_at, LabelQueueItem.id)
    )
    if item_ids is not None:
        query = query.where(LabelQueueItem.id.in_(list(item_ids)))
    return list(db.session.scalars(query))


def _insert_ignore(rows: list[dict]):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(LabelQueueItem.__table__).values(rows).on_conflict_do_nothing()


def add_to_queue(copies: Sequence[Copy], *, by: Member | None, now: datetime,
                 source: str = "selection") -> int:
    """Queue these copies for printing (those already queued stay as they are); return how
    many were added."""
    ids = list(dict.fromkeys(c.id for c in copies))
    queued: set[int] = set()
    for chunk in _chunks(ids):
        queued.update(db.session.scalars(
            sa.select(LabelQueueItem.copy_id).where(LabelQueueItem.copy_id.in_(chunk))
        ))
    new = [i for i in ids if i not in queued]
    for chunk in _chunks(new):
        # Two volunteers adding the same copy at once: the unique copy_id keeps one.
        db.session.execute(_insert_ignore([
            {"copy_id": i, "added_at": now, "added_by_id": by.id if by else None} for i in chunk
        ]))
    if new:
        audit.record("labels.queue_add", actor=by, entity="label_queue", now=now,
                     source=source, count=len(new))
    db.session.flush()
    return len(new)


def remove_from_queue(item_ids: Iterable[int], *, by: Member, now: datetime) -> int:
    """Take items off the print queue without printing them; return how many were removed."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return 0
    removed = db.session.execute(
        sa.delete(LabelQueueItem).where(LabelQueueItem.id.in_(ids))
    ).rowcount
    if removed:
        audit.record("labels.queue_remove", actor=by, entity="label_queue", now=now,
                     count=removed)
    db.session.flush()
    return removed


def mark_labels_printed(copies: Sequence[Copy], *, by: Member, now: datetime) -> int:
    """Record that these copies have their labels and take them off the queue."""
    if not copies:
        raise NothingToPrint()
    ids = [c.id for c in copies]
    for copy in copies:
        copy.label_printed_at = now
    for chunk in _chunks(ids):
        db.session.execute(sa.delete(LabelQueueItem).where(LabelQueueItem.copy_id.in_(chunk)))
    audit.record("labels.printed", actor=by, entity="copy", now=now, count=len(copies),
                 barcodes=[c.barcode for c in copies])
    db.session.flush()
    return len(copies)


# --------------------------------------------------------------------------
# Sheet templates
# --------------------------------------------------------------------------


def list_templates(kind: LabelKind | None = None) -> list[LabelTemplate]:
    """Return the sheet templates (of one kind, or all), defaults first."""
    query = sa.select(LabelTemplate).order_by(
        LabelTemplate.kind, LabelTemplate.is_default.desc(), LabelTemplate.name
    )
    if kind is not None:
        query = query.where(LabelTemplate.kind == kind)
    return list(db.session.scalars(query))


def default_template(kind: LabelKind) -> LabelTemplate:
    """Return the default template of a kind (the stock ones are created when missing)."""
    templates = list_templates(kind)
    if not templates:
        from app.defaults import ensure_defaults

        ensure_defaults()
        templates = list_templates(kind)
    if not templates:
        raise UnknownTemplate()
    return templates[0]


def get_template(ref: int | str, kind: LabelKind) -> LabelTemplate:
    """Return a template of `kind` by id or by name, or raise UnknownTemplate."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        # A larger number overflows the databases' integers (a 500 on PostgreSQL).
        template = db.session.get(LabelTemplate, ref) if 1 <= ref <= MAX_ID else None
    else:
        template = db.session.scalar(
            sa.select(LabelTemplate).where(LabelTemplate.name == nfc(str(ref)))
        )
    if template is None or template.kind != kind:
        raise UnknownTemplate()
    return template


def sheet_spec(template: LabelTemplate) -> SheetSpec:
    """Return the template's sheet for the renderer, or raise InvalidTemplate."""
    try:
        return SheetSpec(**{f: getattr(template, f) for f in SHEET_FIELDS})
    except LabelError as error:
        raise InvalidTemplate([str(error)]) from error


def template_problems(values: dict) -> list[str]:
    """Return everything wrong with these sheet measurements (empty when they print)."""
    # SheetSpec refuses to exist with a problem and names only the first; asking
    # problems() of the bare values lists them all.
    return SheetSpec.problems(types.SimpleNamespace(**{f: values[f] for f in SHEET_FIELDS}))


def save_template(template: LabelTemplate | None, values: dict, *, by: Member,
                  now: datetime) -> LabelTemplate:
    """Create a template (when `template` is None) or change one, after checking it prints."""
    values = dict(values)
    values["name"] = nfc(values.get("name") or "")
    if not values["name"]:
        raise InvalidTemplate([str(_l("A template needs a name."))])
    problems = template_problems(values)
    problems += _offset_problems(values["offset_x_mm"], values["offset_y_mm"])
    if problems:
        raise InvalidTemplate(problems)
    clash = db.session.scalar(sa.select(LabelTemplate).where(
        sa.func.lower(LabelTemplate.name) == values["name"].lower()
    ))
    if clash is not None and clash is not template:
        raise TemplateNameTaken()
    created = template is None
    if created:
        template = LabelTemplate()
        db.session.add(template)
    changes = {}
    for name in TEMPLATE_FIELDS:
        old, new = getattr(template, name), values[name]
        if created or old != new:
            changes[name] = str(new) if name == "kind" else new
            setattr(template, name, new)
    if template.is_default:
        # One default per kind: the one preselected until someone chooses another.
        for other in list_templates(template.kind):
            if other is not template:
                other.is_default = False
    template.updated_at = now
    try:
        with savepoint():
            db.session.flush()
    except IntegrityError as error:
        raise TemplateNameTaken() from error
    if changes:
        audit.record("label_template.create" if created else "label_template.update",
                     actor=by, entity="label_template", entity_id=template.id, now=now,
                     changes=changes)
    return template


def _offset_problems(x: float, y: float) -> list[str]:
    if abs(x) > MAX_OFFSET_MM or abs(y) > MAX_OFFSET_MM:
        return [str(_l("A printer offset is at most %(max)d mm either way.",
                       max=int(MAX_OFFSET_MM)))]
    return []


def set_printer_offset(template: LabelTemplate, x_mm: float, y_mm: float, *, by: Member,
                       now: datetime) -> None:
    """Save the printer's offset (mm, right/down positive) for one template."""
    values = {f: getattr(template, f) for f in SHEET_FIELDS}
    values.update(offset_x_mm=x_mm, offset_y_mm=y_mm)
    problems = _offset_problems(x_mm, y_mm) or template_problems(values)
    if problems:
        raise InvalidTemplate(problems)
    old = [template.offset_x_mm, template.offset_y_mm]
    if old == [x_mm, y_mm]:
        return
    template.offset_x_mm, template.offset_y_mm = x_mm, y_mm
    template.updated_at = now
    audit.record("label_template.offset", actor=by, entity="label_template",
                 entity_id=template.id, now=now, changes={"offset": [old, [x_mm, y_mm]]})
    db.session.flush()


# --------------------------------------------------------------------------
# Remembered print settings (one café PC, several volunteers)
# --------------------------------------------------------------------------


def _setting_key(kind: LabelKind) -> str:
    return f"labels.{kind.value}"


def print_preferences(kind: LabelKind) -> tuple[LabelTemplate, int]:
    """Return the template and start position last used for this kind of sheet."""
    setting = db.session.get(Setting, _setting_key(kind))
    value = setting.value if setting is not None and isinstance(setting.value, dict) else {}
    template = None
    template_id = value.get("template_id")
    if isinstance(template_id, int):
        template = db.session.get(LabelTemplate, template_id)
    if template is None or template.kind != kind:
        template = default_template(kind)
    start_at = value.get("start_at")
    if not isinstance(start_at, int) or not 1 <= start_at <= template.rows * template.columns:
        start_at = 1
    return template, start_at


def remember_preferences(kind: LabelKind, template: LabelTemplate, start_at: int, *,
                         now: datetime) -> None:
    """Remember the template and the next free position on the partly used sheet."""
    value = {"template_id": template.id, "start_at": start_at}
    setting = db.session.get(Setting, _setting_key(kind))
    if setting is not None:
        if setting.value != value:
            setting.value = value
            setting.updated_at = now
        db.session.flush()
        return
    try:
        with savepoint():
            db.session.add(Setting(key=_setting_key(kind), value=value, updated_at=now))
    except IntegrityError:  # another request remembered first; ours is as good
        setting = db.session.get(Setting, _setting_key(kind))
        setting.value = value


def next_start(start_at: int, count: int, per_page: int) -> int:
    """Return the first free position on the last sheet after printing `count` labels."""
    return (start_at - 1 + count) % per_page + 1


def check_start(template: LabelTemplate, start_at: int) -> None:
    """Raise CannotPrintLabels unless `start_at` is a position on the template's sheet."""
    per_page = template.rows * template.columns
    if not 1 <= start_at <= per_page:
        raise CannotPrintLabels(
            _l("Start position must be between 1 and %(n)s.", n=per_page)
        )


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def label_items(copies: Sequence[Copy], *, cafe_name: str) -> list[LabelItem]:
    """Return what each copy's label shows: barcode, title, call number (or shelf), café."""
    return [
        LabelItem(barcode=c.barcode, title=c.book.title, call_number=c.call_number or c.shelf,
                  cafe_name=cafe_name)
        for c in copies
    ]


def _check_batch(count: int) -> None:
    if count == 0:
        raise NothingToPrint()
    if count > MAX_BATCH:
        raise CannotPrintLabels(
            _l("At most %(max)d labels can be printed at once.", max=MAX_BATCH)
        )


def print_labels(copies: Sequence[Copy], template: LabelTemplate, *, start_at: int = 1,
                 cafe_name: str) -> bytes:
    """Return a PDF of these copies' labels on the template's sheets, from position start_at."""
    _check_batch(len(copies))
    check_start(template, start_at)
    sheet = sheet_spec(template)
    try:
        return render_labels(label_items(copies, cafe_name=cafe_name), sheet, start_at=start_at)
    except BarcodeTooWide as error:
        raise CannotPrintLabels(str(error)) from error
    except (LabelError, InvalidBarcode) as error:
        raise CannotPrintLabels(str(error)) from error


@dataclass(frozen=True)
class Slot:
    """One position of a sheet in the preview: where it is and what it will hold."""

    number: int  # 1-based position on its page
    x_mm: float
    y_mm: float
    state: str  # "skipped", "used" or "free"
    code: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class PagePreview:
    """One sheet of the preview."""

    number: int  # 1-based
    slots: list[Slot]


@dataclass(frozen=True)
class SheetPreview:
    """Which positions of which sheets a print will use."""

    width_mm: float
    height_mm: float
    label_width_mm: float
    label_height_mm: float
    pages: list[PagePreview]
    total_pages: int
    count: int
    start_at: int
    next_start: int
    problems: list[str]


def sheet_preview(template: LabelTemplate, copies: Sequence[Copy], start_at: int, *,
                  max_pages: int = 2) -> SheetPreview:
    """Return the layout of the first sheets: skipped, used and free positions."""
    per_page = template.rows * template.columns
    problems = template_problems({f: getattr(template, f) for f in SHEET_FIELDS})
    if not 1 <= start_at <= per_page:
        problems.append(str(_l("Start position must be between 1 and %(n)s.", n=per_page)))
        start_at = 1
    count = len(copies)
    total_pages = max(1, math.ceil((start_at - 1 + count) / per_page))
    pages: list[PagePreview] = []
    if not problems:
        spec = sheet_spec(template)
        grid = label_positions(spec, per_page, 1)
        for page in range(min(total_pages, max_pages)):
            slots = []
            for n, pos in enumerate(grid):
                slot_no = page * per_page + n  # counted from the first sheet's position 1
                index = slot_no - (start_at - 1)
                if slot_no < start_at - 1:
                    state, copy = "skipped", None
                elif index < count:
                    state, copy = "used", copies[index]
                else:
                    state, copy = "free", None
                slots.append(Slot(n + 1, pos.x_mm, pos.y_mm, state,
                                  copy.barcode if copy else None,
                                  copy.book.title if copy else None))
            pages.append(PagePreview(page + 1, slots))
    return SheetPreview(
        width_mm=template.page_width_mm, height_mm=template.page_height_mm,
        label_width_mm=template.label_width_mm, label_height_mm=template.label_height_mm,
        pages=pages, total_pages=total_pages, count=count, start_at=start_at,
        next_start=next_start(start_at, count, per_page), problems=problems,
    )


def first_page_png(pdf: bytes, *, dpi: int = 50) -> bytes:
    """Return the first page of a PDF as a PNG (poppler's pdftoppm), for an on-screen preview."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "labels.pdf"
        src.write_bytes(pdf)
        out = Path(tmp) / "page"
        subprocess.run(  # noqa: S603 - fixed program, our own temporary files
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",  # noqa: S607
             str(src), str(out)],
            check=True, capture_output=True, timeout=60,
        )
        return out.with_suffix(".png").read_bytes()


# --------------------------------------------------------------------------
# Member cards
# --------------------------------------------------------------------------


def new_members() -> list[Member]:
    """Return active members whose card has never been printed, oldest first."""
    return list(db.session.scalars(
        sa.select(Member)
        .where(Member.card_printed_at.is_(None), Member.active.is_(True),
               Member.anonymised_at.is_(None))
        .order_by(Member.created_at, Member.id)
    ))


def members_by_id(ids: Iterable[int]) -> list[Member]:
    """Return the (not anonymised) members with these ids, in the order given."""
    ids = list(dict.fromkeys(ids))
    found = {
        m.id: m for chunk in _chunks(ids) for m in db.session.scalars(
            sa.select(Member).where(Member.id.in_(chunk), Member.anonymised_at.is_(None))
        )
    }
    return [found[i] for i in ids if i in found]


def print_cards(members: Sequence[Member], template: LabelTemplate, *, start_at: int = 1,
                cafe_name: str) -> bytes:
    """Return a PDF of these members' cards (name, card barcode, café) from position start_at."""
    _check_batch(len(members))
    check_start(template, start_at)
    sheet = sheet_spec(template)
    cards = [CardItem(name=m.name, barcode=m.card_barcode, cafe_name=cafe_name) for m in members]
    try:
        return render_member_cards(cards, start_at=start_at, sheet=sheet)
    except (LabelError, InvalidBarcode) as error:
        raise CannotPrintLabels(str(error)) from error


def mark_cards_printed(members: Sequence[Member], *, by: Member, now: datetime) -> int:
    """Record that these members have their printed cards."""
    if not members:
        raise NothingToPrint()
    for member in members:
        member.card_printed_at = now
        audit.record("member.card_printed", actor=by, entity="member", entity_id=member.id,
                     now=now)
    db.session.flush()
    return len(members)
