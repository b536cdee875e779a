"""Index the books that have no search index rows (imports made before the catalogue store)

Imports wrote books with Core bulk inserts, which walked past the ORM listeners that kept
the search index: an imported collection was not found by search. Every write of a book now
goes through app/catalog/store.py; this revision indexes the books written before that, so
a café that already imported is repaired by `flask db upgrade`. Data only, no DDL.

Revision ID: a7d3f19c5e20
Revises: e8b2c5d7a913
Create Date: 2026-12-03 00:40:00.000000

"""
from alembic import op

# The index is derived data: computed by the store's current rules, whatever they are.
from app.catalog.store import index_missing


# revision identifiers, used by Alembic.
revision = 'a7d3f19c5e20'
down_revision = 'e8b2c5d7a913'
branch_labels = None
depends_on = None


def upgrade():
    index_missing(op.get_bind())


def downgrade():
    pass  # the index rows stay: they are correct for the books either way
