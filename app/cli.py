"""The `flask library ...` commands."""

import sys

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.models import Role, utcnow


@click.group()
def library():
    """Book Café library commands."""


@library.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value,
    show_default=True,
)
@click.option("--password", required=True, help="The password, or '-' to read it from stdin.")
@with_appcontext
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account and print its card barcode."""
    from app.accounts.services import create_member
    from app.defaults import ensure_defaults
    from app.errors import DomainError

    if password == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise click.UsageError("the password needs at least 8 characters")
    if len(name.strip()) == 0 or len(name) > 100:
        raise click.UsageError("the name must be 1 to 100 characters")
    ensure_defaults()
    try:
        member = create_member(name=name, email=email, password=password, role=Role(role),
                               now=utcnow())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {member.role.value} {member.email} card {member.card_barcode}")


@library.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Fill an empty database with demo data (does nothing if there is data)."""
    from app import demo
    from app.defaults import ensure_defaults

    ensure_defaults()
    if not demo.database_is_empty():
        click.echo("The database already has data: demo data not loaded (your data is kept).")
        db.session.commit()
        return
    accounts = demo.seed(now=utcnow())
    db.session.commit()
    click.echo("Demo data loaded. Demo accounts (password: %s):" % demo.DEMO_PASSWORD)
    for email, name, role, card in accounts:
        click.echo(f"  {role:<12} {email:<32} {name}  card {card}")


@library.command("demo-accounts")
@with_appcontext
def demo_accounts() -> None:
    """Print the demo accounts, if they exist."""
    import sqlalchemy as sa

    from app import demo
    from app.models import Member

    emails = [e for e, *_rest in demo.DEMO_ACCOUNTS]
    found = db.session.scalars(sa.select(Member).where(Member.email.in_(emails))).all()
    if not found:
        return
    click.echo(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
    for m in sorted(found, key=lambda m: -m.role.rank):
        click.echo(f"  {m.role.value:<12} {m.email:<32} {m.name}  card {m.card_barcode}")


@library.command("expire-holds")
@with_appcontext
def expire_holds() -> None:
    """Expire holds not picked up in time; each copy passes to the next in line."""
    from app.circulation import services

    expired = services.expire_holds(now=utcnow())
    db.session.commit()
    click.echo(f"{len(expired)} hold(s) expired.")


@library.command("send-reminders")
@click.option("--force", is_flag=True, help="Also remind members reminded in the last week.")
@with_appcontext
def send_reminders(force: bool) -> None:
    """Email members whose books are overdue (needs MAIL_SERVER)."""
    import smtplib

    from flask import current_app

    from app.circulation import reminders

    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not configured: no email is sent.")
    try:
        # Templates and translations need a request context; a command has none.
        with current_app.test_request_context("/"):
            run = reminders.send_reminders(config, now=utcnow(), force=force)
    except (smtplib.SMTPException, OSError) as error:
        db.session.commit()  # keep the record of the reminders that did go out
        raise click.ClickException(f"sending failed: {error}") from error
    db.session.commit()
    click.echo(f"{len(run.sent)} reminder(s) sent; {run.skipped_recent} reminded recently; "
               f"{run.skipped_no_email} without an email address.")
