"""Label pages: the print queue, sheet templates, member cards."""

import io

from flask import (
    abort,
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

from app.accounts.routes import safe_next
from app.core.access import access, api_error
from app.core.defaults import sheet_name
from app.core.jsonbody import read_json_object
from app.core.refusals import shown_inline
from app.errors import InvalidInput, InvalidJSON
from app.extensions import db
from app.labels import (
    bp,
    label_queue,
    lookups,
    member_cards,
    preferences,
    printing,
    sheet_templates,
)
from app.labels.forms import (
    CardPrintForm,
    DonationForm,
    OffsetForm,
    PrintForm,
    RangeForm,
    ScansForm,
    TemplateForm,
)
from app.models import Copy, LabelKind, LabelTemplate, Role, utcnow

MAX_IDS = lookups.MAX_BATCH


@bp.app_context_processor
def _label_globals():
    return {
        # The admin pages show a "Member cards" tab (see templates/admin/_tabs.html).
        "admin_extra_tabs": [("labels.cards", _l("Member cards"))],
        "card_print_defaults": _card_print_defaults,
    }


def _card_print_defaults() -> dict:
    """The remembered card sheet and start position, for the admin member page's button."""
    template, start_at = preferences.print_preferences(LabelKind.CARD)
    return {"template": template, "start_at": start_at}


def _ids(name: str) -> list[int]:
    """Return the whole numbers posted under `name` (others are ignored)."""
    values = request.values.getlist(name)[: MAX_IDS + 1]
    if len(values) > MAX_IDS:
        raise InvalidInput(_("Choose at most %(max)d at once.", max=MAX_IDS))
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 10]


def _print_form(form_class, kind: LabelKind, formdata):
    """Return the print form with its sheet choices, and the chosen template and start."""
    template, start_at = preferences.print_preferences(kind)
    templates = sheet_templates.list_templates(kind)
    form = form_class(formdata=formdata, data={"template": template.id, "start_at": start_at})
    form.template.choices = [(t.id, sheet_name(t.name)) for t in templates]
    if formdata and form.validate():
        template = next(t for t in templates if t.id == form.template.data)
        start_at = form.start_at.data
    return form, template, start_at


def _post_print_form(form_class, kind: LabelKind):
    form, template, start_at = _print_form(form_class, kind, request.form)
    if form.errors:
        raise InvalidInput(" ".join(str(e) for errors in form.errors.values() for e in errors))
    return template, start_at


def _content(values) -> str:
    """What the (validated) print form asks to print on each label: labels by default."""
    content = values.get("content")
    return content if content in printing.CONTENTS else "labels"


def _offset_form(template: LabelTemplate) -> OffsetForm:
    return OffsetForm(data={"template": template.id, "offset_x_mm": template.offset_x_mm,
                            "offset_y_mm": template.offset_y_mm})


def _pdf(data: bytes, stem: str):
    now = utcnow()
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{stem}-{now:%Y%m%d-%H%M%S}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


def _cafe() -> str:
    return current_app.config["CAFE_NAME"]


def _flash_problems(lookup: lookups.Lookup) -> None:
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


def _queue(copies: list[Copy], source: str) -> int:
    """Queue these copies for the current volunteer and commit; return how many were new."""
    added = label_queue.add_to_queue(copies, by=current_user, now=utcnow(), source=source)
    db.session.commit()
    return added


def _back_to_queue():
    return redirect(url_for("labels.queue"), code=303)


def _invalid_form(message: str):
    """Say what a form on the queue page lacks, back on the queue page."""
    flash(message, "error")
    return _back_to_queue()


# --------------------------------------------------------------------------
# The print queue
# --------------------------------------------------------------------------


@bp.route("")
@access(Role.VOLUNTEER)
def queue():
    """The print queue: what waits for a label, the sheet, where to start, a preview."""
    form, template, start_at = _print_form(PrintForm, LabelKind.COPY, request.args or None)
    rows = label_queue.queue_rows()
    return render_template(
        "labels/queue.html", rows=rows, form=form, template=template, start_at=start_at,
        preview=printing.sheet_preview(template, [r.copy for r in rows], start_at,
                                       content=_content(request.args)),
        donation_form=DonationForm(), range_form=RangeForm(), scans_form=ScansForm(),
        offset_form=_offset_form(template),
    )


def _chosen_queued() -> list[Copy]:
    """Return the queued copies a preview is for: the selected items, or all of them."""
    return label_queue.queued_copies(_ids("item") if "selected" in request.args else None)


