"""index for browsing one language in title order: book(language, search_text)

Browsing with a language (`/catalog?language=ko`) read the title index from its start
until a page of that language turned up: Korean titles sort after every Latin one, so at
1M books it read most of the index (~1 s). With this index the page reads the books of
the language, and of its regions, in title order and stops. On PostgreSQL both columns
are indexed in the "C" collation: the search text in the order the page asks for, the
language so that its regions ("ko-kr") are one range of it.

Revision ID: 5e1f3a7c9b24
Revises: 4c8e2a6f0d13
Create Date: 2026-12-03 08:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1f3a7c9b24'
down_revision = '4c8e2a6f0d13'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('CREATE INDEX ix_book_language_search_text '
                   'ON book (language COLLATE "C", search_text COLLATE "C")')
    else:
        op.create_index('ix_book_language_search_text', 'book', ['language', 'search_text'],
                        unique=False)


def downgrade():
    op.drop_index('ix_book_language_search_text', table_name='book')
