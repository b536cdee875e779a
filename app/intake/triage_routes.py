"""The coordinator's triage settings (/intake/settings): the copy cap, the decline rules
and the institutions gifts are passed on to. The station's triage is app.intake.routes'."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.access import access
from app.core.refusals import shown_inline
from app.extensions import db
from app.intake import bp, triage
from app.intake.forms import PartnerActiveForm, PartnerForm, TriageRulesForm
from app.models import Role, utcnow


def _page(rules_form: TriageRulesForm, partner_form: PartnerForm, status: int = 200):
    return render_template(
        "intake/settings.html", form=rules_form, partner_form=partner_form,
        active_form=PartnerActiveForm(formdata=None), partners=triage.all_partners(),
    ), status


@bp.route("/settings", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def settings():
    """The copy cap and decline rules intake applies, and the list of institutions."""
    rules = triage.triage_rules()
    form = TriageRulesForm(obj=rules)
    if form.validate_on_submit():
        triage.set_triage_rules(triage.TriageRules(
            copy_cap=form.copy_cap.data, study_aid_max_age=form.study_aid_max_age.data or 0,
            decline_damaged=bool(form.decline_damaged.data),
            decline_sets=bool(form.decline_sets.data)), by=current_user, now=utcnow())
        db.session.commit()
        flash(_("The triage rules are saved."), "success")
        return redirect(url_for("intake.settings"))
    return _page(form, PartnerForm(formdata=None), 400 if form.is_submitted() else 200)


@bp.route("/partners", methods=["POST"])
@access(Role.COORDINATOR)
def add_partner():
    """Add an institution gifts may be passed on to."""
    form = PartnerForm()
    if form.validate_on_submit():
        with shown_inline(form.name.errors):
            partner = triage.add_partner(form.name.data, by=current_user, now=utcnow())
            db.session.commit()
            flash(_("%(name)s is on the list.", name=partner.name), "success")
            return redirect(url_for("intake.settings"))
    return _page(TriageRulesForm(obj=triage.triage_rules(), formdata=None), form, 400)


@bp.route("/partners/active", methods=["POST"])
@access(Role.COORDINATOR)
def partner_active():
    """Take an institution off the list, or put it back."""
    form = PartnerActiveForm()
    if form.validate_on_submit():
        triage.set_partner_active(form.partner_id.data, bool(form.active.data),
                                  by=current_user, now=utcnow())
        db.session.commit()
    return redirect(url_for("intake.settings"))
