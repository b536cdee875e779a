"""search index: each bigram row carries the book's bigram signature (search_gram.sig)

A search now reads only its rarest bigram's entries and prunes them by signature, so the
signature must be in the primary key's B-tree: search_gram becomes a table without rowid
on SQLite, and its primary key INCLUDEs sig on PostgreSQL. The table is rebuilt and
refilled from book.search_text (what `flask library reindex` also does).

Revision ID: 5c1f0e9a7b42
Revises: edd98ce67318
Create Date: 2026-11-28 17:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1f0e9a7b42'
down_revision = 'edd98ce67318'
branch_labels = None
depends_on = None

BATCH = 1000


def _create(with_signature: bool) -> None:
    columns = [
        sa.Column('gram', sa.String(length=2), nullable=False),
        sa.Column('book_id', sa.Integer(), nullable=False),
    ]
    options = {}
    if with_signature:
        columns.append(sa.Column('sig', sa.BigInteger(), nullable=False))
        pk = sa.PrimaryKeyConstraint('gram', 'book_id', name=op.f('pk_search_gram'),
                                     postgresql_include=['sig'])
        options['sqlite_with_rowid'] = False
    else:
        pk = sa.PrimaryKeyConstraint('gram', 'book_id', name=op.f('pk_search_gram'))
    op.create_table(
        'search_gram', *columns,
        sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_search_gram_book_id_book'),
                                ondelete='CASCADE'),
        pk, **options)
    with op.batch_alter_table('search_gram', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_gram_book_id'), ['book_id'], unique=False)


def _drop() -> None:
    with op.batch_alter_table('search_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_gram_book_id'))
    op.drop_table('search_gram')


def _fill(with_signature: bool) -> None:
    """Index every book's search_text again, a batch of books at a time."""
    from app.catalog.index import signature, text_grams

    connection = op.get_bind()
    names = ['gram', 'book_id'] + (['sig'] if with_signature else [])
    table = sa.table('search_gram', *(sa.column(n) for n in names))
    last_id = 0
    while True:
        books = connection.execute(sa.text(
            'SELECT id, search_text FROM book WHERE id > :last ORDER BY id LIMIT :n'),
            {'last': last_id, 'n': BATCH}).all()
        if not books:
            break
        rows = []
        for book_id, text in books:
            grams = text_grams(text or '')
            sig = signature(grams)
            rows.extend({'gram': g, 'book_id': book_id, 'sig': sig} if with_signature
                        else {'gram': g, 'book_id': book_id} for g in sorted(grams))
        if rows:
            connection.execute(sa.insert(table), rows)
        last_id = books[-1][0]


def upgrade():
    _drop()
    _create(with_signature=True)
    _fill(with_signature=True)


def downgrade():
    _drop()
    _create(with_signature=False)
    _fill(with_signature=False)
