"""Buildings in the replica: create, find, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arxos_desktop.store.errors import AmbiguousError, NotFoundError
from arxos_desktop.store.queries import list_rows
from arxos_desktop.store.replica import Replica
from sync.schema import BuildingBase, EquipmentStatus, WorkOrderStatus


def create_building(
    replica: Replica, *, name: str, address: str = "", **fields: Any
) -> BuildingBase:
    with replica.transaction() as writer:
        wire = writer.insert("building", {"name": name, "address": address, **fields})
    return BuildingBase.model_validate(wire)


def list_buildings(replica: Replica) -> list[BuildingBase]:
    return [b for b in list_rows(replica, "building", order_by="name COLLATE NOCASE, id")]  # type: ignore[misc]


def resolve_building(replica: Replica, ref: str | None) -> BuildingBase:
    """Find a building by id, id prefix or name; with no *ref*, the only building there is."""
    buildings = list_buildings(replica)
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


@dataclass(frozen=True)
class BuildingSummary:
    building: BuildingBase
    floors: int
    rooms: int
    equipment: int
    equipment_by_status: dict[str, int]
    equipment_by_system: dict[str, int]
    open_work_orders: int
    documents: int
    pending_changes: int


def summarize_building(replica: Replica, building_id: str) -> BuildingSummary:
    """Counts for the building overview (one query per table, fine for any size)."""
    conn = replica.conn
    building = resolve_building(replica, building_id)

    def count(table: str, extra: str = "") -> int:
        sql = f"SELECT count(*) FROM {table} WHERE building_id = ? AND deleted = 0 {extra}"
        return int(conn.execute(sql, (building_id,)).fetchone()[0])

    def grouped(column: str) -> dict[str, int]:
        rows = conn.execute(
            f"SELECT {column}, count(*) FROM equipment WHERE building_id = ? AND deleted = 0 "
            f"GROUP BY {column} ORDER BY {column}",
            (building_id,),
        )
        return {str(k): int(v) for k, v in rows}

    open_states = (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD)
    by_status = grouped("status")
    return BuildingSummary(
        building=building,
        floors=count("floors"),
        rooms=count("rooms"),
        equipment=count("equipment"),
        equipment_by_status={s.value: by_status.get(s.value, 0) for s in EquipmentStatus},
        equipment_by_system=grouped("system"),
        open_work_orders=count(
            "work_orders", "AND status IN (" + ", ".join(f"'{s.value}'" for s in open_states) + ")"
        ),
        documents=count("documents"),
        pending_changes=int(
            conn.execute(
                "SELECT count(*) FROM outbox WHERE building_id = ? AND state = 'pending'",
                (building_id,),
            ).fetchone()[0]
        ),
    )
