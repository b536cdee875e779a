"""Notice pages: the coordinator's outbox, schedule, preview and send; a member's own
choices and log."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.core.access import access
from app.core.forms import submitted
from app.extensions import db
from app.models import Role, utcnow
from app.notices import bp, services
from app.notices.forms import PreferencesForm, RetryForm, ScheduleForm, SendForm
from app.notices.preferences import format_mobile, normalise_mobile, preference_of, save_preference
from app.notices.schedule import CHANNELS, KINDS, STATES, Schedule, load_schedule, parse_days
from app.notices.schedule import save_schedule as keep_schedule


def _arg(name: str, choices) -> str | None:
    value = request.args.get(name, "")
    return value if value in choices else None


def _outbox_page(form: ScheduleForm, status: int = 200):
    filters = {"state": _arg("state", STATES), "channel": _arg("channel", CHANNELS),
               "kind": _arg("kind", KINDS)}
    return render_template(
        "notices/outbox.html", form=form, notices=services.outbox(**filters), filters=filters,
        states=STATES, channels=CHANNELS, kinds=KINDS, retry_form=RetryForm(),
        send_form=SendForm(),
        configured=services.configured_channels(current_app.config),
    ), status


@bp.route("/admin/notices", methods=["GET"])
@access(Role.COORDINATOR)
def outbox():
    """The outbox and log of notices, with filters; the schedule."""
    schedule = load_schedule()
    form = ScheduleForm(data={
        "days_before": ", ".join(map(str, schedule.days_before)),
        "days_after": ", ".join(map(str, schedule.days_after)),
        "send_hour": schedule.send_hour, "quiet_from": schedule.quiet_from,
        **{f"on_{kind}": kind in schedule.kinds_on for kind in KINDS},
    })
    return _outbox_page(form)


@bp.route("/admin/notices/schedule", methods=["POST"])
@access(Role.COORDINATOR)
def save_schedule():
    """Save the notices' schedule."""
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _outbox_page(form, 400)
    keep_schedule(Schedule(
        kinds_on=[kind for kind in KINDS if form[f"on_{kind}"].data],
        days_before=parse_days(form.days_before.data or ""),
        days_after=parse_days(form.days_after.data or ""),
        send_hour=form.send_hour.data, quiet_from=form.quiet_from.data,
    ))
    db.session.commit()
    flash(_("The notices' schedule is saved."), "success")
    return redirect(url_for("notices.outbox"), code=303)


@bp.route("/admin/notices/preview", methods=["GET"])
@access(Role.COORDINATOR)
def preview():
    """The messages a run would send now, written out (nothing is kept or sent)."""
    previews = services.preview(now=utcnow(), config=current_app.config)
    db.session.rollback()
    return render_template("notices/preview.html", previews=previews, kinds=KINDS,
                           channels=CHANNELS, send_form=SendForm(),
                           quiet=load_schedule().is_quiet(utcnow()))


@bp.route("/admin/notices/send", methods=["POST"])
@access(Role.COORDINATOR)
def send():
    """Send what is due now (as the scheduled command does)."""
    submitted(SendForm())
    done = services.run(now=utcnow(), config=current_app.config, commit=db.session.commit)
    if done.sent.quiet:
        flash(_("Quiet hours: nothing was sent. The notices wait for the send hour."), "info")
    else:
        flash(_("%(sent)d message(s) sent, %(failed)d failed (they are retried later).",
                sent=done.sent.messages, failed=done.sent.failed), "success")
    return redirect(url_for("notices.outbox"), code=303)


@bp.route("/admin/notices/retry", methods=["POST"])
@access(Role.COORDINATOR)
def retry():
    """Put a failed notice back in the outbox for the next run."""
    form = submitted(RetryForm())
    if services.retry(form.notice_id.data, now=utcnow()) is not None:
        db.session.commit()
        flash(_("The notice goes out with the next run."), "success")
    return redirect(request.referrer if _same_site(request.referrer)
                    else url_for("notices.outbox"), code=303)


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url + "admin/notices")


def _preferences_page(form: PreferencesForm, status: int = 200):
    return render_template("notices/preferences.html", form=form, kinds=KINDS, states=STATES,
                           channels=CHANNELS,
                           notices=services.outbox(member=current_user, limit=50)), status


@bp.route("/me/notices", methods=["GET", "POST"])
@access(Role.MEMBER)
def preferences():
    """Choose how to be told (email, text message) and which notices; see those sent."""
    if request.method == "GET":
        pref = preference_of(current_user)
        form = PreferencesForm(data={
            "by_email": pref.by_email, "by_text": pref.by_text,
            "mobile": format_mobile(pref.mobile),
            **{f"want_{kind}": kind not in (pref.kinds_off or []) for kind in KINDS},
        })
        return _preferences_page(form)
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _preferences_page(form, 400)
    save_preference(current_user, by_email=form.by_email.data, by_text=form.by_text.data,
                    mobile=normalise_mobile(form.mobile.data),
                    kinds_off=[kind for kind in KINDS if not form[f"want_{kind}"].data])
    db.session.commit()
    flash(_("Your notice choices are saved."), "success")
    return redirect(url_for("notices.preferences"), code=303)


def my_notices_section(member) -> Markup:
    """The notices part of /me: how I am told, and a link to change it."""
    pref = preference_of(member)
    # Markup: the output of an autoescaped template, not raw user input.
    return Markup(render_template(  # noqa: S704  # nosec B704
        "notices/_me.html", pref=pref, mobile=format_mobile(pref.mobile),
        notices=services.outbox(member=member, limit=5), kinds=KINDS, states=STATES,
        channels=CHANNELS))
