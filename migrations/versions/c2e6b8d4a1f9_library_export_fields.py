"""fields a Korean library export carries: book.issn and volume (권차); copy.copy_number (복본),
location (자료실) and shelved_on (배가일)

Revision ID: c2e6b8d4a1f9
Revises: a7d3f19c5e20
Create Date: 2026-12-03 01:00:00.000000

Columns only (SQLite adds them in place: no table rebuild, so the copy table keeps
campaign_book's triggers).

"""
from pathlib import Path

from alembic import op
import sqlalchemy as sa

# campaign_book's triggers as e8b2c5d7a913 installed them: SQLite rebuilds the copy table to
# drop a column, which a trigger that names it would stop.
DDL = Path(__file__).resolve().parent.parent / "ddl"


def _run(connection, name: str) -> None:
    text = (DDL / f"e8b2c5d7a913_tally_{name}.sql").read_text(encoding="utf-8")
    for statement in text.split("\n-- statement --\n"):
        if statement.strip():
            connection.exec_driver_sql(statement.strip())


# revision identifiers, used by Alembic.
revision = 'c2e6b8d4a1f9'
down_revision = 'a7d3f19c5e20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issn', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('volume', sa.String(length=20), nullable=True))
    with op.batch_alter_table('copy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copy_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('location', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('shelved_on', sa.Date(), nullable=True))


def downgrade():
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _run(connection, "sqlite_drop")
    with op.batch_alter_table('copy', schema=None) as batch_op:
        batch_op.drop_column('shelved_on')
        batch_op.drop_column('location')
        batch_op.drop_column('copy_number')
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.drop_column('volume')
        batch_op.drop_column('issn')
    if sqlite:
        _run(connection, "sqlite_create")
