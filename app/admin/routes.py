"""Coordinators' pages: members, roles, loan rules."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import privacy
from app.accounts import services as accounts
from app.admin import bp, services
from app.admin.accesslog import access_log_query, kind_label, log_access, members_named
from app.admin.forms import (
    ActiveForm,
    CallNumberSettingsForm,
    ConfirmForm,
    LoanRulesForm,
    MemberSearchForm,
    NewMemberForm,
    RoleForm,
)
from app.catalog import callnumbers
from app.core.access import access
from app.core.defaults import loan_rules
from app.core.downloads import json_download
from app.core.forms import submitted
from app.core.params import int_arg, page_arg
from app.core.refusals import shown_inline
from app.extensions import db
from app.models import Member, Role, utcnow


def _done(member: Member, message: str):
    """Keep what was done to a member, say so, and show the member."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.member", member_id=member.id))


@bp.route("")
@access(Role.COORDINATOR)
def index():
    """List and search members."""
    form = MemberSearchForm(request.args)
    q = form.q.data if form.validate() else None
    page = db.paginate(services.member_search_query(q), page=page_arg(), per_page=25,
                       error_out=False)
    log_access("member_list", actor=current_user, shown=len(page.items))
    db.session.commit()
    return render_template("admin/index.html", form=form, page=page, q=q or "")


@bp.route("/members/new", methods=["GET", "POST"])
@access(Role.VOLUNTEER)  # a walk-in joins at the desk; coordinators keep roles and deletions
def new_member():
    """Register a member at the café (email optional; the card is what they use)."""
    form = NewMemberForm()
    coordinator = current_user.has_role(Role.COORDINATOR)
    if not coordinator:
        del form.role  # a volunteer registers members; only a coordinator gives a role
    if form.validate_on_submit():
        details = form.member()
        with shown_inline(form.email.errors):
            member = accounts.create_member(**details, password=None, by=current_user,
                                            now=utcnow())
            return _done(member, _("%(name)s is registered with card %(card)s.",
                                   name=member.name, card=member.card_barcode))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/new_member.html", form=form), status


@bp.route("/members/<int(max=2147483647):member_id>")
@access(Role.VOLUNTEER)
def member(member_id: int):
    """One member: card, role, state, actions (a volunteer sees the card and prints it;
    the role, the account's state and the member's data are for coordinators)."""
    m = db.get_or_404(Member, member_id)
    log_access("member_view", actor=current_user, member=m)
    db.session.commit()
    return render_template(
        "admin/member.html", member=m, role_form=RoleForm(role=m.role.value),
        confirm_form=ConfirmForm(),
    )


@bp.route("/members/<int(max=2147483647):member_id>/data.json")
@access(Role.COORDINATOR)
def member_data(member_id: int):
    """Download everything the café holds about one member (to answer their request)."""
    m = db.get_or_404(Member, member_id)
    now = utcnow()
    data = privacy.export_member_data(m, by=current_user, now=now)
    log_access("member_data", actor=current_user, member=m, now=now)
    db.session.commit()
    return json_download(data, f"bookcafe-member-{m.id}.json")


@bp.route("/access-log")
@access(Role.COORDINATOR)
def access_log():
    """Who viewed or exported members' personal data (kept a year)."""
    member_id = int_arg("member")
    page = db.paginate(access_log_query(member_id), page=page_arg(), per_page=50,
                       error_out=False)
    return render_template("admin/access_log.html", page=page, member_id=member_id,
                           subject=db.session.get(Member, member_id) if member_id else None,
                           names=members_named(page.items), kind_label=kind_label)


@bp.route("/members/<int(max=2147483647):member_id>/role", methods=["POST"])
@access(Role.COORDINATOR)
def change_role(member_id: int):
    """Change a member's role."""
    m, form = db.get_or_404(Member, member_id), submitted(RoleForm())
    accounts.change_role(m, Role(form.role.data), by=current_user, now=utcnow())
    return _done(m, _("The role is changed."))


@bp.route("/members/<int(max=2147483647):member_id>/active", methods=["POST"])
@access(Role.COORDINATOR)
def set_active(member_id: int):
    """Deactivate or reactivate an account."""
    m, form = db.get_or_404(Member, member_id), submitted(ActiveForm())
    accounts.set_active(m, bool(form.active.data), by=current_user, now=utcnow())
    return _done(m, _("The account is active again.") if m.active
                 else _("The account is deactivated."))


@bp.route("/members/<int(max=2147483647):member_id>/password", methods=["POST"])
@access(Role.COORDINATOR)
def reset_password(member_id: int):
    """Give a member a new password, shown once."""
    m, _form = db.get_or_404(Member, member_id), submitted(ConfirmForm())
    password = accounts.reset_password(m, by=current_user, now=utcnow())
    db.session.commit()
    return render_template("admin/password_reset.html", member=m, password=password)


@bp.route("/rules", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def rules():
    """Loan rules: loan days, renewals, limits, holds, blocks, self-checkout."""
    current = loan_rules()
    form = LoanRulesForm(obj=current)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("admin/rules.html", form=form, rules=current), status
    services.update_loan_rules(current, form.values(), by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The loan rules are saved. They apply to new loans."), "success")
    return redirect(url_for("admin.rules"))


PREVIEW_ROWS = 100


@bp.route("/call-numbers", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def call_numbers():
    """Call-number settings, and the copies still without one (with what they would get)."""
    form = (CallNumberSettingsForm() if request.method == "POST"
            else CallNumberSettingsForm.from_settings(callnumbers.settings()))
    if form.validate_on_submit():
        callnumbers.save_settings(form.values(), by=current_user, now=utcnow())
        db.session.commit()
        flash(_("The call-number settings are saved. They apply to call numbers given from "
                "now on."), "success")
        return redirect(url_for("admin.call_numbers"))
    preview = callnumbers.fill_missing(dry_run=True, by=None, now=utcnow(),
                                       limit=PREVIEW_ROWS + 1)
    missing = db.session.scalar(callnumbers.missing_count_query())
    status = 400 if form.is_submitted() else 200
    return render_template("admin/call_numbers.html", form=form, preview=preview[:PREVIEW_ROWS],
                           missing=missing, fill_form=ConfirmForm()), status


@bp.route("/call-numbers/fill", methods=["POST"])
@access(Role.COORDINATOR)
def fill_call_numbers():
    """Give every copy without a call number one (those without a class number stay)."""
    submitted(ConfirmForm())
    filled = callnumbers.fill_missing(dry_run=False, by=current_user, now=utcnow())
    db.session.commit()
    given = sum(1 for f in filled if f.given.call_number)
    flash(_("%(given)d call numbers given; %(left)d copies still need a class number.",
            given=given, left=len(filled) - given), "success")
    return redirect(url_for("admin.call_numbers"))


@bp.route("/deletions")
@access(Role.COORDINATOR)
def deletions():
    """Members who asked for their personal data to be deleted."""
    members = privacy.deletion_requests()
    log_access("member_list", actor=current_user, shown=len(members))
    db.session.commit()
    return render_template("admin/deletions.html", members=members,
                           confirm_form=ConfirmForm())


@bp.route("/members/<int(max=2147483647):member_id>/anonymise", methods=["POST"])
@access(Role.COORDINATOR)
def anonymise(member_id: int):
    """Delete a member's personal data (loans and donations stay as statistics)."""
    m, _form = db.get_or_404(Member, member_id), submitted(ConfirmForm())
    privacy.anonymise(m, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The member's personal data is deleted."), "success")
    return redirect(url_for("admin.deletions"))
