"""Label pages: the print queue, sheet templates, member cards."""

import io

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import access
from app.accounts.routes import safe_next
from app.errors import DomainError, InvalidInput, InvalidJSON
from app.extensions import db
from app.jsonbody import read_json_object
from app.labels import bp, services
from app.labels.forms import (
    CardPrintForm,
    DonationForm,
    OffsetForm,
    PrintForm,
    RangeForm,
    ScansForm,
    TemplateForm,
)
from app.models import LabelKind, LabelTemplate, Role, utcnow

MAX_IDS = services.MAX_BATCH


@bp.app_context_processor
def _label_globals():
    return {
        # The admin pages show a "Member cards" tab (see templates/admin/_tabs.html).
        "admin_extra_tabs": [("labels.cards", _l("Member cards"))],
        "card_print_defaults": _card_print_defaults,
    }


def _card_print_defaults() -> dict:
    """The remembered card sheet and start position, for the admin member page's button."""
    template, start_at = services.print_preferences(LabelKind.CARD)
    return {"template": template, "start_at": start_at}


def _ids(name: str) -> list[int]:
    """Return the whole numbers posted under `name` (others are ignored)."""
    values = request.values.getlist(name)[: MAX_IDS + 1]
    if len(values) > MAX_IDS:
        raise InvalidInput(_("Choose at most %(max)d at once.", max=MAX_IDS))
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 10]


def _print_form(form_class, kind: LabelKind, formdata):
    """Return the print form with its sheet choices, and the chosen template and start."""
    template, start_at = services.print_preferences(kind)
    templates = services.list_templates(kind)
    form = form_class(formdata=formdata, data={"template": template.id, "start_at": start_at})
    form.template.choices = [(t.id, t.name) for t in templates]
    if formdata and form.validate():
        template = next(t for t in templates if t.id == form.template.data)
        start_at = form.start_at.data
    return form, template, start_at


def _post_print_form(form_class, kind: LabelKind):
    form, template, start_at = _print_form(form_class, kind, request.form)
    if form.errors:
        raise InvalidInput(" ".join(str(e) for errors in form.errors.values() for e in errors))
    return template, start_at


def _pdf(data: bytes, stem: str):
    now = utcnow()
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{stem}-{now:%Y%m%d-%H%M%S}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


def _cafe() -> str:
    return current_app.config["CAFE_NAME"]


def _flash_problems(lookup: services.Lookup) -> None:
    if lookup.invalid:
        flash(_("Not valid barcodes, not added: %(codes)s", codes=", ".join(lookup.invalid)),
              "error")
    if lookup.unknown:
        flash(_("No copy has these barcodes, not added: %(codes)s",
                codes=", ".join(lookup.unknown)), "error")


def _flash_added(added: int, found: int) -> None:
    flash(_("Added to the print queue: %(num)d.", num=added), "success")
    if found > added:
        flash(_("Already in the queue: %(num)d.", num=found - added), "warning")


def _back_to_queue():
    return redirect(url_for("labels.queue"), code=303)


# --------------------------------------------------------------------------
# The print queue
# --------------------------------------------------------------------------


@bp.route("")
@access(Role.VOLUNTEER)
def queue():
    """The print queue: what waits for a label, the sheet, where to start, a preview."""
    form, template, start_at = _print_form(PrintForm, LabelKind.COPY, request.args or None)
    rows = services.queue_rows()
    preview = services.sheet_preview(template, [r.copy for r in rows], start_at)
    return render_template(
        "labels/queue.html", rows=rows, form=form, template=template, start_at=start_at,
        preview=preview, donation_form=DonationForm(), range_form=RangeForm(),
        scans_form=ScansForm(), offset_form=OffsetForm(
            data={"template": template.id, "offset_x_mm": template.offset_x_mm,
                  "offset_y_mm": template.offset_y_mm}),
    )


@bp.route("/preview")
@access(Role.VOLUNTEER)
def preview():
    """The sheet layout of a print (a fragment the queue page swaps in as settings change)."""
    form, template, start_at = _print_form(PrintForm, LabelKind.COPY, request.args)
    copies = services.queued_copies(_ids("item") if "selected" in request.args else None)
    return render_template(
        "labels/_preview.html",
        preview=services.sheet_preview(template, copies, start_at), template=template,
    )


