"""covering indexes for a campaign's breakdown: book(kdc_class, addon_reader_group, id)
and copy(book_id, donation_id, status)

The campaign page's breakdown reads every book's class and reader group, and each book's
copies with their donation and status, from these indexes alone, in the order it groups
by. ix_book_kdc_class and ix_copy_book_id (their first columns) stay: being narrower,
they are the faster scan for the collection-by-subject report on SQLite (about 2x).

Revision ID: b7c4e1a2d9f3
Revises: 5c1f0e9a7b42
Create Date: 2026-11-28 17:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c4e1a2d9f3'
down_revision = '5c1f0e9a7b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.create_index('ix_book_kdc_class_reader_group', ['kdc_class', 'addon_reader_group', 'id'], unique=False)

    with op.batch_alter_table('copy', schema=None) as batch_op:
        batch_op.create_index('ix_copy_book_id_donation_id', ['book_id', 'donation_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('copy', schema=None) as batch_op:
        batch_op.drop_index('ix_copy_book_id_donation_id')

    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.drop_index('ix_book_kdc_class_reader_group')
