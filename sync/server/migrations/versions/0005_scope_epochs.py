"""Scope epochs: the newest change that moved a row across systems or floors, per building.

Empty at first: a narrowed device's scope tag only changes once such a move
happens, so upgrading costs no device a download.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "srv_scope_epochs",
        sa.Column("building_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("building_id"),
    )


def downgrade() -> None:
    op.drop_table("srv_scope_epochs")
