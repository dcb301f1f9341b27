"""Markup review fields: stored annotations and documents get the fields added to the schema.

Replicated rows keep their values as JSON in ``srv_rows`` (no column per field, no
SQL enum for a kind), so new kinds of markup need no DDL. The new fields
(an annotation's ``author``, ``authored_at``, ``review_status`` and ``pdf_name``,
a document's ``page_sizes``) are written into the rows stored before them with
their schema defaults, so every stored row has every field of its entity, as the
rows pushed from now on do.

Revision ID: 0011
Revises: 0010_access
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Entity → the fields this revision adds and their defaults (as in ``sync.schema`` now;
#: written out so a later change of the schema cannot rewrite this revision).
NEW_FIELDS: Final[dict[str, dict[str, Any]]] = {
    "annotation": {"author": "", "authored_at": None, "review_status": "open", "pdf_name": ""},
    "document": {"page_sizes": {}},
}
_BATCH: Final = 1_000

_ROWS = sa.table(
    "srv_rows",
    sa.column("entity", sa.String()),
    sa.column("id", sa.String()),
    sa.column("values", sa.JSON()),
)


def upgrade() -> None:
    bind = op.get_bind()
    for entity, defaults in NEW_FIELDS.items():
        after = ""
        while True:
            page = bind.execute(
                sa.select(_ROWS.c.id, _ROWS.c["values"])
                .where(_ROWS.c.entity == entity, _ROWS.c.id > after)
                .order_by(_ROWS.c.id)
                .limit(_BATCH)
            ).all()
            if not page:
                break
            for row_id, values in page:
                missing = {k: v for k, v in defaults.items() if k not in values}
                if missing:
                    bind.execute(
                        sa.update(_ROWS)
                        .where(_ROWS.c.entity == entity, _ROWS.c.id == row_id)
                        .values({"values": {**values, **missing}})
                    )
            after = page[-1][0]


def downgrade() -> None:
    """Nothing to undo: servers before this revision ignore fields they do not know."""
