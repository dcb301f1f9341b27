"""Access passes: organisations' signing keys (sealed), issued passes, the hash-chained log.

New tables only; nothing existing changes.

Revision ID: 0010_access
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_access"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "srv_signing_keys",
        sa.Column("kid", sa.String(length=16), primary_key=True),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("private_key_sealed", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["srv_organizations.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_srv_signing_keys_org_status", "srv_signing_keys", ["org_id", "status"])
    op.create_table(
        "srv_access_passes",
        sa.Column("token_id", sa.String(length=64), primary_key=True),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=False),
        sa.Column("contractor_id", sa.String(length=40), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("issued_by", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=36), nullable=True),
        sa.Column("holder_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["srv_organizations.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_srv_access_passes_building_id", "srv_access_passes", ["building_id"])
    op.create_index(
        "ix_srv_access_passes_org_revoked", "srv_access_passes", ["org_id", "revoked_at"]
    )
    op.create_table(
        "srv_access_audit",
        sa.Column("org_id", sa.String(length=36), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
    )
    op.create_table(
        "srv_access_audit_heads",
        sa.Column("org_id", sa.String(length=36), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("srv_access_audit_heads")
    op.drop_table("srv_access_audit")
    op.drop_index("ix_srv_access_passes_org_revoked", table_name="srv_access_passes")
    op.drop_index("ix_srv_access_passes_building_id", table_name="srv_access_passes")
    op.drop_table("srv_access_passes")
    op.drop_index("ix_srv_signing_keys_org_status", table_name="srv_signing_keys")
    op.drop_table("srv_signing_keys")
