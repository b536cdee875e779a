"""Campaign pages: list, page with totals and charts, manage, move a donation, CSV, PDF."""

from collections.abc import Callable

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.campaigns import bp, donors, figures, gifts, services
from app.campaigns.acknowledgement import acknowledgement_pdf
from app.campaigns.forms import CampaignForm, ConfirmForm, MoveDonationForm
from app.core.access import access
from app.core.classification import kdc_class_name, reader_group_name
from app.core.csvutil import csv_response
from app.core.params import page_arg
from app.core.refusals import shown_inline
from app.core.timebuckets import LOCAL_TZ, local_today
from app.extensions import db
from app.models import Campaign, Donation, Role, utcnow
from app.reports.charts import bar_chart, column_chart

RECENT = 20  # donations on the campaign page; the rest are on its donations pages
PER_PAGE = 50  # donations on each of its donations pages


def _saved(campaign: Campaign, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


def _form_page(form: CampaignForm, campaign: Campaign | None):
    status = 400 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=campaign), status


def _charts(campaign: Campaign) -> dict:
    """Return the campaign page's totals, weeks, breakdowns and their charts."""
    weeks = figures.by_week(campaign, today=local_today(utcnow()))
    totals, breakdown = figures.campaign_figures(campaign)
    subjects = [(kdc_class_name(c), n) for c, n in breakdown.subjects]
    groups = [(reader_group_name(c), n) for c, n in breakdown.reader_groups]
    return {
        "totals": totals, "weeks": weeks, "subjects": subjects, "groups": groups,
        "week_chart": column_chart([w[5:] for w, _n in weeks],
                                   [(_("Books"), [n for _w, n in weeks])],
                                   title=_("Books donated per week"), testid="week-chart"),
        "subject_chart": bar_chart(subjects, title=_("Books by subject"), testid="subject-chart"),
        "group_chart": bar_chart(groups, title=_("Books by reader group"), testid="group-chart"),
    }


def _donation_rows(campaign: Campaign, donations, is_coordinator: bool) -> dict:
    """Return the donations table: donor labels, and move forms for coordinators."""
    move_forms = {}
    if is_coordinator:
        others = [c for c in services.list_campaigns() if c.id != campaign.id]
        move_forms = {d.id: MoveDonationForm.of(d, others) for d, _n in donations}
    return {
        "recent": [(d, n, figures.donor_label(d, reveal=is_coordinator)) for d, n in donations],
        "move_forms": move_forms,
    }


def _campaign_action(campaign_id: int, action: Callable, done: str):
    campaign = db.get_or_404(Campaign, campaign_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
    else:
        action(campaign, by=current_user, now=utcnow())
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.route("/campaigns")
@access(Role.MEMBER)
def index():
    """Every campaign with its totals; coordinators manage them from here."""
    campaigns = services.list_campaigns()
    totals = services.totals_by_campaign([c.id for c in campaigns])
    return render_template("campaigns/index.html", campaigns=campaigns, totals=totals,
                           confirm_form=ConfirmForm())


@bp.route("/campaigns/new", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def new():
    """Create a campaign."""
    form = CampaignForm()
    if form.validate_on_submit():
        with shown_inline(form.form_errors):
            campaign = services.create_campaign(**form.values(), by=current_user, now=utcnow())
            return _saved(campaign, _("The campaign is created."))
    return _form_page(form, None)


@bp.route("/campaigns/<int(max=2147483647):campaign_id>")
@access(Role.MEMBER)
def show(campaign_id: int):
    """A campaign's totals, charts, most-borrowed books, donors and recent donations."""
    campaign = db.get_or_404(Campaign, campaign_id)
    is_coordinator = current_user.has_role(Role.COORDINATOR)
    recent = figures.recent_donations(campaign, limit=RECENT)
    return render_template(
        "campaigns/show.html", campaign=campaign, **_charts(campaign),
        most_borrowed=figures.most_borrowed(campaign), top_donors=figures.top_donors(campaign),
        outcomes=gifts.campaign_outcomes(campaign.id),
        **_donation_rows(campaign, recent, is_coordinator), confirm_form=ConfirmForm(),
        is_coordinator=is_coordinator, tz=LOCAL_TZ,
    )


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/donations")
@access(Role.COORDINATOR)
def donations(campaign_id: int):
    """Every donation of a campaign, a page at a time, each movable to another campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    total = services.campaign_totals(campaign).donations
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_arg(), pages)
    rows = figures.recent_donations(campaign, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("campaigns/donations.html", campaign=campaign, page=page,
                           pages=pages, total=total, is_coordinator=True,
                           **_donation_rows(campaign, rows, True))


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/edit", methods=["GET", "POST"])
@access(Role.COORDINATOR)
def edit(campaign_id: int):
    """Change a campaign's name, goal, dates, description, state."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    if form.validate_on_submit():
        with shown_inline(form.form_errors):
            services.update_campaign(campaign, **form.values(), by=current_user, now=utcnow())
            return _saved(campaign, _("The campaign is saved."))
    return _form_page(form, campaign)


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/close", methods=["POST"])
@access(Role.COORDINATOR)
def close(campaign_id: int):
    """Close a campaign."""
    return _campaign_action(campaign_id, services.close_campaign, _("The campaign is closed."))


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/default", methods=["POST"])
@access(Role.COORDINATOR)
def make_default(campaign_id: int):
    """Make a campaign the default for intake."""
    return _campaign_action(campaign_id, services.set_default_campaign,
                            _("Intake now preselects this campaign."))


@bp.route("/campaigns/donations/<int(max=2147483647):donation_id>/move", methods=["POST"])
@access(Role.COORDINATOR)
def move_donation(donation_id: int):
    """Move a donation to another campaign (recorded in the audit trail)."""
    donation = db.get_or_404(Donation, donation_id)
    back = url_for("campaigns.show", campaign_id=donation.campaign_id) \
        if donation.campaign_id else url_for("campaigns.index")
    form = MoveDonationForm.of(donation, services.list_campaigns())
    if not form.validate_on_submit():
        flash(_("Choose a campaign to move the donation to."), "error")
        return redirect(back)
    target = db.get_or_404(Campaign, form.campaign_id.data)
    services.move_donation(donation, target, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The donation is moved to %(name)s.", name=target.name), "success")
    return redirect(back)


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/donations.csv")
@access(Role.COORDINATOR)
def export_donations(campaign_id: int):
    """Download the campaign's donated copies as CSV (opens in a spreadsheet)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    header, rows = figures.export_donations(campaign, by=current_user, now=utcnow())
    db.session.commit()
    return csv_response(f"campaign-{campaign.id}-donations.csv", header, rows)


@bp.route("/me/donations/<int(max=2147483647):donation_id>/acknowledgement.pdf")
@access(Role.MEMBER)
def acknowledgement(donation_id: int):
    """The donor's printable thank-you for one of their donations (Korean or English)."""
    mine = donors.donation_of(current_user, donation_id)
    ack = donors.acknowledgement(mine, donor_name=current_user.name,
                                 cafe_name=current_app.config["CAFE_NAME"])
    lang = request.args.get("lang") or current_user.locale or str(get_locale())
    pdf = acknowledgement_pdf(ack, lang="en" if lang == "en" else "ko")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="donation-{donation_id}.pdf"',
        "Cache-Control": "private, no-store",
    })


def my_donations_section(member) -> Markup:
    """Render 'My donations' for the member's own page."""
    return Markup(render_template(  # noqa: S704  # nosec B704 (an autoescaped template)
        "campaigns/_my_donations.html", donations=donors.member_donations(member),
        member=member,
    ))
