"""Coordinators' pages: members, roles, loan rules."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services as accounts
from app.admin import bp, services
from app.admin.accesslog import access_log_query, kind_label, log_access
from app.admin.forms import (
    ActiveForm,
    ConfirmForm,
    LoanRulesForm,
    MemberSearchForm,
    NewMemberForm,
    RoleForm,
)
from app.core.access import access
from app.core.defaults import loan_rules
from app.core.params import int_arg, page_arg
from app.errors import DomainError
from app.extensions import db
from app.models import Member, Role, utcnow


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
@access(Role.COORDINATOR)
def new_member():
    """Register a member at the café (email optional; the card is what they use)."""
    form = NewMemberForm()
    if form.validate_on_submit():
        try:
            member = accounts.create_member(
                name=form.name.data, email=form.email.data or None, password=None,
                phone=form.phone.data, role=Role(form.role.data), by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s is registered with card %(card)s.", name=member.name,
                    card=member.card_barcode), "success")
            return redirect(url_for("admin.member", member_id=member.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/new_member.html", form=form), status


@bp.route("/members/<int(max=2147483647):member_id>")
@access(Role.COORDINATOR)
def member(member_id: int):
    """One member: card, role, state, actions."""
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
    import json

    from flask import Response

    from app.accounts.privacy import export_member_data

    m = db.get_or_404(Member, member_id)
    now = utcnow()
    data = export_member_data(m, by=current_user, now=now)
    log_access("member_data", actor=current_user, member=m, now=now)
    db.session.commit()
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition":
                             f"attachment; filename=bookcafe-member-{m.id}.json",
                             "Cache-Control": "no-store"})


@bp.route("/access-log")
@access(Role.COORDINATOR)
def access_log():
    """Who viewed or exported members' personal data (kept a year)."""
    member_id = int_arg("member")
    page = db.paginate(access_log_query(member_id), page=page_arg(), per_page=50,
                       error_out=False)
    subject = db.session.get(Member, member_id) if member_id else None
    names = {m.id: m for m in db.session.scalars(sa.select(Member).where(
        Member.id.in_({e.entity_id for e in page.items if e.entity_id})))}
    return render_template("admin/access_log.html", page=page, subject=subject,
                           member_id=member_id, names=names, kind_label=kind_label)


def _member_action(member_id: int, form, action):
    m = db.get_or_404(Member, member_id)
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("admin.member", member_id=m.id)), m, None
    try:
        result = action(m)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.member", member_id=m.id)), m, None
    db.session.commit()
    return None, m, result


@bp.route("/members/<int(max=2147483647):member_id>/role", methods=["POST"])
@access(Role.COORDINATOR)
def change_role(member_id: int):
    """Change a member's role."""
    form = RoleForm()
    response, m, _result = _member_action(
        member_id, form,
        lambda m: accounts.change_role(m, Role(form.role.data), by=current_user, now=utcnow()),
    )
    if response is None:
        flash(_("The role is changed."), "success")
    return response or redirect(url_for("admin.member", member_id=m.id))


@bp.route("/members/<int(max=2147483647):member_id>/active", methods=["POST"])
@access(Role.COORDINATOR)
def set_active(member_id: int):
    """Deactivate or reactivate an account."""
    form = ActiveForm()
    response, m, _result = _member_action(
        member_id, form,
        lambda m: accounts.set_active(m, bool(form.active.data), by=current_user, now=utcnow()),
    )
    if response is None:
        flash(_("The account is active again.") if m.active
              else _("The account is deactivated."), "success")
    return response or redirect(url_for("admin.member", member_id=m.id))


@bp.route("/members/<int(max=2147483647):member_id>/password", methods=["POST"])
@access(Role.COORDINATOR)
def reset_password(member_id: int):
    """Give a member a new password, shown once."""
    response, m, password = _member_action(
        member_id, ConfirmForm(),
        lambda m: accounts.reset_password(m, by=current_user, now=utcnow()),
    )
    if response is not None:
        return response
    return render_template("admin/password_reset.html", member=m, password=password)


@bp.route("/rules", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def rules():
    """Loan rules: loan days, renewals, limits, holds, blocks, self-checkout."""
    current = loan_rules()
    form = LoanRulesForm(obj=current)
    if form.validate_on_submit():
        values = {f: getattr(form, f).data for f in services.RULE_FIELDS}
        for f in ("max_renewals", "max_holds", "renew_overdue_days"):
            values[f] = values[f] or 0
        services.update_loan_rules(current, values, by=current_user, now=utcnow())
        db.session.commit()
        flash(_("The loan rules are saved. They apply to new loans."), "success")
        return redirect(url_for("admin.rules"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/rules.html", form=form, rules=current), status


@bp.route("/deletions")
@access(Role.COORDINATOR)
def deletions():
    """Members who asked for their personal data to be deleted."""
    from app.accounts.privacy import deletion_requests

    members = deletion_requests()
    log_access("member_list", actor=current_user, shown=len(members))
    db.session.commit()
    return render_template("admin/deletions.html", members=members,
                           confirm_form=ConfirmForm())


@bp.route("/members/<int(max=2147483647):member_id>/anonymise", methods=["POST"])
@access(Role.COORDINATOR)
def anonymise(member_id: int):
    """Delete a member's personal data (loans and donations stay as statistics)."""
    from app.accounts.privacy import anonymise as anonymise_member

    response, _m, _result = _member_action(
        member_id, ConfirmForm(), lambda m: anonymise_member(m, by=current_user, now=utcnow())
    )
    if response is not None:
        return response
    flash(_("The member's personal data is deleted."), "success")
    return redirect(url_for("admin.deletions"))