@bp.route("/preview")
@access(Role.VOLUNTEER)
def preview():
    """The sheet layout of a print (a fragment the queue page swaps in as settings change)."""
    _form, template, start_at = _print_form(PrintForm, LabelKind.COPY, request.args)
    preview = printing.sheet_preview(template, _chosen_queued(), start_at,
                                     content=_content(request.args))
    return render_template("labels/_preview.html", preview=preview, template=template)


@bp.route("/preview.png")
@access(Role.VOLUNTEER)
def preview_png():
    """The first sheet of the print as it will come out, as a small PNG."""
    _form, template, start_at = _print_form(PrintForm, LabelKind.COPY, request.args)
    first_sheet = template.rows * template.columns - (start_at - 1)
    pdf = printing.print_labels(_chosen_queued()[:first_sheet], template, start_at=start_at,
                                cafe_name=_cafe(), content=_content(request.args))
    response = send_file(io.BytesIO(printing.first_page_png(pdf)), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/print", methods=["POST"])
@access(Role.VOLUNTEER)
def print_queue():
    """Download the chosen queued labels as a PDF (they stay queued until marked printed)."""
    template, start_at = _post_print_form(PrintForm, LabelKind.COPY)
    copies = label_queue.queued_copies(_ids("item"))
    content = _content(request.form)
    data = printing.print_labels(copies, template, start_at=start_at, cafe_name=_cafe(),
                                 content=content)
    preferences.remember_preferences(LabelKind.COPY, template, start_at, now=utcnow())
    db.session.commit()
    return _pdf(data, "spine-labels" if content == "spine" else "labels")


@bp.route("/mark-printed", methods=["POST"])
@access(Role.VOLUNTEER)
def mark_printed():
    """Record the chosen labels as printed, take them off the queue, move the start on."""
    template, start_at = _post_print_form(PrintForm, LabelKind.COPY)
    copies = label_queue.queued_copies(_ids("item"))
    count = label_queue.mark_labels_printed(copies, by=current_user, now=utcnow())
    following = preferences.remember_printed(LabelKind.COPY, template, start_at, count,
                                             now=utcnow())
    db.session.commit()
    flash(_("Labels marked as printed: %(num)d.", num=count), "success")
    flash(_("The next print starts at label %(n)d.", n=following), "info")
    return _back_to_queue()


@bp.route("/remove", methods=["POST"])
@access(Role.VOLUNTEER)
def remove():
    """Take the chosen copies off the queue without printing them."""
    removed = label_queue.remove_from_queue(_ids("item"), by=current_user, now=utcnow())
    db.session.commit()
    if removed:
        flash(_("Removed from the queue: %(num)d.", num=removed), "success")
    else:
        flash(_("Choose the copies to remove first."), "warning")
    return _back_to_queue()


def _json_selection() -> tuple[list[int], list[str]]:
    """Return the copy ids and barcodes of a JSON post, or answer its JSON error (400)."""
    try:
        data = read_json_object()
    except InvalidJSON as error:
        abort(api_error(error.status, error.code, str(error)))
    raw_ids, codes = data.get("copy_ids") or [], data.get("barcodes") or []
    if not isinstance(raw_ids, list) or not isinstance(codes, list):
        abort(api_error(400, "invalid_input", _("copy_ids and barcodes must be lists.")))
    ids = [i for i in raw_ids if isinstance(i, int) and not isinstance(i, bool)]
    codes = [c for c in codes if isinstance(c, str)]
    if len(ids) + len(codes) > MAX_IDS:
        abort(api_error(400, "invalid_input",
                        _("Choose at most %(max)d at once.", max=MAX_IDS)))
    return ids, codes


@bp.route("/add", methods=["POST"])
@access(Role.VOLUNTEER)
def add():
    """Queue copies by id or barcode (the catalogue's search results post here).

    A form post redirects back to `next` (or the queue); a JSON post answers
    {"added", "queued", "unknown", "invalid"}.
    """
    ids, codes = (_json_selection() if request.is_json
                  else (_ids("copy_id"), request.form.getlist("barcode")[: MAX_IDS + 1]))
    lookup = lookups.find_copies(codes)
    copies = lookups.copies_by_id(ids) + lookup.copies
    added, queued = _queue(copies, "selection"), len({c.id for c in copies})
    if request.is_json:
        return jsonify({"added": added, "queued": queued, "unknown": lookup.unknown,
                        "invalid": lookup.invalid})
    _flash_added(added, queued)
    _flash_problems(lookup)
    return redirect(safe_next(request.form.get("next")) or url_for("labels.queue"), code=303)


@bp.route("/add/donation", methods=["POST"])
@access(Role.VOLUNTEER)
def add_donation():
    """Queue every copy of one donation."""
    form = DonationForm()
    if not form.validate():
        return _invalid_form(_("Enter a donation number."))
    copies = lookups.donation_copies(form.donation.data)
    _flash_added(_queue(copies, "donation"), len(copies))
    return _back_to_queue()


@bp.route("/add/range", methods=["POST"])
@access(Role.VOLUNTEER)
def add_range():
    """Queue every copy whose barcode lies in a range (a box of books numbered in order)."""
    form = RangeForm()
    if not form.validate():
        return _invalid_form(_("Enter the first and the last barcode."))
    copies = lookups.copies_in_range(form.first.data, form.last.data)
    if copies:
        _flash_added(_queue(copies, "range"), len(copies))
    else:
        flash(_("No copy has a barcode in this range."), "warning")
    return _back_to_queue()


@bp.route("/add/scans", methods=["POST"])
@access(Role.VOLUNTEER)
def add_scans():
    """Queue the copies of a list of scanned barcodes; report the codes that are not copies."""
    form = ScansForm()
    if not form.validate():
        return _invalid_form(_("Scan or type at least one barcode."))
    lookup = lookups.find_scanned(form.codes.data)
    added = _queue(lookup.copies, "scans")
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
                max=int(sheet_templates.MAX_OFFSET_MM)), "error")
        return redirect(back, code=303)
    sheet_templates.set_printer_offset(template, form.offset_x_mm.data, form.offset_y_mm.data,
                                       by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The printer offset for %(name)s is saved.", name=sheet_name(template.name)),
          "success")
    return redirect(back, code=303)


