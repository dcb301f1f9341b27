"""Apply one confirmed suggestion through the store (never called without a confirmation).

A status becomes the equipment's status; a reading goes into its properties under
``readings`` (name → value, unit, date taken); a date becomes its ``next_service``
property. Each is one ordinary edit with its outbox change, so it syncs and can be
undone like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from arxos_desktop.store.buildings import resolve_building
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.queries import get_row
from arxos_desktop.store.replica import Replica
from arxos_desktop.voice.errors import VoiceError
from arxos_desktop.voice.parse_update import Reading, Suggestion
from sync.schema import EquipmentBase, EquipmentStatus, WorkOrderBase

_TARGET_ENTITIES = {"equipment": "equipment", "room": "room", "workorder": "workorder"}


def equipment_for(
    replica: Replica, *, target_kind: str, target_id: str, tag: str | None
) -> EquipmentBase:
    """The equipment a note is about: the tag said, else the record in view (or its
    work order's equipment)."""
    kind = "workorder" if target_kind == "work_order" else target_kind
    if kind not in _TARGET_ENTITIES:
        raise VoiceError("Dictated updates apply to equipment, rooms and work orders.")
    target = get_row(replica, kind, target_id)
    if tag:
        building_id = target.building_id or resolve_building(replica, None).id
        return find_by_tag(replica, building_id, tag)
    if kind == "equipment":
        return cast(EquipmentBase, target)
    if kind == "workorder" and cast(WorkOrderBase, target).equipment_id:
        equipment_id = cast(WorkOrderBase, target).equipment_id
        return cast(EquipmentBase, get_row(replica, "equipment", str(equipment_id)))
    raise VoiceError("Say which equipment this is about (its tag), or dictate on its page.")


def apply_suggestion(
    replica: Replica, *, equipment_id: str, suggestion: Suggestion, today: dt.date
) -> dict[str, Any]:
    """Write one suggestion; returns the fields that changed (empty: already so)."""
    if suggestion.kind == "status":
        status = EquipmentStatus(str(suggestion.value))
        return update_equipment(replica, equipment_id, {"status": status})
    current = cast(EquipmentBase, get_row(replica, "equipment", equipment_id))
    properties = dict(current.properties or {})
    if suggestion.kind == "reading" and isinstance(suggestion.value, Reading):
        reading = suggestion.value
        readings = dict(properties.get("readings") or {})
        readings[reading.name] = {
            "value": reading.value,
            "unit": reading.unit,
            "taken": today.isoformat(),
        }
        properties["readings"] = readings
    elif suggestion.kind == "date" and isinstance(suggestion.value, dt.date):
        properties["next_service"] = suggestion.value.isoformat()
    else:
        raise VoiceError("That suggestion cannot be applied.")
    return update_equipment(replica, equipment_id, {"properties": properties})
