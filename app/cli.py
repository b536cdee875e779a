"""The `flask library ...` commands."""

import smtplib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.accounts.services import create_member
from app.admin.accesslog import purge_access_log as purge_old_access_log
from app.campaigns import tally
from app.catalog import callnumbers, store
from app.circulation import reminders
from app.circulation import services as circulation
from app.core import demo
from app.core.defaults import ensure_defaults
from app.errors import DomainError
from app.exports import backup
from app.exports import services as exports
from app.extensions import db
from app.imports import reading
from app.imports import services as imports
from app.imports.report import report_csv, report_rows, summary_text
from app.intake.books import incomplete_books_query
from app.intake.books import refresh_metadata as refresh_book_metadata
from app.models import Book, Role, utcnow
from app.notices import services as notices


@contextmanager
def _refusal_ends_the_command() -> Iterator[None]:
    """Map a refused use case the command lets through (the CLI's one mapping of a
    DomainError): nothing of it is kept, and the command ends with its reason."""
    try:
        yield
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error


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
    if password == "-":  # noqa: S105 ("-" means: read it from stdin)
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise click.UsageError("the password needs at least 8 characters")
    if len(name.strip()) == 0 or len(name) > 100:
        raise click.UsageError("the name must be 1 to 100 characters")
    ensure_defaults()
    with _refusal_ends_the_command():
        member = create_member(name=name, email=email, password=password, role=Role(role),
                               now=utcnow())
    db.session.commit()
    click.echo(f"created {member.role.value} {member.email} card {member.card_barcode}")


@library.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Fill an empty database with demo data (does nothing if there is data)."""
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


@library.command("refresh-metadata")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True,
              help="How many flagged books to try in this run.")
@with_appcontext
def refresh_metadata(limit: int) -> None:
    """Ask the metadata providers again for books saved with their ISBN only."""
    ids = db.session.scalars(
        incomplete_books_query().where(Book.isbn13.is_not(None)).with_only_columns(Book.id)
        .limit(limit)
    ).all()
    completed = 0
    for book_id in ids:
        book = db.session.get(Book, book_id)
        # One book per transaction: a slow provider never holds up what was found.
        if refresh_book_metadata(book, by=None, now=utcnow()):
            completed += 1
            click.echo(f"completed {book.isbn13} {book.title}")
        db.session.commit()
    remaining = db.session.scalar(
        sa.select(sa.func.count()).select_from(incomplete_books_query().subquery())
    )
    click.echo(f"checked {len(ids)} flagged books, completed {completed}, "
               f"{remaining} still incomplete")


@library.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report, but change nothing.")
@click.option("--mapping", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help="Which column holds a field (header or 1-based number), e.g. "
                   "title=서명; repeat it. 'FIELD=' ignores the field.")
@click.option("--report", type=click.Path(dir_okay=False, writable=True),
              help="Write the per-row report (CSV) to this file.")
@with_appcontext
def import_command(file: str, dry_run: bool, mappings: tuple[str, ...],
                   report: str | None) -> None:
    """Import books and copies from CSV, Excel (.xlsx) or MARC21 (binary or XML)."""

    def progress(text: str) -> None:
        click.echo(text)
        sys.stdout.flush()

    with force_locale("en"):
        with _refusal_ends_the_command():
            ensure_defaults()
            source = reading.load_source(Path(file))
            mapping = None
            if source.kind != "marc":
                mapping = reading.parse_mapping_option(source.headers, mappings)
            rows = reading.check_rows(source, mapping)
            result = imports.run_import(rows, source_kind=source.kind, by=None, now=utcnow(),
                                        filename=Path(file).name, progress=progress)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        if report:
            Path(report).write_bytes(report_csv(result.plan))
        counts = result.plan.counts()
        click.echo(("dry run, nothing written: " if dry_run else "imported: ")
                   + f"{result.books_added} books, {result.copies_added} copies "
                   + f"in {result.seconds} s")
        click.echo(summary_text(counts))
        for row in report_rows(result.plan):
            if row[1] in ("rejected", "warning"):
                click.echo(f"  row {row[0]}: {row[1]}: {row[6]}")


@library.command("export")
@click.argument("what", type=click.Choice(["catalog", "members", "loans"]))
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "mrc", "xml"]),
              default=None, help="Default: from the file name's extension, else csv.")
@click.option("--language", type=click.Choice(["ko", "en"]), default="en", show_default=True,
              help="The language of the column names and words (a copy's status, a role).")
@with_appcontext
def export_command(what: str, path: str, fmt: str | None, language: str) -> None:
    """Export the catalogue (CSV, .xlsx, MARC21 .mrc or MARCXML), members or loans."""
    fmt = fmt or (Path(path).suffix.lstrip(".").lower() or "csv")
    try:
        with force_locale(language):
            data = exports.export_bytes(what, fmt, now=utcnow())
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    Path(path).write_bytes(data)
    click.echo(f"wrote {what} as {fmt} to {path}")


@library.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent copy of the database to PATH (safe while the app runs)."""
    with force_locale("en"), _refusal_ends_the_command():
        info = backup.backup_database(path)
    click.echo(f"backup of the {info.dialect} database written to {path} "
               f"({info.size} bytes)")


