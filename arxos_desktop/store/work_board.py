"""Work orders as the app's list and board show them: each with its equipment's tag.

The work-order page re-reads the whole building's orders after every edit and every
pull, so this reads plain records (no schema models) and joins the tags in one
query instead of one lookup per order.
"""

from __future__ import annotations

from dataclasses import dataclass

from arxos_desktop.store.records import equipment_records, work_order_records
from arxos_desktop.store.replica import Replica


@dataclass(frozen=True, slots=True)
class WorkOrderCard:
    """One work order with what a list row or a board card shows (wire values)."""

    id: str
    title: str
    description: str
    status: str
    priority: str
    assignee: str
    #: ISO date (``YYYY-MM-DD``) or ``None`` when it has no due date.
    due: str | None
    equipment_id: str | None
    #: The equipment's tag, ``""`` when the order is for no equipment.
    equipment_tag: str


@dataclass(frozen=True, slots=True)
class EquipmentChoice:
    """A piece of equipment as a picker offers it."""

    id: str
    tag: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.tag} — {self.name}" if self.name else self.tag


def work_order_cards(replica: Replica, building_id: str) -> list[WorkOrderCard]:
    """The building's live work orders, soonest due first (undated last)."""
    tags = {
        row[0]: row[1]
        for row in replica.conn.execute(
            "SELECT id, tag FROM equipment WHERE building_id = ?", (building_id,)
        )
    }
    return [
        WorkOrderCard(
            id=r.id,
            title=r.title,
            description=r.description,
            status=r.status,
            priority=r.priority,
            assignee=r.assignee,
            due=r.due,
            equipment_id=r.equipment_id,
            equipment_tag=tags.get(r.equipment_id, "") if r.equipment_id else "",
        )
        for r in work_order_records(replica, building_id)
    ]


def equipment_choices(replica: Replica, building_id: str) -> list[EquipmentChoice]:
    """The building's live equipment by tag, for a work order's equipment picker."""
    return [EquipmentChoice(r.id, r.tag, r.name) for r in equipment_records(replica, building_id)]
