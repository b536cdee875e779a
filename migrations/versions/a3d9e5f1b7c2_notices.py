"""notices: the outbox of notices to members, and members' notice preferences

Revision ID: a3d9e5f1b7c2
Revises: a3d5f7b9c1e2
Create Date: 2026-12-03 04:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = "a3d9e5f1b7c2"
down_revision = "a3d5f7b9c1e2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_as", sa.String(length=8), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("answer", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "channel", "key", name="uq_notice_member_channel_key"),
    )
    op.create_index("ix_notice_member_id", "notice", ["member_id"])
    op.create_index("ix_notice_state", "notice", ["state"])
    op.create_index("ix_notice_created_at", "notice", ["created_at"])
    op.create_index("ix_notice_state_next", "notice", ["state", "next_attempt_at"])
    op.create_table(
        "notice_preference",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        sa.Column("by_text", sa.Boolean(), nullable=False),
        sa.Column("mobile", sa.String(length=11), nullable=True),
        sa.Column("kinds_off", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )


def downgrade():
    op.drop_table("notice_preference")
    op.drop_index("ix_notice_state_next", table_name="notice")
    op.drop_index("ix_notice_created_at", table_name="notice")
    op.drop_index("ix_notice_state", table_name="notice")
    op.drop_index("ix_notice_member_id", table_name="notice")
    op.drop_table("notice")
