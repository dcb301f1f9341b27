"""Pass holders removed once their pass ends: when it happened, and an index of those still due.

Passes withdrawn before this revision had their holder signed out and ungranted
but not switched off; they stay unmarked here, so the first holder sweep
finishes them and writes each one's entry in its organisation's access log.

Revision ID: 0014_holder_cleanup
Revises: 0013_device_audit_links
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_holder_cleanup"
down_revision: str | Sequence[str] | None = "0013_device_audit_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE_HOLDER = "holder_id IS NOT NULL AND holder_removed_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("srv_access_passes") as batch:
        batch.add_column(sa.Column("holder_removed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_srv_access_passes_live_holders",
        "srv_access_passes",
        ["expires_at"],
        sqlite_where=sa.text(_LIVE_HOLDER),
        postgresql_where=sa.text(_LIVE_HOLDER),
    )


def downgrade() -> None:
    op.drop_index("ix_srv_access_passes_live_holders", table_name="srv_access_passes")
    with op.batch_alter_table("srv_access_passes") as batch:
        batch.drop_column("holder_removed_at")
