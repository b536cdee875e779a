"""API endpoints for intake: what an ISBN is, and receiving one donated copy."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app import isbn as isbnmod
from app.api import bp
from app.api.serializers import addon_json, book_json
from app.api.util import field, iso, json_body
from app.core.access import access
from app.core.text import nfc_filter
from app.errors import InvalidInput, MetadataRequired
from app.extensions import db
from app.intake import services
from app.models import Copy, Donation, Role, utcnow


def metadata_json(metadata: isbnmod.Metadata | None) -> dict | None:
    """Return cleaned provider metadata, or None."""
    if metadata is None:
        return None
    return {
        "isbn13": metadata.isbn13,
        "title": metadata.title,
        "subtitle": metadata.subtitle,
        "authors": list(metadata.authors),
        "publisher": metadata.publisher,
        "year": metadata.year,
        "language": metadata.language,
        "kdc": metadata.kdc,
        "addon_code": metadata.addon_code,
        "page_count": metadata.page_count,
        "series": metadata.series,
        "provider": metadata.source,
    }


def copy_json(copy: Copy) -> dict:
    """Return the API's view of a copy."""
    return {
        "id": copy.id,
        "barcode": copy.barcode,
        "book_id": copy.book_id,
        "status": copy.status.value,
        "donation_id": copy.donation_id,
        "created_at": iso(copy.created_at),
        "created_by_id": copy.created_by_id,
    }


def donation_json(donation: Donation, tally: dict | None = None) -> dict:
    """Return the API's view of a donation, with its running tally (read when not given)."""
    donor = donation.donor
    return {
        "id": donation.id,
        "anonymous": donation.anonymous,
        "donor": ({"id": donor.id, "name": donor.name, "card": donor.card_barcode}
                  if donor is not None else None),
        "campaign_id": donation.campaign_id,
        "received_at": iso(donation.received_at),
        "received_by_id": donation.received_by_id,
        **(tally if tally is not None else services.donation_tally(donation)),
    }


@bp.route("/isbn/<raw>", methods=["GET"])
@access(Role.VOLUNTEER)
def isbn_lookup(raw: str):
    """Read a scan and say what we (or the metadata sources) know about the ISBN."""
    answer = services.find_isbn(raw, now=utcnow())
    db.session.commit()  # keep what the metadata cache learnt
    scan = answer.scan
    return jsonify({
        "isbn13": scan.isbn13,
        "isbn10": scan.isbn10,
        "hyphenated": scan.hyphenated,
        "addon": addon_json(scan.addon.code if scan.addon else None),
        "group": scan.group,
        "book": book_json(answer.book) if answer.book is not None else None,
        "metadata": metadata_json(answer.metadata),
        "source": answer.source,
    })


def _book_fields(data: object) -> services.BookFields:
    """Validate the optional `metadata` object of an intake request."""
    if not isinstance(data, dict):
        raise InvalidInput(_("The field '%(name)s' must be an object.", name="metadata"))
    title = field(data, "title", str, max_length=services.TITLE_MAX)
    subtitle = field(data, "subtitle", str, required=False, max_length=services.TITLE_MAX)
    authors = data.get("authors")
    if authors is None:
        authors = []
    elif isinstance(authors, str):
        authors = [a for a in (x.strip() for x in nfc_filter(authors).split(";")) if a]
    elif isinstance(authors, list) and all(isinstance(a, str) for a in authors):
        authors = [nfc_filter(a).strip() for a in authors if a.strip()]
    else:
        raise InvalidInput(_("The field '%(name)s' must be a list of names.", name="authors"))
    if len("; ".join(authors)) > services.AUTHORS_MAX:
        raise InvalidInput(_("The field '%(name)s' is too long (at most %(max)d characters).",
                             name="authors", max=services.AUTHORS_MAX))
    publisher = field(data, "publisher", str, required=False,
                      max_length=services.PUBLISHER_MAX)
    year = data.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if year is not None:
        year = field({"year": year}, "year", int)
        if not 0 <= year <= 2200:
            raise InvalidInput(_("The field '%(name)s' must be a year.", name="year"))
    language = field(data, "language", str, required=False, max_length=8)
    return services.BookFields(title=title, subtitle=subtitle, authors=authors,
                               publisher=publisher or None, year=year,
                               language=language or None)


@bp.route("/intake", methods=["POST"])
@access(Role.VOLUNTEER)
def intake():
    """Receive one donated copy: a scanned ISBN (or typed metadata) becomes a new copy."""
    data = json_body()
    raw = field(data, "scan", str, required="metadata" not in data, max_length=64)
    donor_card = field(data, "donor_card", str, required=False, max_length=64)
    anonymous = field(data, "anonymous", bool, required=False)
    campaign_id = field(data, "campaign_id", int, required=False)
    force = bool(field(data, "force", bool, required=False))
    complete_later = bool(field(data, "complete_later", bool, required=False))
    fields = _book_fields(data["metadata"]) if data.get("metadata") is not None else None
    if not raw and fields is None:
        raise InvalidInput(_("The field '%(name)s' is required.", name="scan"))
    if donor_card and anonymous:
        raise InvalidInput(_("Give a donor card or anonymous, not both."))
    if raw:
        services.read_isbn(raw)  # a bad scan is refused before anything else is looked up
    now = utcnow()
    donor = services.donor_by_card(donor_card) if donor_card else None
    campaign = (services.campaign_for(campaign_id) if "campaign_id" in data
                else services.default_campaign())
    context = services.resume_donation(donor=donor, campaign=campaign, by=current_user, now=now)
    try:
        if raw:
            result = services.intake_scan(raw, context, by=current_user, now=now, fields=fields,
                                          complete_later=complete_later, force=force)
        else:
            result = services.save_manual_book(context, isbn=None, fields=fields,
                                               by=current_user, now=now)
    except MetadataRequired:
        db.session.commit()  # only the metadata cache was written
        raise
    # Answered from the objects in hand: after the commit they would be read again.
    body = {
        "copy": copy_json(result.copy),
        "book": book_json(result.book),
        "donation": donation_json(result.donation, result.tally),
        "duplicate": result.duplicate,
        "created_book": result.created_book,
        "source": result.source,
    }
    db.session.commit()
    return jsonify(body), 200 if result.duplicate else 201
