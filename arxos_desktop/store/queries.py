"""Generic reads of replicated rows as validated models (live rows only unless asked otherwise).

The rows are read by :mod:`arxos_desktop.store.records`; this module types them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.records import Record, read_row, read_rows
from arxos_desktop.store.replica import Replica
from sync.schema import Replicated


def to_model(record: Record) -> Replicated:
    """A stored row as a validated model (trusted data, but enums and dates typed)."""
    return codec_for(record.entity).shape.model_validate(record.wire)


def to_models(records: Iterable[Record]) -> list[Any]:
    return [to_model(r) for r in records]


def get_row(replica: Replica, entity: str, entity_id: str) -> Replicated:
    """A live row as a model, or :class:`NotFoundError`."""
    return to_model(read_row(replica, entity, entity_id))


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
    records = read_rows(
        replica,
        entity,
        building_id=building_id,
        where=where,
        params=params,
        order_by=order_by,
        include_deleted=include_deleted,
    )
    return to_models(records)


def count_rows(replica: Replica, entity: str, *, building_id: str) -> int:
    codec = codec_for(entity)
    row = replica.conn.execute(
        f"SELECT count(*) FROM {codec.table} WHERE building_id = ? AND deleted = 0", (building_id,)
    ).fetchone()
    return int(row[0])
