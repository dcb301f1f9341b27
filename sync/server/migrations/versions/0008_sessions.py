"""Sessions: refresh-token families keyed by a server-issued sign-in, not the device's name.

Each existing family (user and device id) becomes one session, revoked if none
of its tokens still works, so devices signed in before this revision stay
signed in. Access tokens from before it carry no session and are refused: the
device refreshes and carries on.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "srv_sessions",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["srv_users.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_srv_sessions_user_id", "srv_sessions", ["user_id"])
    op.add_column(
        "srv_refresh_tokens", sa.Column("session_id", sa.String(length=36), nullable=True)
    )
    _sessions_for_existing_families()
    with op.batch_alter_table("srv_refresh_tokens") as batch:
        batch.alter_column("session_id", existing_type=sa.String(length=36), nullable=False)
        batch.create_foreign_key(
            "fk_srv_refresh_tokens_session_id",
            "srv_sessions",
            ["session_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_srv_refresh_tokens_session_id", ["session_id"])


def _sessions_for_existing_families() -> None:
    tokens = sa.table(
        "srv_refresh_tokens",
        sa.column("user_id", sa.String()),
        sa.column("device_id", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("session_id", sa.String()),
    )
    sessions = sa.table(
        "srv_sessions",
        sa.column("id", sa.String()),
        sa.column("user_id", sa.String()),
        sa.column("device_id", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    live = sa.func.sum(sa.case((tokens.c.revoked_at.is_(None), 1), else_=0))
    families = bind.execute(
        sa.select(
            tokens.c.user_id, tokens.c.device_id, sa.func.min(tokens.c.created_at), live
        ).group_by(tokens.c.user_id, tokens.c.device_id)
    ).all()
    now = dt.datetime.now(dt.UTC)
    for user_id, device_id, created_at, live_tokens in families:
        session_id = str(uuid.uuid4())
        bind.execute(
            sessions.insert().values(
                id=session_id,
                user_id=user_id,
                device_id=device_id,
                created_at=created_at,
                revoked_at=None if live_tokens else now,
            )
        )
        bind.execute(
            tokens.update()
            .where(tokens.c.user_id == user_id, tokens.c.device_id == device_id)
            .values(session_id=session_id)
        )


def downgrade() -> None:
    with op.batch_alter_table("srv_refresh_tokens") as batch:
        batch.drop_index("ix_srv_refresh_tokens_session_id")
        batch.drop_constraint("fk_srv_refresh_tokens_session_id", type_="foreignkey")
        batch.drop_column("session_id")
    op.drop_index("ix_srv_sessions_user_id", table_name="srv_sessions")
    op.drop_table("srv_sessions")
