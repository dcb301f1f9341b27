"""Alembic environment of the sync service, driven from code by ``sync.server.db``.

One metadata covers the account tables (``models``), the replication
tables (``replication``) and the blob access tables (``blob_access``). Only
``srv_*`` tables belong to the server: the replica tables of ``sync.schema``
share ``SQLModel.metadata`` but live on devices, so autogenerate ignores
them. SQLite cannot alter most columns in place, hence batch mode there.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, create_engine, pool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from sync.server import (  # noqa: F401  (they register tables)
    access_models,
    blob_access,
    device_audit_models,
    models,
    replication,
)

target_metadata = SQLModel.metadata


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return type_ != "table" or bool(name and name.startswith("srv_"))


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write SQLModel's and our column types as plain SQLAlchemy ones in revisions."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("Run migrations through sync.server.db (no database given)")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as conn:
        _configure(conn)
    engine.dispose()


run()
