"""The `flask library` commands."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Book, Copy, CopyStatus, Loan, Member, Role
from app.models.base import utcnow


def test_create_user(runner):
    result = runner.invoke(args=["library", "create-user", "Vol@Example.com", "--name",
                                 "이서준", "--role", "volunteer", "--password", "secret pw 1"])
    assert result.exit_code == 0, result.output
    member = db.session.scalar(sa.select(Member))
    assert member.email == "vol@example.com" and member.role == Role.VOLUNTEER
    assert member.card_barcode in result.output
    assert member.check_password("secret pw 1")


def test_create_user_password_from_stdin_and_duplicates(runner):
    result = runner.invoke(args=["library", "create-user", "c@example.com", "--name", "C",
                                 "--role", "coordinator", "--password", "-"],
                           input="from stdin pw\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Member)).check_password("from stdin pw")
    again = runner.invoke(args=["library", "create-user", "c@example.com", "--name", "C",
                                "--password", "another pw"])
    assert again.exit_code == 1
    assert "An account with this email address already exists." in again.output
    short = runner.invoke(args=["library", "create-user", "d@example.com", "--name", "D",
                                "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output


def test_seed_demo_fills_an_empty_database_once(runner):
    result = runner.invoke(args=["library", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator@bookcafe.example" in result.output
    books = db.session.scalar(sa.select(sa.func.count(Book.id)))
    assert books >= 30
    korean = db.session.scalar(sa.select(sa.func.count(Book.id)).where(Book.language == "ko"))
    assert korean >= 10
    roles = set(db.session.scalars(sa.select(Member.role)))
    assert roles == {Role.MEMBER, Role.VOLUNTEER, Role.COORDINATOR}
    open_loans = db.session.scalars(sa.select(Loan).where(Loan.returned_at.is_(None))).all()
    today = utcnow().date()
    assert len(open_loans) >= 2 and any(loan.is_overdue(today) for loan in open_loans)
    on_loan = db.session.scalar(sa.select(sa.func.count(Copy.id)).where(
        Copy.status == CopyStatus.ON_LOAN))
    assert on_loan == len(open_loans)
    again = runner.invoke(args=["library", "seed-demo"])
    assert again.exit_code == 0 and "already has data" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Book.id))) == books