@bp.route("/preview.png")
@access(Role.VOLUNTEER)
def preview_png():
    """The first sheet of the print as it will come out, as a small PNG."""
    form, template, start_at = _print_form(PrintForm, LabelKind.COPY, request.args)
    copies = services.queued_copies(_ids("item") if "selected" in request.args else None)
    first_sheet = template.rows * template.columns - (start_at - 1)
    pdf = services.print_labels(copies[:first_sheet], template, start_at=start_at,
                                cafe_name=_cafe())
    response = send_file(io.BytesIO(services.first_page_png(pdf)), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/print", methods=["POST"])
@access(Role.VOLUNTEER)
def print_queue():
    """Download the chosen queued labels as a PDF (they stay queued until marked printed)."""
    try:
        template, start_at = _post_print_form(PrintForm, LabelKind.COPY)
        copies = services.queued_copies(_ids("item"))
        data = services.print_labels(copies, template, start_at=start_at, cafe_name=_cafe())
        services.remember_preferences(LabelKind.COPY, template, start_at, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_queue()
    db.session.commit()
    return _pdf(data, "labels")


@bp.route("/mark-printed", methods=["POST"])
@access(Role.VOLUNTEER)
def mark_printed():
    """Record the chosen labels as printed, take them off the queue, move the start on."""
    try:
        template, start_at = _post_print_form(PrintForm, LabelKind.COPY)
        copies = services.queued_copies(_ids("item"))
        count = services.mark_labels_printed(copies, by=current_user, now=utcnow())
        following = services.next_start(start_at, count, template.rows * template.columns)
        services.remember_preferences(LabelKind.COPY, template, following, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_queue()
    db.session.commit()
    flash(_("Labels marked as printed: %(num)d.", num=count), "success")
    flash(_("The next print starts at label %(n)d.", n=following), "info")
    return _back_to_queue()


@bp.route("/remove", methods=["POST"])
@access(Role.VOLUNTEER)
def remove():
    """Take the chosen copies off the queue without printing them."""
    removed = services.remove_from_queue(_ids("item"), by=current_user, now=utcnow())
    db.session.commit()
    if removed:
        flash(_("Removed from the queue: %(num)d.", num=removed), "success")
    else:
        flash(_("Choose the copies to remove first."), "warning")
    return _back_to_queue()


@bp.route("/add", methods=["POST"])
@access(Role.VOLUNTEER)
def add():
    """Queue copies by id or barcode (the catalogue's search results post here).

    A form post redirects back to `next` (or the queue); a JSON post answers
    {"added", "queued", "unknown", "invalid"}.
    """
    if request.is_json:
        try:
            data = read_json_object()
        except InvalidJSON as error:
            return jsonify(error.as_json()), error.status
        raw_ids, codes = data.get("copy_ids") or [], data.get("barcodes") or []
        if not isinstance(raw_ids, list) or not isinstance(codes, list):
            return jsonify({"error": {"code": "invalid_input",
                                      "message": _("copy_ids and barcodes must be lists.")}}), 400
        ids = [i for i in raw_ids if isinstance(i, int) and not isinstance(i, bool)]
        codes = [c for c in codes if isinstance(c, str)]
        if len(ids) + len(codes) > MAX_IDS:
            return jsonify({"error": {"code": "invalid_input", "message": _(
                "Choose at most %(max)d at once.", max=MAX_IDS)}}), 400
    else:
        ids, codes = _ids("copy_id"), request.form.getlist("barcode")[: MAX_IDS + 1]
    lookup = services.find_copies(codes)
    by_id = services.copies_by_id(ids)
    copies = by_id + lookup.copies
    added = services.add_to_queue(copies, by=current_user, now=utcnow(), source="selection")
    db.session.commit()
    if request.is_json:
        return jsonify({"added": added, "queued": len({c.id for c in copies}),
                        "unknown": lookup.unknown, "invalid": lookup.invalid})
    _flash_added(added, len({c.id for c in copies}))
    _flash_problems(lookup)
    return redirect(safe_next(request.form.get("next")) or url_for("labels.queue"), code=303)


@bp.route("/add/donation", methods=["POST"])
@access(Role.VOLUNTEER)
def add_donation():
    """Queue every copy of one donation."""
    form = DonationForm()
    if not form.validate():
        flash(_("Enter a donation number."), "error")
        return _back_to_queue()
    try:
        copies = services.donation_copies(form.donation.data)
    except DomainError as error:
        flash(str(error), "error")
        return _back_to_queue()
    added = services.add_to_queue(copies, by=current_user, now=utcnow(), source="donation")
    db.session.commit()
    _flash_added(added, len(copies))
    return _back_to_queue()


@bp.route("/add/range", methods=["POST"])
@access(Role.VOLUNTEER)
def add_range():
    """Queue every copy whose barcode lies in a range (a box of books numbered in order)."""
    form = RangeForm()
    if not form.validate():
        flash(_("Enter the first and the last barcode."), "error")
        return _back_to_queue()
    try:
        copies = services.copies_in_range(form.first.data, form.last.data)
    except DomainError as error:
        flash(str(error), "error")
        return _back_to_queue()
    if not copies:
        flash(_("No copy has a barcode in this range."), "warning")
        return _back_to_queue()
    added = services.add_to_queue(copies, by=current_user, now=utcnow(), source="range")
    db.session.commit()
    _flash_added(added, len(copies))
    return _back_to_queue()


@bp.route("/add/scans", methods=["POST"])
@access(Role.VOLUNTEER)
def add_scans():
    """Queue the copies of a list of scanned barcodes; report the codes that are not copies."""
    form = ScansForm()
    if not form.validate():
        flash(_("Scan or type at least one barcode."), "error")
        return _back_to_queue()
    codes = services.parse_codes(form.codes.data)
    if len(codes) > MAX_IDS:
        flash(_("Choose at most %(max)d at once.", max=MAX_IDS), "error")
        return _back_to_queue()
    lookup = services.find_copies(codes)
    added = services.add_to_queue(lookup.copies, by=current_user, now=utcnow(), source="scans")
    db.session.commit()
    if lookup.copies:
        _flash_added(added, len(lookup.copies))
    _flash_problems(lookup)
    return _back_to_queue()


@bp.route("/offset", methods=["POST"])
@access(Role.VOLUNTEER)
def offset():
    """Save the printer's offset for a sheet, so nobody enters it again."""
    form = OffsetForm()
    template = db.session.get(LabelTemplate, form.template.data) if form.template.data else None
    back = url_for("labels.cards" if template and template.kind == LabelKind.CARD
                   else "labels.queue")
    if template is None or not form.validate():
        flash(_("A printer offset is at most %(max)d mm either way.",
                max=int(services.MAX_OFFSET_MM)), "error")
        return redirect(back, code=303)
    try:
        services.set_printer_offset(template, form.offset_x_mm.data, form.offset_y_mm.data,
                                    by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("The printer offset for %(name)s is saved.", name=template.name), "success")
    return redirect(back, code=303)


# --------------------------------------------------------------------------
# Sheet templates (coordinators)
# --------------------------------------------------------------------------


@bp.route("/templates")
@access(Role.COORDINATOR)
def templates():
    """The label and card sheets the café prints on."""
    return render_template("labels/templates.html", templates=services.list_templates())


def _edit_template(template: LabelTemplate | None):
    form = TemplateForm(obj=template)
    if template is not None and not form.is_submitted():
        form.kind.data = template.kind.value
    if form.validate_on_submit():
        try:
            saved = services.save_template(template, form.values(), by=current_user,
                                           now=utcnow())
        except DomainError as error:
            db.session.rollback()
            problems = getattr(error, "problems", None) or [str(error)]
            form.form_errors.extend(problems)
        else:
            db.session.commit()
            flash(_("The label sheet %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("labels.templates"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("labels/template_form.html", form=form, template=template), status


@bp.route("/templates/new", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def new_template():
    """Add a label sheet."""
    return _edit_template(None)


@bp.route("/templates/<int(max=2147483647):template_id>", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def edit_template(template_id: int):
    """Change a label sheet's measurements or printer offset."""
    return _edit_template(db.get_or_404(LabelTemplate, template_id))


# --------------------------------------------------------------------------
# Member cards (coordinators)
# --------------------------------------------------------------------------


@bp.route("/cards")
@access(Role.COORDINATOR)
def cards():
    """Members whose card has not been printed yet; print them all, or some."""
    form, template, start_at = _print_form(CardPrintForm, LabelKind.CARD, request.args or None)
    members = services.new_members()
    return render_template(
        "labels/cards.html", members=members, form=form, template=template, start_at=start_at,
        offset_form=OffsetForm(data={"template": template.id,
                                     "offset_x_mm": template.offset_x_mm,
                                     "offset_y_mm": template.offset_y_mm}),
    )


def _chosen_members():
    ids = _ids("member")
    if not ids and request.form.get("all_new"):
        return services.new_members()
    return services.members_by_id(ids)


@bp.route("/cards/print", methods=["POST"])
@access(Role.COORDINATOR)
def print_cards():
    """Download member cards as a PDF: the chosen members, or every new one."""
    back = safe_next(request.form.get("next")) or url_for("labels.cards")
    try:
        template, start_at = _post_print_form(CardPrintForm, LabelKind.CARD)
        members = _chosen_members()
        data = services.print_cards(members, template, start_at=start_at, cafe_name=_cafe())
        services.remember_preferences(LabelKind.CARD, template, start_at, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back, code=303)
    db.session.commit()
    return _pdf(data, "member-cards")


@bp.route("/cards/mark-printed", methods=["POST"])
@access(Role.COORDINATOR)
def mark_cards_printed():
    """Record the chosen members' cards as printed and move the start position on."""
    back = safe_next(request.form.get("next")) or url_for("labels.cards")
    try:
        template, start_at = _post_print_form(CardPrintForm, LabelKind.CARD)
        members = _chosen_members()
        count = services.mark_cards_printed(members, by=current_user, now=utcnow())
        following = services.next_start(start_at, count, template.rows * template.columns)
        services.remember_preferences(LabelKind.CARD, template, following, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("Cards marked as printed: %(num)d.", num=count), "success")
    return redirect(back, code=303)
