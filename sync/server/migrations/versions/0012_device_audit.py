"""Devices' access logs: each (user, device) chain as uploaded, with its head.

New tables only; nothing existing changes.

Revision ID: 0012_device_audit
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_device_audit"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "srv_device_audit",
        sa.Column("user_id", sa.String(length=36), primary_key=True),
        sa.Column("device_id", sa.String(length=64), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "srv_device_audit_heads",
        sa.Column("user_id", sa.String(length=36), primary_key=True),
        sa.Column("device_id", sa.String(length=64), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("srv_device_audit_heads")
    op.drop_table("srv_device_audit")
