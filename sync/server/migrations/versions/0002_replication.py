"""Replicated rows, the change log, answered change ids and conflict records.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:14:21.935297
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "srv_applied_changes",
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_table(
        "srv_change_log",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=100), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("srv_change_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_srv_change_log_building_id"), ["building_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_srv_change_log_change_id"), ["change_id"], unique=False
        )

    op.create_table(
        "srv_conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("winner_value", sa.JSON(), nullable=True),
        sa.Column("loser_value", sa.JSON(), nullable=True),
        sa.Column("winner_hlc", sa.String(length=100), nullable=False),
        sa.Column("loser_hlc", sa.String(length=100), nullable=False),
        sa.Column("winner_device", sa.String(length=64), nullable=False),
        sa.Column("loser_device", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("srv_conflicts", schema=None) as batch_op:
        batch_op.create_index("ix_srv_conflicts_building_seq", ["building_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_srv_conflicts_seq"), ["seq"], unique=False)

    op.create_table(
        "srv_rows",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_hlc", sa.String(), nullable=False),
        sa.Column("updated_hlc", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id"),
    )
    with op.batch_alter_table("srv_rows", schema=None) as batch_op:
        batch_op.create_index("ix_srv_rows_building_seq", ["building_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_srv_rows_seq"), ["seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("srv_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_srv_rows_seq"))
        batch_op.drop_index("ix_srv_rows_building_seq")

    op.drop_table("srv_rows")
    with op.batch_alter_table("srv_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_srv_conflicts_seq"))
        batch_op.drop_index("ix_srv_conflicts_building_seq")

    op.drop_table("srv_conflicts")
    with op.batch_alter_table("srv_change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_srv_change_log_change_id"))
        batch_op.drop_index(batch_op.f("ix_srv_change_log_building_id"))

    op.drop_table("srv_change_log")
    op.drop_table("srv_applied_changes")
