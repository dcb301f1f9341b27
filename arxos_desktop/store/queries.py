"""Generic reads of replicated rows (live rows only unless asked otherwise)."""

from __future__ import annotations

from typing import Any

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.store.replica import Replica
from sync.schema import Replicated


def get_row(replica: Replica, entity: str, entity_id: str) -> Replicated:
    """A live row as a model, or :class:`NotFoundError`."""
    codec = codec_for(entity)
    row = replica.conn.execute(
        f"{codec.select_sql} WHERE id = ? AND deleted = 0", (entity_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No {entity} with id {entity_id} in this replica")
    return codec.to_model(row)


def list_rows(
    replica: Replica,
    entity: str,
    *,
    building_id: str | None = None,
    where: str = "",
    params: tuple[Any, ...] = (),
    order_by: str = "id",
    include_deleted: bool = False,
) -> list[Replicated]:
    """Rows of one entity; *where* is an extra SQL condition with ``?`` placeholders."""
    codec = codec_for(entity)
    clauses = [] if include_deleted else ["deleted = 0"]
    values: list[Any] = []
    if building_id is not None:
        clauses.append("building_id = ?")
        values.append(building_id)
    if where:
        clauses.append(f"({where})")
        values.extend(params)
    sql = codec.select_sql
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {order_by}"
    return [codec.to_model(row) for row in replica.conn.execute(sql, values)]


def count_rows(replica: Replica, entity: str, *, building_id: str) -> int:
    codec = codec_for(entity)
    row = replica.conn.execute(
        f"SELECT count(*) FROM {codec.table} WHERE building_id = ? AND deleted = 0", (building_id,)
    ).fetchone()
    return int(row[0])


def equal_to(**filters: object) -> tuple[str, tuple[object, ...]]:
    """An SQL condition and its parameters for ``column = value`` on every filter given
    (filters that are ``None`` are left out)."""
    given = {column: value for column, value in filters.items() if value is not None}
    return " AND ".join(f"{column} = ?" for column in given), tuple(given.values())
