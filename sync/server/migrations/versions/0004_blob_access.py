"""Blob access: which rows cite which blob, and who uploaded which blob.

Existing rows are indexed on the way, so files already cited by rows stay
readable to everyone who may see those rows. Uploads from before this revision
were not recorded: a device whose upload is not yet cited by a pushed row sends
it again (the server asks for the bytes as proof), which costs one transfer.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Frozen here (a revision must not follow later schema changes): entity → blob fields.
_BLOB_FIELDS = {
    "document": ("blob_sha256",),
    "attachment": ("blob_sha256",),
    "note": ("audio_sha256",),
}
_SHA = re.compile(r"[0-9a-f]{64}")
_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "srv_blob_refs",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("entity", "entity_id", "sha256"),
    )
    op.create_index("ix_srv_blob_refs_sha256_building", "srv_blob_refs", ["sha256", "building_id"])
    op.create_table(
        "srv_blob_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "user_id"),
    )
    _index_existing_rows()


def _index_existing_rows() -> None:
    """Fill ``srv_blob_refs`` from the live rows already stored (portable: parsed here)."""
    rows = sa.table(
        "srv_rows",
        sa.column("entity", sa.String()),
        sa.column("id", sa.String()),
        sa.column("building_id", sa.String()),
        sa.column("values", sa.JSON()),
        sa.column("deleted", sa.Boolean()),
    )
    refs = sa.table(
        "srv_blob_refs",
        sa.column("entity", sa.String()),
        sa.column("entity_id", sa.String()),
        sa.column("sha256", sa.String()),
        sa.column("building_id", sa.String()),
    )
    bind = op.get_bind()
    for entity, fields in _BLOB_FIELDS.items():
        last = ""
        while True:
            # Page by id, each page read before its insert: no open cursor while writing.
            page = bind.execute(
                sa.select(rows.c.id, rows.c.building_id, rows.c["values"])
                .where(rows.c.entity == entity, rows.c.id > last, rows.c.deleted == sa.false())
                .order_by(rows.c.id)
                .limit(_BATCH)
            ).all()
            if not page:
                break
            last = page[-1][0]
            found = [
                {"entity": entity, "entity_id": row_id, "sha256": sha, "building_id": building}
                for row_id, building, values in page
                for sha in _cited(values, fields)
            ]
            if found:
                bind.execute(sa.insert(refs), found)


def _cited(values: Any, fields: tuple[str, ...]) -> list[str]:
    cited = {
        value
        for name in fields
        if isinstance(values, dict)
        and isinstance(value := values.get(name), str)
        and _SHA.fullmatch(value)
    }
    return sorted(cited)


def downgrade() -> None:
    op.drop_table("srv_blob_uploads")
    op.drop_index("ix_srv_blob_refs_sha256_building", table_name="srv_blob_refs")
    op.drop_table("srv_blob_refs")
