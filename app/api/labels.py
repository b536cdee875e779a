"""API endpoint for label sheets: `POST /api/v1/labels` answers a PDF."""

import io
from typing import Annotated

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from app.api import bp
from app.api.spec import Reply, operation
from app.core.access import access
from app.core.validation import MAX_BIG_ID, Messages, Text
from app.labels import services
from app.models import LabelKind, Role

_NOT_A_LIST = _l("'copies' must be a non-empty list of barcodes.")


class LabelsRequest(BaseModel):
    """The copies to print labels for, on which sheet, from which label on."""

    copies: Annotated[
        list[Annotated[str, Field(max_length=64)]],
        Field(min_length=1, max_length=services.MAX_BATCH),
        Messages(list_type=_NOT_A_LIST, too_short=_NOT_A_LIST,
                 string_type=_l("Every barcode in 'copies' must be text."),
                 too_long=_l("At most %(max)d labels can be printed at once.")),
    ] = Field(description="Copy barcodes, in the order to print.")
    template: Annotated[
        Annotated[int, Field(ge=1, le=MAX_BIG_ID)] | Text(200) | None,
        Messages(_l("'template' must be a template id or name.")),
    ] = Field(None, description="A copy-label template's id or name (default: the default "
                                "template).")
    start_at: int | None = Field(None, ge=0, le=10_000, description="The label position to "
                                                                   "start at (1 = the first).")


@bp.route("/labels", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("printLabels", tag="labels", body=LabelsRequest, responses={
    200: Reply(description="The labels.", media_type="application/pdf",
               schema={"type": "string", "contentMediaType": "application/pdf"}),
    404: "unknown_template.",
    422: "unknown_barcodes: some codes are not valid barcodes or no copy has them (listed in "
         "invalid and unknown); cannot_print: the labels do not fit from start_at on.",
})
def print_labels(body: LabelsRequest):
    """Return a PDF of labels for the given copy barcodes; refuse if any code is not a copy."""
    template = (services.default_template(LabelKind.COPY) if body.template is None
                else services.get_template(body.template, LabelKind.COPY))
    copies = services.require_copies(body.copies)
    pdf = services.print_labels(copies, template,
                                start_at=1 if body.start_at is None else body.start_at,
                                cafe_name=current_app.config["CAFE_NAME"])
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="labels.pdf")
