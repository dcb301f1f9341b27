"""Work orders: create, list, update."""

from __future__ import annotations

from typing import Any

from arxos_desktop.store.errors import AmbiguousError, NotFoundError
from arxos_desktop.store.queries import list_rows, to_models
from arxos_desktop.store.records import work_order_records
from arxos_desktop.store.replica import Replica
from sync.schema import WorkOrderBase


def create_work_order(
    replica: Replica, *, building_id: str, title: str, **fields: Any
) -> WorkOrderBase:
    with replica.transaction() as writer:
        wire = writer.insert("workorder", {"building_id": building_id, "title": title, **fields})
    return WorkOrderBase.model_validate(wire)


def list_work_orders(
    replica: Replica,
    building_id: str,
    *,
    status: str | None = None,
    equipment_id: str | None = None,
    assignee: str | None = None,
) -> list[WorkOrderBase]:
    """Work orders, soonest due first (undated last), then by creation."""
    records = work_order_records(
        replica, building_id, status=status, equipment_id=equipment_id, assignee=assignee
    )
    return to_models(records)


def resolve_work_order(replica: Replica, building_id: str, ref: str) -> WorkOrderBase:
    """A work order by full id or a unique id prefix (at least 4 characters)."""
    ref = ref.strip().lower()
    if len(ref) < 4:
        raise NotFoundError("Give at least 4 characters of the work order id")
    rows = list_rows(
        replica, "workorder", building_id=building_id, where="id LIKE ?", params=(ref + "%",)
    )
    if not rows:
        rows = list_rows(
            replica, "workorder", building_id=building_id, where="id LIKE ?", params=("%" + ref,)
        )
    if not rows:
        raise NotFoundError(f"No work order with id {ref!r}")
    if len(rows) > 1:
        raise AmbiguousError(f"{ref!r} matches {len(rows)} work orders; give more of the id")
    return rows[0]  # type: ignore[return-value]


def update_work_order(
    replica: Replica, work_order_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    with replica.transaction() as writer:
        return writer.update("workorder", work_order_id, changes)
