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


@library.command("refresh-metadata")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True,
              help="How many flagged books to try in this run.")
@with_appcontext
def refresh_metadata(limit: int) -> None:
    """Ask the metadata providers again for books saved with their ISBN only."""
    import sqlalchemy as sa

    from app.intake.services import incomplete_books_query
    from app.intake.services import refresh_metadata as refresh
    from app.models import Book

    ids = db.session.scalars(
        incomplete_books_query().where(Book.isbn13.is_not(None)).with_only_columns(Book.id)
        .limit(limit)
    ).all()
    completed = 0
    for book_id in ids:
        book = db.session.get(Book, book_id)
        # One book per transaction: a slow provider never holds up what was found.
        if refresh(book, by=None, now=utcnow()):
            completed += 1
            click.echo(f"completed {book.isbn13} {book.title}")
        db.session.commit()
    remaining = db.session.scalar(
        sa.select(sa.func.count()).select_from(incomplete_books_query().subquery())
    )
    click.echo(f"checked {len(ids)} flagged books, completed {completed}, "
               f"{remaining} still incomplete")
