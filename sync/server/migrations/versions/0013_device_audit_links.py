"""Devices' access logs: an entry may be stored withheld (its links without its body).

A device used by several accounts keeps one chain; each account's copy on the
server holds every link, and the body only of entries about buildings that
account may see.

Revision ID: 0013_device_audit_links
Revises: 0012_device_audit
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_device_audit_links"
down_revision: str | Sequence[str] | None = "0012_device_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("srv_device_audit") as table:
        table.alter_column("body", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    withheld = (
        op.get_bind()
        .execute(sa.text("SELECT COUNT(*) FROM srv_device_audit WHERE body IS NULL"))
        .scalar_one()
    )
    if withheld:
        # Dropping them would cut every copy they sit in; the audit log must stay whole.
        raise RuntimeError(
            f"{withheld} withheld device-log entries cannot be stored by the older schema;"
            " downgrade refused"
        )
    with op.batch_alter_table("srv_device_audit") as table:
        table.alter_column("body", existing_type=sa.JSON(), nullable=False)