# --------------------------------------------------------------------------
# Sheet templates (coordinators)
# --------------------------------------------------------------------------


@bp.route("/templates")
@access(Role.COORDINATOR)
def templates():
    """The label and card sheets the café prints on."""
    return render_template("labels/templates.html", templates=sheet_templates.list_templates())


def _edit_template(template: LabelTemplate | None):
    """Show a template's form; save it, or show it again with the reasons it cannot print."""
    form = TemplateForm(obj=template)
    if template is not None and not form.is_submitted():
        form.kind.data = template.kind.value
        form.name.data = sheet_name(template.name)  # saved unchanged, it stays built in
    if form.validate_on_submit():
        with shown_inline() as refused:
            saved = sheet_templates.save_template(template, form.values(), by=current_user,
                                                  now=utcnow())
            db.session.commit()
            flash(_("The label sheet %(name)s is saved.", name=sheet_name(saved.name)),
                  "success")
            return redirect(url_for("labels.templates"), code=303)
        form.form_errors.extend(refused.reasons)
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
    return render_template(
        "labels/cards.html", members=member_cards.new_members(), form=form, template=template,
        start_at=start_at, offset_form=_offset_form(template),
    )


def _chosen_members():
    ids = _ids("member")
    if not ids and request.form.get("all_new") and current_user.has_role(Role.COORDINATOR):
        return member_cards.new_members()
    return member_cards.members_by_id(ids)


@bp.route("/cards/print", methods=["POST"])
@access(Role.VOLUNTEER)  # the card of a member registered at the desk
def print_cards():
    """Download member cards as a PDF: the chosen members, or every new one."""
    template, start_at = _post_print_form(CardPrintForm, LabelKind.CARD)
    data = member_cards.print_cards(_chosen_members(), template, start_at=start_at,
                                    cafe_name=_cafe())
    preferences.remember_preferences(LabelKind.CARD, template, start_at, now=utcnow())
    db.session.commit()
    return _pdf(data, "member-cards")


@bp.route("/cards/mark-printed", methods=["POST"])
@access(Role.VOLUNTEER)  # the card of a member registered at the desk
def mark_cards_printed():
    """Record the chosen members' cards as printed and move the start position on."""
    template, start_at = _post_print_form(CardPrintForm, LabelKind.CARD)
    count = member_cards.mark_cards_printed(_chosen_members(), by=current_user, now=utcnow())
    preferences.remember_printed(LabelKind.CARD, template, start_at, count, now=utcnow())
    db.session.commit()
    flash(_("Cards marked as printed: %(num)d.", num=count), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("labels.cards"), code=303)
