"""Campaign pages: list, page with totals and charts, manage, move a donation, CSV, PDF."""

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.admin.accesslog import log_access
from app.campaigns import bp, services
from app.campaigns.acknowledgement import Acknowledgement, acknowledgement_pdf
from app.campaigns.forms import CampaignForm, ConfirmForm, MoveDonationForm
from app.core import audit
from app.core.access import access
from app.core.classification import kdc_class_name, reader_group_name
from app.core.csvutil import csv_response
from app.core.params import page_arg
from app.core.timebuckets import LOCAL_TZ, local_today
from app.errors import DomainError
from app.extensions import db
from app.models import Campaign, Donation, Role, utcnow
from app.reports.charts import bar_chart, column_chart

RECENT = 20  # donations on the campaign page; the rest are on its donations pages
CAMPAIGN_FIELDS = ("name", "description", "goal_books", "starts_on", "ends_on", "is_active",
                   "is_default")


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
        try:
            campaign = services.create_campaign(
                **{f: getattr(form, f).data for f in CAMPAIGN_FIELDS},
                by=current_user, now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The campaign is created."), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    status = 400 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=None), status


@bp.route("/campaigns/<int(max=2147483647):campaign_id>")
@access(Role.MEMBER)
def show(campaign_id: int):
    """A campaign's totals, charts, most-borrowed books, donors and recent donations."""
    campaign = db.get_or_404(Campaign, campaign_id)
    today = local_today(utcnow())
    is_coordinator = current_user.has_role(Role.COORDINATOR)
    weeks = services.by_week(campaign, today=today)
    totals, breakdown = services.campaign_figures(campaign)
    subjects = [(kdc_class_name(c), n) for c, n in breakdown.subjects]
    groups = [(reader_group_name(c), n) for c, n in breakdown.reader_groups]
    recent = services.recent_donations(campaign, limit=RECENT)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        totals=totals,
        weeks=weeks,
        week_chart=column_chart([w[5:] for w, _n in weeks], [(_("Books"), [n for _w, n in weeks])],
                                title=_("Books donated per week"), testid="week-chart"),
        subjects=subjects,
        subject_chart=bar_chart(subjects, title=_("Books by subject"), testid="subject-chart"),
        groups=groups,
        group_chart=bar_chart(groups, title=_("Books by reader group"), testid="group-chart"),
        most_borrowed=services.most_borrowed(campaign),
        top_donors=services.top_donors(campaign),
        **_donation_rows(campaign, recent, is_coordinator),
        confirm_form=ConfirmForm(),
        is_coordinator=is_coordinator,
        tz=LOCAL_TZ,
    )


def _donation_rows(campaign: Campaign, donations, is_coordinator: bool) -> dict:
    """Return the donations table: donor labels, and move forms for coordinators."""
    move_forms = {}
    if is_coordinator:
        others = [(c.id, c.name) for c in services.list_campaigns() if c.id != campaign.id]
        for donation, _n in donations:
            form = MoveDonationForm(prefix=f"d{donation.id}")
            form.campaign_id.choices = others
            move_forms[donation.id] = form
    return {
        "recent": [(d, n, services.donor_label(d, reveal=is_coordinator)) for d, n in donations],
        "move_forms": move_forms,
    }


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/donations")
@access(Role.COORDINATOR)
def donations(campaign_id: int):
    """Every donation of a campaign, a page at a time, each movable to another campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    per_page = 50
    page = page_arg()
    total = services.campaign_totals(campaign).donations
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    rows = services.recent_donations(campaign, limit=per_page, offset=(page - 1) * per_page)
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
        try:
            services.update_campaign(
                campaign, **{f: getattr(form, f).data for f in CAMPAIGN_FIELDS},
                by=current_user, now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The campaign is saved."), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    status = 400 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=campaign), status


def _campaign_action(campaign_id: int, action, done: str):
    campaign = db.get_or_404(Campaign, campaign_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
    else:
        try:
            action(campaign, by=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


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
    form = MoveDonationForm(prefix=f"d{donation.id}")
    form.campaign_id.choices = [(c.id, c.name) for c in services.list_campaigns()]
    if not form.validate_on_submit():
        flash(_("Choose a campaign to move the donation to."), "error")
        return redirect(back)
    target = db.get_or_404(Campaign, form.campaign_id.data)
    try:
        services.move_donation(donation, target, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("The donation is moved to %(name)s.", name=target.name), "success")
    return redirect(back)


@bp.route("/campaigns/<int(max=2147483647):campaign_id>/donations.csv")
@access(Role.COORDINATOR)
def export_donations(campaign_id: int):
    """Download the campaign's donated copies as CSV (opens in a spreadsheet)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = services.donation_rows(campaign)
    audit.record("campaign.export", actor=current_user, entity="campaign",
                 entity_id=campaign.id, rows=len(rows))
    log_access("campaign_donors", actor=current_user, campaign=campaign.id, rows=len(rows))
    db.session.commit()
    header = [_("Donation"), _("Received"), _("Donor"), _("Donor card"), _("Anonymous"),
              _("Agreed to be named"), _("Barcode"), _("ISBN"), _("Title"), _("Authors"),
              _("KDC class"), _("Status"), _("Received by"), _("Note")]
    body = (
        (d_id, received.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"), donor, card,
         anonymous, named if not anonymous else None, barcode, isbn, title, authors, kdc,
         str(status), receiver, note)
        for (d_id, received, donor, card, anonymous, named, barcode, isbn, title, authors, kdc,
             status, receiver, note) in rows
    )
    return csv_response(f"campaign-{campaign.id}-donations.csv", header, body)


@bp.route("/me/donations/<int(max=2147483647):donation_id>/acknowledgement.pdf")
@access(Role.MEMBER)
def acknowledgement(donation_id: int):
    """The donor's printable thank-you for one of their donations (Korean or English)."""
    mine = services.donation_of(current_user, donation_id)
    lang = request.args.get("lang") or current_user.locale or str(get_locale())
    donation = mine.donation
    ack = Acknowledgement(
        donation_id=donation.id,
        donor_name=current_user.name,
        campaign_name=donation.campaign.name if donation.campaign else None,
        donated_on=donation.received_at.astimezone(LOCAL_TZ).date(),
        books=mine.books,
        cafe_name=current_app.config["CAFE_NAME"],
    )
    pdf = acknowledgement_pdf(ack, lang="en" if lang == "en" else "ko")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="donation-{donation.id}.pdf"',
        "Cache-Control": "private, no-store",
    })


def my_donations_section(member) -> Markup:
    """Render 'My donations' for the member's own page."""
    return Markup(render_template(  # noqa: S704  # nosec B704 (an autoescaped template)
        "campaigns/_my_donations.html", donations=services.member_donations(member),
        member=member,
    ))
