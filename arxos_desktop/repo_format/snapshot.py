"""An in-memory copy of one building: what a repository holds, without sync state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sync.schema import (
    AnnotationBase,
    AttachmentBase,
    BuildingBase,
    DocumentBase,
    EquipmentBase,
    EquipmentConnectionBase,
    FloorBase,
    NoteBase,
    OrganizationBase,
    RoomBase,
    WorkOrderBase,
)


@dataclass
class BuildingSnapshot:
    """Everything a repository stores about one building.

    ``blobs`` maps a SHA-256 to a file holding those bytes (documents, photos,
    dictation audio), so large files are streamed, never held in memory.
    """

    building: BuildingBase
    organization: OrganizationBase | None = None
    floors: list[FloorBase] = field(default_factory=list)
    rooms: list[RoomBase] = field(default_factory=list)
    equipment: list[EquipmentBase] = field(default_factory=list)
    connections: list[EquipmentConnectionBase] = field(default_factory=list)
    documents: list[DocumentBase] = field(default_factory=list)
    annotations: list[AnnotationBase] = field(default_factory=list)
    work_orders: list[WorkOrderBase] = field(default_factory=list)
    notes: list[NoteBase] = field(default_factory=list)
    attachments: list[AttachmentBase] = field(default_factory=list)
    blobs: dict[str, Path] = field(default_factory=dict)

    def entity_lists(self) -> dict[str, list[object]]:
        """Rows by wire entity name, in dependency order (parents first)."""
        return {
            "floor": list(self.floors),
            "room": list(self.rooms),
            "equipment": list(self.equipment),
            "connection": list(self.connections),
            "document": list(self.documents),
            "annotation": list(self.annotations),
            "workorder": list(self.work_orders),
            "note": list(self.notes),
            "attachment": list(self.attachments),
        }
