"""Conflict resolutions: who closed a conflict record, how and when.

Existing records stay open (an empty resolution); nobody had resolved one on
the server before.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("srv_conflicts") as batch:
        batch.add_column(
            sa.Column("resolution", sa.String(length=16), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("resolved_by", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("resolved_device", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("srv_conflicts") as batch:
        batch.drop_column("resolved_at")
        batch.drop_column("resolved_device")
        batch.drop_column("resolved_by")
        batch.drop_column("resolution")