@library.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (it is asked only "
              "on a terminal).")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Replace the database's contents with a backup made by `backup` (stop the app first)."""
    with force_locale("en"), _refusal_ends_the_command():
        kind = backup.check_backup(path)
        if not yes and sys.stdin.isatty():
            click.confirm(f"Replace everything in the database with this {kind} backup?",
                          abort=True)
        backup.restore_database(path)
    click.echo(f"restored the database from {path}")


@library.command("expire-holds")
@with_appcontext
def expire_holds() -> None:
    """Expire holds not picked up in time; each copy passes to the next in line."""
    expired = circulation.expire_holds(now=utcnow())
    db.session.commit()
    click.echo(f"{len(expired)} hold(s) expired.")


@library.command("purge-access-log")
@with_appcontext
def purge_access_log() -> None:
    """Delete access-log entries older than a year (it is also done as entries are written)."""
    removed = purge_old_access_log(now=utcnow())
    db.session.commit()
    click.echo(f"{removed} access-log entr{'y' if removed == 1 else 'ies'} older than a year "
               "deleted.")


@library.command("purge-idempotency-keys")
@with_appcontext
def purge_idempotency_keys() -> None:
    """Delete idempotency keys (and the answers kept with them) older than a day."""
    from app.core.idempotency import purge_expired

    removed = purge_expired(now=utcnow())
    db.session.commit()
    click.echo(f"{removed} idempotency key(s) older than a day deleted.")


@library.command("send-reminders")
@click.option("--force", is_flag=True, help="Also remind members reminded in the last week.")
@with_appcontext
def send_reminders(force: bool) -> None:
    """Email members whose books are overdue (needs MAIL_SERVER)."""
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


@library.command("send-notices")
@click.option("--dry-run", is_flag=True, help="Show the messages a run would send; send none.")
@with_appcontext
def send_notices(dry_run: bool) -> None:
    """Gather what is due into one message per member and send the outbox (for cron)."""
    config = current_app.config
    # Templates and translations need a request context; a command has none.
    with current_app.test_request_context("/"):
        if dry_run:
            previews = notices.preview(now=utcnow(), config=config)
            db.session.rollback()
            for p in previews:
                click.echo(f"--- {p.channel} ({p.sent_as}) to {p.member.name}: "
                           f"{', '.join(p.kinds)}")
                click.echo(f"{p.subject}\n{p.text}" if p.subject else p.text)
            click.echo(f"{len(previews)} message(s) would be sent.")
            return
        done = notices.run(now=utcnow(), config=config, commit=db.session.commit)
    if not notices.configured_channels(config):
        click.echo("No channel is configured (MAIL_SERVER, NOTICES_SMS_PROVIDER): "
                   "nothing is gathered or sent.")
        return
    if done.sent.quiet:
        click.echo(f"{done.added} notice(s) added; quiet hours: nothing sent.")
        return
    click.echo(f"{done.added} notice(s) added; {done.sent.messages} message(s) sent; "
               f"{done.sent.failed} failed (retried later).")


@library.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the catalogue search index from the books."""
    count = store.rebuild()
    db.session.commit()
    click.echo(f"Search index rebuilt for {count} books.")


@library.command("recount-campaigns")
@with_appcontext
def recount_campaigns() -> None:
    """Recount the campaigns' running totals per book (campaign_book) from the copies."""
    rows = tally.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Campaign totals recounted: {rows} (campaign, book) rows.")


@library.command("assign-call-numbers")
@click.option("--dry-run", is_flag=True, help="Show what each copy would get; change nothing.")
@with_appcontext
def assign_call_numbers(dry_run: bool) -> None:
    """Give every copy without a call number one (books without a class number are listed)."""
    filled = callnumbers.fill_missing(dry_run=dry_run, by=None, now=utcnow())
    for row in filled:
        given = row.given
        shown = given.placed or "(needs a class number)"
        note = ""
        if given.moved_from:
            note = f"  [moved from {given.moved_from}: another author has it]"
        elif given.collides:
            note = "  [another author has this mark: edit it]"
        click.echo(f"{row.copy.barcode}\t{shown}\t{row.copy.book.title}{note}")
    given = sum(1 for row in filled if row.given.call_number)
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {given} call number(s) would be given; "
                   f"{len(filled) - given} cop(ies) need a class number first.")
        return
    db.session.commit()
    click.echo(f"{given} call number(s) given; {len(filled) - given} cop(ies) need a class "
               "number first.")
