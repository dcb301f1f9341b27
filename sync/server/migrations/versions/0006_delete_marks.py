"""Delete marks: the newest change that deleted a row, per building.

Filled from the rows already deleted (a deleted row's ``seq`` is its delete, or
a later edit of its tombstone: either way not older than the delete).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "srv_delete_marks",
        sa.Column("building_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("building_id"),
    )
    rows = sa.table(
        "srv_rows",
        sa.column("building_id", sa.String()),
        sa.column("deleted", sa.Boolean()),
        sa.column("seq", sa.BigInteger()),
    )
    marks = sa.table("srv_delete_marks", sa.column("building_id"), sa.column("seq"))
    newest = (
        sa.select(rows.c.building_id, sa.func.max(rows.c.seq))
        .where(rows.c.deleted.is_(True), rows.c.building_id.is_not(None))
        .group_by(rows.c.building_id)
    )
    op.get_bind().execute(sa.insert(marks).from_select(["building_id", "seq"], newest))


def downgrade() -> None:
    op.drop_table("srv_delete_marks")
