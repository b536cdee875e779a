"""donation items and partners: the items intake held back (copy cap, decline rules) with
their outcome (kept anyway, passed on, declined), and the institutions gifts are passed on to;
volunteer shifts (dated hours, approved by a coordinator)

Revision ID: 79297db2e561
Revises: a3d9e5f1b7c2
Create Date: 2026-12-03 04:44:48.167653

Two new tables only: no table with campaign_book's triggers is touched, and what the
triggers count (copies) is unchanged; the items held back are counted by query.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '79297db2e561'
down_revision = 'a3d9e5f1b7c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('name', name=op.f('uq_partner_name'))
    )
    op.create_table('donation_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=True),
    sa.Column('isbn13', sa.String(length=13), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('held_for', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Enum('kept', 'passed_on', 'declined', name='itemoutcome', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('passed_to', sa.String(length=200), nullable=True),
    sa.Column('copy_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome <> 'passed_on' OR passed_to IS NOT NULL", name=op.f('ck_donation_item_passed_on_says_where')),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_donation_item_book_id_book'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['copy_id'], ['copy.id'], name=op.f('fk_donation_item_copy_id_copy'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_donation_item_donation_id_donation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_donation_item_partner_id_partner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['member.id'], name=op.f('fk_donation_item_recorded_by_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_item'))
    )
    with op.batch_alter_table('donation_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_item_book_id'), ['book_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_item_copy_id'), ['copy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_item_donation_id'), ['donation_id'], unique=False)

    op.create_table('volunteer_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activity', sa.Enum('intake', 'desk', 'stocktake', 'labels', 'other', name='shiftactivity', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ended_at IS NULL OR ended_at > started_at', name=op.f('ck_volunteer_shift_ends_after_start')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['member.id'], name=op.f('fk_volunteer_shift_approved_by_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_volunteer_shift_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_shift'))
    )
    with op.batch_alter_table('volunteer_shift', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_shift_member_started', ['member_id', 'started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('volunteer_shift', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_shift_member_started')

    op.drop_table('volunteer_shift')
    with op.batch_alter_table('donation_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_item_donation_id'))
        batch_op.drop_index(batch_op.f('ix_donation_item_copy_id'))
        batch_op.drop_index(batch_op.f('ix_donation_item_book_id'))

    op.drop_table('donation_item')
    op.drop_table('partner')
