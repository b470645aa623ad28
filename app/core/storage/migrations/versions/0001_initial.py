"""Initial schema: cases, actions, participants.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("erdr_number", sa.String(32), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="planned"),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("investigator_place", sa.Text, nullable=False, server_default=""),
        sa.Column("remote_place", sa.Text, nullable=False, server_default=""),
        sa.Column("planned_start", sa.DateTime(timezone=True)),
        sa.Column("planned_end", sa.DateTime(timezone=True)),
        sa.Column("actual_start", sa.DateTime(timezone=True)),
        sa.Column("actual_end", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_actions_case_id", "actions", ["case_id"])
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "action_id",
            sa.String(64),
            sa.ForeignKey("actions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("iin", sa.String(12)),
        sa.Column("contact", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_participants_action_id", "participants", ["action_id"])


def downgrade() -> None:
    op.drop_table("participants")
    op.drop_table("actions")
    op.drop_table("cases")
