"""Repository → replica, all or nothing.

The repository is read and validated in full first (:func:`read_repo`). Then,
in one transaction, a new building is inserted, or an existing one is brought
in line with the repository: changed fields become updates, new rows inserts,
and rows the repository no longer has are tombstoned. Every step is an outbox
change, so an import syncs like any other edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from arxos_desktop.repo_format.reader import read_repo
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from arxos_desktop.repo_format.writer import record
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.writer import ChangeWriter
from sync.schema import Replicated

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    building_id: str
    building_name: str
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)


def _existing(replica: Replica, entity: str, building_id: str) -> dict[str, dict[str, object]]:
    codec = codec_for(entity)
    rows = replica.conn.execute(f"{codec.select_sql} WHERE building_id = ?", (building_id,))
    return {wire["id"]: wire for wire in map(codec.row_to_wire, rows)}


def _apply(
    writer: ChangeWriter,
    entity: str,
    row: Replicated,
    existing: dict[str, dict[str, object]],
    result: ImportResult,
) -> None:
    values = record(row)
    values["building_id"] = row.building_id
    current = existing.get(row.id)
    if current is None:
        writer.insert(entity, values)
        result.inserted[entity] = result.inserted.get(entity, 0) + 1
        return
    restored = bool(current["deleted"])
    if restored:
        # The replica deleted a row the repository still has: the repository wins.
        writer.restore(entity, row.id)
    changes = {k: v for k, v in values.items() if k != "id" and current.get(k) != v}
    if changes:
        writer.update(entity, row.id, changes)
    if changes or restored:
        result.updated[entity] = result.updated.get(entity, 0) + 1


def import_snapshot(
    replica: Replica, snap: BuildingSnapshot, *, progress: Progress | None = None
) -> ImportResult:
    """Bring the replica's copy of the building in line with *snap* (see module doc)."""
    for sha, path in snap.blobs.items():
        if not replica.blobs.has(sha):
            stored = replica.blobs.put_file(path)
            if stored != sha:
                raise RuntimeError(f"{path} changed while it was being imported")
    b = snap.building
    result = ImportResult(building_id=b.id, building_name=b.name)
    groups = snap.entity_lists()
    total = 1 + sum(len(rows) for rows in groups.values())
    done = 0
    with replica.transaction() as writer:
        if snap.organization is not None:
            orgs = {r[0] for r in replica.conn.execute("SELECT id FROM organizations")}
            if snap.organization.id not in orgs:
                writer.insert("organization", record(snap.organization))
                result.inserted["organization"] = 1
        _apply(writer, "building", b, _existing(replica, "building", b.id), result)
        done += 1
        wanted: dict[str, set[str]] = {}
        for entity, rows in groups.items():
            existing = _existing(replica, entity, b.id)
            wanted[entity] = set()
            for row in rows:
                _apply(writer, entity, row, existing, result)  # type: ignore[arg-type]
                wanted[entity].add(row.id)  # type: ignore[attr-defined]
                done += 1
                if progress is not None and done % 200 == 0:
                    progress(done, total)
        for entity in reversed(list(groups)):
            for row_id, wire in _existing(replica, entity, b.id).items():
                if row_id not in wanted[entity] and not wire["deleted"]:
                    writer.tombstone(entity, row_id)
                    result.deleted[entity] = result.deleted.get(entity, 0) + 1
    if progress is not None:
        progress(total, total)
    return result


def import_repo(replica: Replica, path: Path, *, progress: Progress | None = None) -> ImportResult:
    """Validate the repository at *path*, then import it (nothing changes if it is invalid)."""
    return import_snapshot(replica, read_repo(path), progress=progress)
