"""Write a :class:`BuildingSnapshot` as a building repository, deterministically.

Every list is sorted by a stable key and every JSON file uses one encoding, so
the same building always produces the same bytes and diffs stay readable.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from arxos_desktop.repo_format.checks import check_references
from arxos_desktop.repo_format.errors import Problem, RepoFormatError
from arxos_desktop.repo_format.layout import (
    ATTACHMENTS_FILE,
    BLOBS_DIR,
    CONFIG_FILE,
    CONNECTIONS_FILE,
    DOCUMENTS_DIR,
    DOCUMENTS_INDEX,
    EQUIPMENT_FILE,
    FLOORS_DIR,
    FORMAT_NAME,
    FORMAT_VERSION,
    LAYOUT_FILE,
    MANAGED_ENTRIES,
    METADATA_FILE,
    NOTES_FILE,
    README_FILE,
    ROOMS_FILE,
    SYNC_FIELDS,
    WORKORDERS_FILE,
    dump_json,
    floor_dir_name,
)
from arxos_desktop.repo_format.readme import render_readme
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from sync.schema import EquipmentBase, FloorBase, Replicated, RoomBase


def record(row: Replicated, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as repository JSON: user fields plus ``id``, no sync state."""
    data = row.model_dump(mode="json")
    for name in (*SYNC_FIELDS, *drop):
        data.pop(name, None)
    return data


def floor_dirs(floors: list[FloorBase]) -> dict[str, str]:
    """Folder name for each floor id; a clash gets the id's tail appended."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for floor in sorted(floors, key=lambda f: (f.level, f.name, f.id)):
        name = floor_dir_name(floor.level, floor.name)
        if name in taken:
            name = f"{name}-{floor.id[-8:]}"
        taken.add(name)
        names[floor.id] = name
    return names


def render_files(snapshot: BuildingSnapshot) -> dict[str, str]:
    """Every text file of the repository, by relative path."""
    files: dict[str, str] = {}
    building = snapshot.building
    config = {"building_id": building.id, "format": FORMAT_NAME, "version": FORMAT_VERSION}
    files[CONFIG_FILE] = yaml.safe_dump(config, sort_keys=True, allow_unicode=True)
    org = snapshot.organization
    files[METADATA_FILE] = dump_json(
        {"building": record(building), "organization": record(org) if org else None}
    )

    dirs = floor_dirs(snapshot.floors)
    for floor in snapshot.floors:
        base = f"{FLOORS_DIR}/{dirs[floor.id]}"
        rooms = sorted(
            (r for r in snapshot.rooms if r.floor_id == floor.id), key=lambda r: (r.number, r.id)
        )
        equipment = sorted(
            (e for e in snapshot.equipment if e.floor_id == floor.id), key=lambda e: (e.tag, e.id)
        )
        layout = {
            "floor": record(floor),
            "rooms": {r.id: r.outline for r in rooms if r.outline},
            "equipment": {e.id: e.position for e in equipment if e.position},
        }
        files[f"{base}/{LAYOUT_FILE}"] = dump_json(layout)
        files[f"{base}/{ROOMS_FILE}"] = dump_json(
            [record(r, drop=("floor_id", "outline")) for r in rooms]
        )
        files[f"{base}/{EQUIPMENT_FILE}"] = dump_json(
            [record(e, drop=("floor_id", "position")) for e in equipment]
        )

    unplaced = sorted((e for e in snapshot.equipment if e.floor_id is None), key=lambda e: e.tag)
    files[EQUIPMENT_FILE] = dump_json([record(e, drop=("floor_id",)) for e in unplaced])
    files[CONNECTIONS_FILE] = dump_json(
        [record(c) for c in sorted(snapshot.connections, key=lambda c: c.id)]
    )
    files[WORKORDERS_FILE] = dump_json(
        [record(w) for w in sorted(snapshot.work_orders, key=lambda w: w.id)]
    )
    files[NOTES_FILE] = dump_json([record(n) for n in sorted(snapshot.notes, key=lambda n: n.id)])
    files[ATTACHMENTS_FILE] = dump_json(
        [record(a) for a in sorted(snapshot.attachments, key=lambda a: a.id)]
    )

    index = []
    for doc in sorted(snapshot.documents, key=lambda d: (d.discipline, d.file_name, d.id)):
        entry = record(doc)
        entry["annotations"] = [
            record(a, drop=("document_id",))
            for a in sorted(snapshot.annotations, key=lambda a: (a.page, a.id))
            if a.document_id == doc.id
        ]
        index.append(entry)
    files[DOCUMENTS_INDEX] = dump_json(index)
    files[README_FILE] = render_readme(snapshot, dirs)
    return files


def blob_files(snapshot: BuildingSnapshot) -> dict[str, str]:
    """Binary files of the repository: relative path → SHA-256 of their content."""
    out: dict[str, str] = {}
    for doc in snapshot.documents:
        out[f"{DOCUMENTS_DIR}/{doc.discipline.value}/{doc.file_name}"] = doc.blob_sha256
    for att in snapshot.attachments:
        out[f"{BLOBS_DIR}/{att.blob_sha256}"] = att.blob_sha256
    for note in snapshot.notes:
        if note.audio_sha256:
            out[f"{BLOBS_DIR}/{note.audio_sha256}"] = note.audio_sha256
    return out


def write_repo(snapshot: BuildingSnapshot, dest: Path, *, replace: bool = False) -> list[str]:
    """Write *snapshot* under *dest* and return the relative paths written.

    The repository is built in a temporary folder first, so a failure (a
    missing blob, a full disk) leaves *dest* as it was. With ``replace`` an
    existing export is swapped out, keeping anything the format does not own
    (such as a ``.git`` folder).
    """
    dest = dest.expanduser()
    if dest.exists() and not dest.is_dir():
        raise RepoFormatError([Problem(str(dest), "exists and is not a folder")], writing=True)
    if dest.exists() and any(dest.iterdir()) and not replace:
        raise RepoFormatError(
            [Problem(str(dest), "folder is not empty; choose an empty folder or replace it")],
            writing=True,
        )
    unsound = check_references(snapshot, {})
    placed: list[RoomBase | EquipmentBase] = [*snapshot.rooms, *snapshot.equipment]
    unsound += [
        Problem(f"{row.id}", "is on a floor that is not in the building", "floor_id")
        for row in placed
        if row.floor_id is not None and row.floor_id not in {f.id for f in snapshot.floors}
    ]
    if unsound:
        # Refuse rather than write a repository that the reader would reject.
        raise RepoFormatError(unsound, writing=True)
    binaries = blob_files(snapshot)
    missing = sorted({sha for sha in binaries.values() if sha not in snapshot.blobs})
    if missing:
        raise RepoFormatError(
            [Problem(path, "the file's content is not in this replica") for path in missing],
            writing=True,
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".arxos-export-", dir=dest.parent) as tmp:
        staging = Path(tmp)
        written = []
        for rel, text in render_files(snapshot).items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            written.append(rel)
        for rel, sha in binaries.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(snapshot.blobs[sha], target)
            written.append(rel)
        dest.mkdir(exist_ok=True)
        for name in MANAGED_ENTRIES:
            old = dest / name
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
        for entry in staging.iterdir():
            entry.rename(dest / entry.name)
    return sorted(set(written))
