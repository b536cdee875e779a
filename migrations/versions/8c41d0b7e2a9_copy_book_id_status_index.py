"""copy(book_id, status) instead of copy(book_id)

Browsing "available now" (`/catalog?available=1`, with a language or a subject) asks of
each book listed whether one of its copies is available: with copy(book_id) each probe
read the copies' rows for their status. copy(book_id, status) answers from the index
alone: at 1M books on SQLite a language with "available now" went from 66 to 35 ms (its
page 100 from 90 to 33 ms), a subject with it (page 100) from 85 to 39 ms. It serves
every lookup copy(book_id) served, so that one goes.

Revision ID: 8c41d0b7e2a9
Revises: 2959a5b36582
Create Date: 2026-12-03 12:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8c41d0b7e2a9'
down_revision = '2959a5b36582'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_copy_book_id_status', 'copy', ['book_id', 'status'], unique=False)
    op.drop_index('ix_copy_book_id', table_name='copy')


def downgrade():
    op.create_index('ix_copy_book_id', 'copy', ['book_id'], unique=False)
    op.drop_index('ix_copy_book_id_status', table_name='copy')
