"""Accounts: organisations, users, refresh tokens, API keys, building grants.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(length=36), primary_key=True)


def _stamp(name: str, *, nullable: bool = False) -> sa.Column[dt.datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["srv_users.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "srv_organizations",
        _id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("members_can_create_buildings", sa.Boolean(), nullable=False),
        _stamp("created_at"),
        sa.UniqueConstraint("slug", name="uq_srv_organizations_slug"),
    )
    op.create_table(
        "srv_users",
        _id(),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=500), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        _stamp("created_at"),
        sa.ForeignKeyConstraint(["org_id"], ["srv_organizations.id"], ondelete="SET NULL"),
        sa.UniqueConstraint("email", name="uq_srv_users_email"),
    )
    op.create_index("ix_srv_users_org_id", "srv_users", ["org_id"])
    op.create_table(
        "srv_refresh_tokens",
        _id(),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        _stamp("created_at"),
        _stamp("expires_at"),
        _stamp("revoked_at", nullable=True),
        sa.Column("replaced_by", sa.String(length=36), nullable=True),
        _user_fk(),
        sa.UniqueConstraint("token_hash", name="uq_srv_refresh_tokens_token_hash"),
    )
    op.create_index(
        "ix_srv_refresh_tokens_user_device", "srv_refresh_tokens", ["user_id", "device_id"]
    )
    op.create_table(
        "srv_api_keys",
        _id(),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        _stamp("created_at"),
        _stamp("last_used_at", nullable=True),
        _stamp("revoked_at", nullable=True),
        _user_fk(),
        sa.UniqueConstraint("key_hash", name="uq_srv_api_keys_key_hash"),
    )
    op.create_index("ix_srv_api_keys_user_id", "srv_api_keys", ["user_id"])
    op.create_table(
        "srv_grants",
        _id(),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("systems", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("floors", sa.JSON(none_as_null=True), nullable=True),
        _stamp("created_at"),
        _user_fk(),
        sa.UniqueConstraint("user_id", "building_id", name="uq_srv_grants_user_building"),
    )
    op.create_index("ix_srv_grants_building_id", "srv_grants", ["building_id"])


def downgrade() -> None:
    op.drop_table("srv_grants")
    op.drop_table("srv_api_keys")
    op.drop_table("srv_refresh_tokens")
    op.drop_table("srv_users")
    op.drop_table("srv_organizations")
