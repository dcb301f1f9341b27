"""Replica → repository: export one building's live rows and its files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from arxos_desktop.repo_format.writer import write_repo
from arxos_desktop.store.buildings import resolve_building
from arxos_desktop.store.queries import get_row, list_rows
from arxos_desktop.store.replica import Replica

_LISTS = {
    "floor": "floors",
    "room": "rooms",
    "equipment": "equipment",
    "connection": "connections",
    "document": "documents",
    "annotation": "annotations",
    "workorder": "work_orders",
    "note": "notes",
    "attachment": "attachments",
}


def snapshot_building(replica: Replica, building_ref: str) -> BuildingSnapshot:
    """Everything live about one building, with paths to its stored files."""
    building = resolve_building(replica, building_ref)
    org = get_row(replica, "organization", building.org_id) if building.org_id else None
    snap = BuildingSnapshot(building=building, organization=org)  # type: ignore[arg-type]
    for entity, attr in _LISTS.items():
        setattr(snap, attr, list_rows(replica, entity, building_id=building.id))
    shas: list[Any] = [d.blob_sha256 for d in snap.documents]
    shas += [a.blob_sha256 for a in snap.attachments]
    shas += [n.audio_sha256 for n in snap.notes if n.audio_sha256]
    for sha in shas:
        snap.blobs[sha] = replica.blobs.get(sha)
    return snap


def export_building(
    replica: Replica, building_ref: str, dest: Path, *, replace: bool = False
) -> list[str]:
    """Write the building as a repository at *dest*; returns the files written."""
    return write_repo(snapshot_building(replica, building_ref), dest, replace=replace)
