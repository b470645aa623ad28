"""Actions keep the ground for remote mode (CPC Art. 213) chosen in the wizard.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("ground", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("ground_details", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("ground_details")
        batch.drop_column("ground")
