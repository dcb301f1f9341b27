"""Tenant isolation: push answers keyed by user, and who owns each organisation row.

``srv_applied_changes`` is keyed by (user, change id), so a change id copied from
another user's push gets an answer of the replayer's own. ``srv_organization_owners``
links each ``organization`` row to the account organisation of the user who
created it; existing rows get the creator recorded by their first change-log
entry (rows without one stay unowned: only managers of buildings naming them
may change them, or name them from another building).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _answers_table(name: str, key: Sequence[str]) -> None:
    op.create_table(
        name,
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=f"pk_srv_applied_changes_{'_'.join(key)}"),
    )


def _rekey_answers(key: Sequence[str]) -> None:
    """Copy the answers into a table with primary key *key* (portable: no ALTER of a key)."""
    columns = ["user_id", "change_id", "device_id", "result", "created_at"]
    _answers_table("srv_applied_changes_next", key)
    old = sa.table("srv_applied_changes", *(sa.column(c) for c in columns))
    new = sa.table("srv_applied_changes_next", *(sa.column(c) for c in columns))
    op.get_bind().execute(sa.insert(new).from_select(columns, sa.select(*old.c)))
    op.drop_table("srv_applied_changes")
    op.rename_table("srv_applied_changes_next", "srv_applied_changes")


def upgrade() -> None:
    _rekey_answers(["user_id", "change_id"])
    op.create_table(
        "srv_organization_owners",
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("account_org_id", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("row_id"),
    )
    log = sa.table(
        "srv_change_log",
        sa.column("seq", sa.BigInteger()),
        sa.column("entity", sa.String()),
        sa.column("entity_id", sa.String()),
        sa.column("user_id", sa.String()),
    )
    users = sa.table("srv_users", sa.column("id", sa.String()), sa.column("org_id", sa.String()))
    owners = sa.table(
        "srv_organization_owners",
        sa.column("row_id"),
        sa.column("account_org_id"),
        sa.column("user_id"),
    )
    first = (
        sa.select(log.c.entity_id, sa.func.min(log.c.seq).label("seq"))
        .where(log.c.entity == "organization")
        .group_by(log.c.entity_id)
        .subquery()
    )
    creators = sa.select(log.c.entity_id, users.c.org_id, log.c.user_id).select_from(
        log.join(
            first, sa.and_(first.c.entity_id == log.c.entity_id, first.c.seq == log.c.seq)
        ).outerjoin(users, users.c.id == log.c.user_id)
    )
    op.get_bind().execute(
        sa.insert(owners).from_select(["row_id", "account_org_id", "user_id"], creators)
    )


def downgrade() -> None:
    op.drop_table("srv_organization_owners")
    # Answers of two users under one change id cannot share the old key: keep the newest.
    bind = op.get_bind()
    answers = sa.table(
        "srv_applied_changes", sa.column("change_id"), sa.column("user_id"), sa.column("created_at")
    )
    newest = (
        sa.select(answers.c.change_id).group_by(answers.c.change_id).having(sa.func.count() > 1)
    )
    for (change_id,) in bind.execute(newest).all():
        keep = bind.execute(
            sa.select(answers.c.user_id)
            .where(answers.c.change_id == change_id)
            .order_by(answers.c.created_at.desc())
            .limit(1)
        ).scalar_one()
        bind.execute(
            sa.delete(answers).where(answers.c.change_id == change_id, answers.c.user_id != keep)
        )
    _rekey_answers(["change_id"])
