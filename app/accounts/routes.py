"""Account pages: register, log in and out, language, the member's own page."""

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import bp, privacy, services
from app.accounts.card import card_barcode_svg
from app.accounts.forms import (
    ConfirmDeletionForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    SettingsForm,
)
from app.core.access import ANYONE, access
from app.core.downloads import json_download
from app.core.refusals import shown_inline
from app.extensions import db
from app.models import Member, Role, utcnow


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _next_page() -> str:
    return safe_next(request.args.get("next")) or url_for("main.index")


def _start_session(member: Member, remember: bool = False) -> None:
    # A new session at login: nothing from the anonymous session carries over.
    lang = session.get("lang")
    session.clear()
    login_user(member, remember=remember)
    if lang and not member.locale:
        member.locale = lang


def _authenticate(form: LoginForm) -> Member:
    """Return the member logging in with the form; a refused attempt counts (throttle)."""
    now = utcnow()
    reserved = services.reserve_login_attempt(form.email.data, address=services.client_address(),
                                              now=now)
    db.session.commit()  # seen by attempts racing on other workers
    return services.authenticate(form.email.data, form.password.data, reserved, now=now)


def _settings_page(form: SettingsForm, password_form: PasswordForm, status: int):
    return render_template(
        "accounts/settings.html", form=form, password_form=password_form,
        deletion_form=ConfirmDeletionForm(),
        tokens=services.active_tokens(current_user, now=utcnow()),
    ), status


def me_sections() -> list:
    """Return the extra sections other areas add to /me (loans, holds, donations)."""
    return [provider(current_user) for provider in current_app.extensions.get("me_sections", [])]


@bp.route("/login", methods=["GET", "POST"])
@access(ANYONE)
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(_next_page())
    form, status = LoginForm(), 200
    if form.validate_on_submit():
        with shown_inline(form.password.errors, keep=True) as refusal:
            member = _authenticate(form)
            _start_session(member, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=member.name), "success")
            return redirect(_next_page())
        status = refusal.status
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
@access(ANYONE)
def logout():
    """Log out (POST); GET shows a button, so a link elsewhere cannot log anyone out."""
    if request.method == "GET":
        return render_template("accounts/logout.html")
    if current_user.is_authenticated:
        current_user.rotate_session()  # a copy of the session cookie kept elsewhere stops too
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@access(ANYONE)
def register():
    """Create a member account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = session.get("lang") or request.accept_languages.best_match(
            ("ko", "en")) or "ko"
    if form.validate_on_submit():
        with shown_inline(form.email.errors):
            member = services.create_member(**form.member(), role=Role.MEMBER, now=utcnow())
            _start_session(member)
            db.session.commit()
            flash(_("Your account is ready. Your card number is %(card)s.",
                    card=member.card_barcode), "success")
            return redirect(url_for("accounts.me"))
    return render_template("accounts/register.html", form=form), \
        400 if form.is_submitted() else 200


@bp.route("/lang", methods=["POST"])
@access(ANYONE)
def set_language():
    """Switch the interface language (remembered on the account when logged in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.route("/me", methods=["GET"])
@access(Role.MEMBER)
def me():
    """The member's own page."""
    return render_template("accounts/me.html", sections=me_sections(),
                           card_svg=card_barcode_svg(current_user.card_barcode))


@bp.route("/me/settings", methods=["GET", "POST"])
@access(Role.MEMBER)
def settings():
    """Change one's own name, phone, language and privacy choices."""
    form = SettingsForm(obj=current_user)
    if not form.validate_on_submit():
        return _settings_page(form, PasswordForm(prefix="pw"), 400 if form.is_submitted() else 200)
    services.change_settings(current_user, **form.values())
    session["lang"] = form.locale.data
    db.session.commit()
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("accounts.me"))


@bp.route("/me/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@access(Role.MEMBER)
def revoke_token(token_id: int):
    """Revoke one of my API tokens."""
    if services.own_token(current_user, token_id) is None:
        abort(404)  # the address names no token of mine: no page to go back to with a reason
    services.revoke_token(current_user, token_id, now=utcnow())
    db.session.commit()
    flash(_("The API token is revoked."), "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/me/password", methods=["POST"])
@access(Role.MEMBER)
def change_password():
    """Change one's own password."""
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        with shown_inline(form.current.errors):
            services.change_password(current_user, form.current.data, form.password.data,
                                     now=utcnow())
            db.session.commit()
            # The session token changed: log this session in again with the new one.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.me"))
    return _settings_page(SettingsForm(obj=current_user), form, 400)


@bp.route("/me/data.json", methods=["GET"])
@access(Role.MEMBER)
def download_data():
    """Download everything the café holds about me, as JSON."""
    data = privacy.export_member_data(current_user, by=current_user, now=utcnow())
    db.session.commit()
    return json_download(data, "bookcafe-my-data.json")


@bp.route("/me/delete", methods=["POST"])
@access(Role.MEMBER)
def request_deletion():
    """Ask for my personal data to be deleted (a coordinator completes it)."""
    if not ConfirmDeletionForm().validate_on_submit():
        flash(_("Please tick the box to confirm."), "error")
        return redirect(url_for("accounts.settings"))
    privacy.request_deletion(current_user, now=utcnow())
    db.session.commit()
    flash(_("Your request is recorded. A coordinator will delete your data and tell you."),
          "success")
    return redirect(url_for("accounts.settings"))
