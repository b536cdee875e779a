"""idempotency keys: each member's recent write keys with their first answers

Revision ID: a3d5f7b9c1e2
Revises: f4b8d2a6c9e1
Create Date: 2026-12-03 05:00:00.000000

A new table only: nothing existing is rebuilt.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a3d5f7b9c1e2'
down_revision = 'f4b8d2a6c9e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('headers', sa.JSON(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_idempotency_key_member_id_member'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
        sa.UniqueConstraint('member_id', 'key', name=op.f('uq_idempotency_key_member_id')),
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))
    op.drop_table('idempotency_key')
