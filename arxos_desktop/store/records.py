"""Reading replicated rows as plain records: ``sqlite3`` and ``json``, no schema models.

A read command (``arx equipment show``) spends most of its time importing the
schema (SQLModel, SQLAlchemy) if rows come back as models; records give the same
wire values without it. The model-returning services (:mod:`~arxos_desktop.store.queries`,
``equipment``, ``buildings``...) are built on these functions, so both kinds of
read select the same rows in the same order.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from arxos_desktop.store.columns import BOOL_COLUMNS, TABLES, TableColumns
from arxos_desktop.store.errors import AmbiguousError, NotFoundError
from arxos_desktop.store.replica import Replica, scope_filter


class Record:
    """One stored row as wire values (enums as strings, dates as ISO text), read-only.

    Fields are attributes (``record.tag``); ``model_dump`` mirrors the models' so
    code that shows rows takes either.
    """

    __slots__ = ("entity", "wire")

    def __init__(self, entity: str, wire: dict[str, Any]) -> None:
        self.entity = entity
        self.wire = wire

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy and pickle probe for dunders before slots are set
            raise AttributeError(name)
        try:
            return self.wire[name]
        except KeyError:
            raise AttributeError(name) from None

    def model_dump(self, *, mode: str = "json") -> dict[str, Any]:
        """A copy of the wire values (JSON values are copied too, so callers may edit it)."""
        return copy.deepcopy(self.wire)

    def __repr__(self) -> str:
        return f"Record({self.entity!r}, {self.wire!r})"


def _decode(spec: TableColumns, row: tuple[Any, ...]) -> dict[str, Any]:
    wire: dict[str, Any] = {}
    for name, value in zip(spec.columns, row, strict=True):
        if name in spec.json_columns:
            value = json.loads(value) if value else {}
        elif name in BOOL_COLUMNS:
            value = bool(value)
        wire[name] = value
    return wire


def table_of(entity: str) -> TableColumns:
    """The table and columns of a wire entity name, or ``KeyError``."""
    return TABLES[entity]


def read_rows(
    replica: Replica,
    entity: str,
    *,
    building_id: str | None = None,
    where: str = "",
    params: tuple[Any, ...] = (),
    order_by: str = "id",
    include_deleted: bool = False,
) -> list[Record]:
    """Rows of one entity; *where* is an extra SQL condition with ``?`` placeholders."""
    spec = table_of(entity)
    clauses = [] if include_deleted else ["deleted = 0"]
    values: list[Any] = []
    if building_id is not None:
        clauses.append("building_id = ?")
        values.append(building_id)
    if where:
        clauses.append(f"({where})")
        values.extend(params)
    sql = f"SELECT {', '.join(spec.columns)} FROM {spec.table}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {order_by}"
    return [Record(entity, _decode(spec, row)) for row in replica.conn.execute(sql, values)]


def read_row(replica: Replica, entity: str, entity_id: str) -> Record:
    """A live row, or :class:`NotFoundError`."""
    rows = read_rows(replica, entity, where="id = ?", params=(entity_id,))
    if not rows:
        raise NotFoundError(f"No {entity} with id {entity_id} in this replica")
    return rows[0]


def equal_to(**filters: object) -> tuple[str, tuple[object, ...]]:
    """An SQL condition and its parameters for ``column = value`` on every filter given
    (filters that are ``None`` are left out)."""
    given = {column: value for column, value in filters.items() if value is not None}
    return " AND ".join(f"{column} = ?" for column in given), tuple(given.values())


# -- the reads the services and the read commands share ----------------------------------


def building_records(replica: Replica) -> list[Record]:
    return read_rows(replica, "building", order_by="name COLLATE NOCASE, id")


def pick_building(buildings: Iterable[Any], ref: str | None) -> Any:
    """The building *ref* names (id, id prefix or name); with no *ref*, the only one there is."""
    buildings = list(buildings)
    if not buildings:
        raise NotFoundError("This replica has no buildings yet; run `arx demo` or `arx import`.")
    if ref is None or ref == "":
        if len(buildings) == 1:
            return buildings[0]
        names = ", ".join(b.name for b in buildings)
        raise AmbiguousError(f"This replica has {len(buildings)} buildings ({names}); name one.")
    exact = [b for b in buildings if b.id == ref or b.name.casefold() == ref.casefold()]
    if len(exact) == 1:
        return exact[0]
    loose = [b for b in buildings if b.id.startswith(ref) or ref.casefold() in b.name.casefold()]
    if len(loose) == 1:
        return loose[0]
    if not loose:
        raise NotFoundError(f"No building matches {ref!r}")
    raise AmbiguousError(
        f"{ref!r} matches {len(loose)} buildings: " + ", ".join(b.name for b in loose)
    )


def building_record(replica: Replica, ref: str | None) -> Record:
    return pick_building(building_records(replica), ref)  # type: ignore[no-any-return]


def _shown_equipment(
    replica: Replica, where: str, params: tuple[Any, ...]
) -> tuple[str, tuple[Any, ...]]:
    """*where* narrowed to the contractor pass's floors and systems, when one is active.

    Only the listings people ask for by name go through this; the sync engine and the
    write path read every row (the write guard refuses what the pass does not allow).
    """
    scope, scope_params = scope_filter(replica, "equipment", "equipment")
    return f"({where or '1'}) AND {scope}", (*params, *scope_params)


def equipment_by_tag(replica: Replica, building_id: str, tag: str) -> Record:
    """The live equipment with *tag* (case-insensitive) in a building."""
    where, params = _shown_equipment(replica, "tag = ? COLLATE NOCASE", (tag.strip(),))
    rows = read_rows(replica, "equipment", building_id=building_id, where=where, params=params)
    if not rows:
        raise NotFoundError(f"No equipment tagged {tag!r} in this building")
    return rows[0]


def equipment_records(
    replica: Replica,
    building_id: str,
    *,
    system: str | None = None,
    status: str | None = None,
    floor_id: str | None = None,
    room_id: str | None = None,
) -> list[Record]:
    """Equipment sorted by tag, narrowed by any of the filters given."""
    where, params = equal_to(system=system, status=status, floor_id=floor_id, room_id=room_id)
    where, params = _shown_equipment(replica, where, params)
    return read_rows(
        replica,
        "equipment",
        building_id=building_id,
        where=where,
        params=params,
        order_by="tag COLLATE NOCASE, id",
    )


def connection_records(replica: Replica, equipment_id: str) -> tuple[list[Record], list[Record]]:
    """(outgoing, incoming) live connections of a piece of equipment."""
    outgoing = read_rows(replica, "connection", where="source_id = ?", params=(equipment_id,))
    incoming = read_rows(replica, "connection", where="target_id = ?", params=(equipment_id,))
    return outgoing, incoming


def note_records(replica: Replica, target_id: str) -> list[Record]:
    return read_rows(replica, "note", where="target_id = ?", params=(target_id,))


def work_order_records(
    replica: Replica,
    building_id: str,
    *,
    status: str | None = None,
    equipment_id: str | None = None,
    assignee: str | None = None,
) -> list[Record]:
    """Work orders, soonest due first (undated last), then by creation."""
    where, params = equal_to(status=status, equipment_id=equipment_id, assignee=assignee)
    return read_rows(
        replica,
        "workorder",
        building_id=building_id,
        where=where,
        params=params,
        order_by="due IS NULL, due, id",
    )
