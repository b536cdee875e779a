"""campaign_book: a campaign's copies, copies kept and loans per book, kept by triggers

The campaign page's breakdown and most-borrowed list read this table instead of joining
every copy of the campaign to its book and every loan to its copy. The triggers (see
app/campaigns/tally.py) keep it in the same transaction as each write; the table is
filled here from the existing copies, donations and loans. The breakdown's covering index
on book(kdc_class, addon_reader_group, id) has no reader left and goes.

Revision ID: e8b2c5d7a913
Revises: d41f6a8c2e57
Create Date: 2026-11-28 20:50:00.000000

"""
from pathlib import Path

from alembic import op
import sqlalchemy as sa

# The triggers' DDL as this revision installs it, frozen in migrations/ddl/ (the app's
# app/campaigns/tally.py generates the same text; a test says so, and a change there
# needs a revision of its own).
DDL = Path(__file__).resolve().parent.parent / "ddl"


def _statements(name: str) -> list[str]:
    text = (DDL / f"e8b2c5d7a913_tally_{name}.sql").read_text(encoding="utf-8")
    return [part.strip() for part in text.split("\n-- statement --\n") if part.strip()]


def _run(connection, name: str) -> None:
    for statement in _statements(name):
        connection.exec_driver_sql(statement)


# revision identifiers, used by Alembic.
revision = 'e8b2c5d7a913'
down_revision = 'd41f6a8c2e57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaign_book',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('book_id', sa.Integer(), nullable=False),
        sa.Column('kdc_class', sa.String(length=1), nullable=True),
        sa.Column('reader_group', sa.String(length=1), nullable=True),
        sa.Column('copies', sa.Integer(), nullable=False),
        sa.Column('kept', sa.Integer(), nullable=False),
        sa.Column('loans', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_campaign_book_book_id_book'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_campaign_book_campaign_id_campaign'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'book_id', name=op.f('pk_campaign_book')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('campaign_book', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_book_book_id'), ['book_id'], unique=False)
        batch_op.create_index('ix_campaign_book_campaign_id_loans', ['campaign_id', 'loans'], unique=False)

    connection = op.get_bind()
    _run(connection, f"{connection.dialect.name}_create")
    _run(connection, "rebuild")

    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.drop_index('ix_book_kdc_class_reader_group')


def downgrade():
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.create_index('ix_book_kdc_class_reader_group', ['kdc_class', 'addon_reader_group', 'id'], unique=False)

    connection = op.get_bind()
    _run(connection, f"{connection.dialect.name}_drop")
    with op.batch_alter_table('campaign_book', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_book_campaign_id_loans')
        batch_op.drop_index(batch_op.f('ix_campaign_book_book_id'))
    op.drop_table('campaign_book')
