"""A building's counts for `arx buildings` and the overview, read without the schema.

The status values are written out (importing :mod:`sync.schema` for its enums
would double the start-up of `arx buildings`); ``tests/test_records.py`` checks
they equal the schema's enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from arxos_desktop.store.records import Record, building_record
from arxos_desktop.store.replica import Replica

#: ``EquipmentStatus`` values, in the enum's order (every one is counted, even at 0).
EQUIPMENT_STATUSES: Final = ("operational", "needs_service", "out_of_service", "decommissioned")

#: ``WorkOrderStatus`` values of work orders still to be done.
OPEN_WORK_ORDER_STATUSES: Final = ("open", "in_progress", "on_hold")


@dataclass(frozen=True)
class BuildingSummary:
    building: Record
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
    building = building_record(replica, building_id)

    def count(table: str, extra: str = "", params: tuple[str, ...] = ()) -> int:
        sql = f"SELECT count(*) FROM {table} WHERE building_id = ? AND deleted = 0 {extra}"
        return int(conn.execute(sql, (building_id, *params)).fetchone()[0])

    def grouped(column: str) -> dict[str, int]:
        rows = conn.execute(
            f"SELECT {column}, count(*) FROM equipment WHERE building_id = ? AND deleted = 0 "
            f"GROUP BY {column} ORDER BY {column}",
            (building_id,),
        )
        return {str(k): int(v) for k, v in rows}

    by_status = grouped("status")
    marks = ", ".join("?" * len(OPEN_WORK_ORDER_STATUSES))
    return BuildingSummary(
        building=building,
        floors=count("floors"),
        rooms=count("rooms"),
        equipment=count("equipment"),
        equipment_by_status={s: by_status.get(s, 0) for s in EQUIPMENT_STATUSES},
        equipment_by_system=grouped("system"),
        open_work_orders=count("work_orders", f"AND status IN ({marks})", OPEN_WORK_ORDER_STATUSES),
        documents=count("documents"),
        pending_changes=int(
            conn.execute(
                "SELECT count(*) FROM outbox WHERE building_id = ? AND state = 'pending'",
                (building_id,),
            ).fetchone()[0]
        ),
    )
