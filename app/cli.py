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

    if password == "-":  # noqa: S105 ("-" means: read it from stdin)
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
    if demo.database_is_empty():
        demo.seed(now=utcnow())
        click.echo("Demo data loaded.")
    else:
        click.echo("The database already has data: demo data not loaded (your data is kept).")
    db.session.commit()
    accounts = demo.demo_accounts()
    if accounts:
        click.echo(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
        for member in accounts:
            click.echo(f"  {member.role.value:<12} {member.email:<32} {member.name}"
                       f"  card {member.card_barcode}")


@library.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the catalogue search index from the books."""
    from app.catalog.index import rebuild

    count = rebuild()
    db.session.commit()
    click.echo(f"Search index rebuilt for {count} books.")
