"""API endpoint for label sheets: `POST /api/v1/labels` answers a PDF."""

import io

from flask import current_app, jsonify, send_file
from flask_babel import gettext as _

from app.api import bp
from app.api.util import field, json_body
from app.core.access import access
from app.errors import InvalidInput, UnknownBarcodes
from app.labels import services
from app.models import LabelKind, Role


def _copies_field(data: dict) -> list[str]:
    codes = data.get("copies")
    if codes is None:
        raise InvalidInput(_("The field '%(name)s' is required.", name="copies"))
    if not isinstance(codes, list) or not codes:
        raise InvalidInput(_("'copies' must be a non-empty list of barcodes."))
    if len(codes) > services.MAX_BATCH:
        raise InvalidInput(
            _("At most %(max)d labels can be printed at once.", max=services.MAX_BATCH)
        )
    if not all(isinstance(code, str) for code in codes):
        raise InvalidInput(_("Every barcode in 'copies' must be text."))
    return codes


@bp.route("/labels", methods=["POST"])
@access(Role.VOLUNTEER)
def print_labels():
    """Return a PDF of labels for the given copy barcodes; refuse if any code is not a copy."""
    data = json_body()
    codes = _copies_field(data)
    ref = data.get("template")
    if ref is None:
        template = services.default_template(LabelKind.COPY)
    elif isinstance(ref, bool) or not isinstance(ref, int | str):
        raise InvalidInput(_("'template' must be a template id or name."))
    else:
        template = services.get_template(ref, LabelKind.COPY)
    start_at = field(data, "start_at", int, required=False)
    start_at = 1 if start_at is None else start_at
    try:
        copies = services.require_copies(codes)
    except UnknownBarcodes as error:
        return jsonify(error.as_json()), error.status
    pdf = services.print_labels(copies, template, start_at=start_at,
                                cafe_name=current_app.config["CAFE_NAME"])
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="labels.pdf")
