"""Cross-file checks: every reference points at a row that exists, every key is unique."""

from __future__ import annotations

from collections import Counter

from arxos_desktop.repo_format.errors import Problem
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from sync.schema import AttachmentBase, NoteBase, Replicated, TargetKind

#: Where each row came from: id → (file, position such as ``equipment[3] (AHU-3)``).
Origins = dict[str, tuple[str, str]]


def _at(origins: Origins, row: Replicated, field: str, message: str) -> Problem:
    file, where = origins.get(row.id, ("?", row.id))
    return Problem(file, message, f"{where}.{field}")


def check_references(
    snap: BuildingSnapshot, origins: Origins, invalid_ids: set[str] | frozenset[str] = frozenset()
) -> list[Problem]:
    """Every problem that needs more than one record to see.

    References to *invalid_ids* (records already reported as invalid) count as
    present, so a single bad record is reported once.
    """
    problems: list[Problem] = []
    rows: list[Replicated] = [snap.building]
    for group in snap.entity_lists().values():
        rows.extend(group)  # type: ignore[arg-type]
    for row_id, count in Counter(r.id for r in rows).items():
        if count > 1:
            file, where = origins.get(row_id, ("?", row_id))
            problems.append(Problem(file, f"id {row_id} is used by {count} records", f"{where}.id"))

    floors = {f.id for f in snap.floors} | set(invalid_ids)
    rooms = {r.id: r for r in snap.rooms}
    equipment: dict[str, object] = {e.id: e for e in snap.equipment}
    equipment.update(dict.fromkeys(invalid_ids))
    targets = {
        TargetKind.BUILDING: {snap.building.id},
        TargetKind.FLOOR: floors,
        TargetKind.ROOM: set(rooms) | set(invalid_ids),
        TargetKind.EQUIPMENT: set(equipment),
        TargetKind.WORKORDER: {w.id for w in snap.work_orders} | set(invalid_ids),
        TargetKind.DOCUMENT: {d.id for d in snap.documents} | set(invalid_ids),
        TargetKind.ANNOTATION: {a.id for a in snap.annotations} | set(invalid_ids),
    }

    seen_numbers: set[tuple[str, str]] = set()
    for room in snap.rooms:
        key = (room.floor_id, room.number.casefold())
        if key in seen_numbers:
            problems.append(
                _at(
                    origins,
                    room,
                    "number",
                    f"room number {room.number!r} is used twice on this floor",
                )
            )
        seen_numbers.add(key)

    seen_tags: dict[str, str] = {}
    for item in snap.equipment:
        tag = item.tag.casefold()
        if tag in seen_tags:
            problems.append(
                _at(
                    origins,
                    item,
                    "tag",
                    f"tag {item.tag!r} is used by more than one piece of equipment",
                )
            )
        seen_tags[tag] = item.id
        if item.room_id is None:
            continue
        room_row = rooms.get(item.room_id)
        if item.room_id in invalid_ids:
            continue
        if room_row is None:
            problems.append(_at(origins, item, "room_id", f"room {item.room_id} does not exist"))
        elif room_row.floor_id != item.floor_id:
            problems.append(
                _at(
                    origins,
                    item,
                    "room_id",
                    f"room {room_row.number} is not on this equipment's floor",
                )
            )

    seen_links: set[tuple[str, str, str]] = set()
    for link in snap.connections:
        if link.source_id not in equipment:
            problems.append(
                _at(origins, link, "source_id", f"equipment {link.source_id} does not exist")
            )
        if link.target_kind not in (TargetKind.EQUIPMENT, TargetKind.ROOM):
            problems.append(
                _at(origins, link, "target_kind", "a connection must point at equipment or a room")
            )
        elif link.target_id not in targets[link.target_kind]:
            problems.append(
                _at(
                    origins,
                    link,
                    "target_id",
                    f"{link.target_kind.value} {link.target_id} does not exist",
                )
            )
        if link.source_id == link.target_id:
            problems.append(
                _at(origins, link, "target_id", "equipment cannot be connected to itself")
            )
        link_key = (link.source_id, link.kind.value, link.target_id)
        if link_key in seen_links:
            problems.append(_at(origins, link, "kind", "the same connection is listed twice"))
        seen_links.add(link_key)

    seen_files: set[tuple[str, str]] = set()
    for doc in snap.documents:
        if doc.floor_id is not None and doc.floor_id not in floors:
            problems.append(_at(origins, doc, "floor_id", f"floor {doc.floor_id} does not exist"))
        key = (doc.discipline.value, doc.file_name.casefold())
        if key in seen_files:
            problems.append(_at(origins, doc, "file_name", f"{doc.file_name!r} is listed twice"))
        seen_files.add(key)

    for note in snap.annotations:
        if note.equipment_id is not None and note.equipment_id not in equipment:
            problems.append(
                _at(origins, note, "equipment_id", f"equipment {note.equipment_id} does not exist")
            )
    for order in snap.work_orders:
        if order.equipment_id is not None and order.equipment_id not in equipment:
            problems.append(
                _at(
                    origins, order, "equipment_id", f"equipment {order.equipment_id} does not exist"
                )
            )
    targeting: list[NoteBase | AttachmentBase] = [*snap.notes, *snap.attachments]
    for row in targeting:
        if row.target_id not in targets[row.target_kind]:
            problems.append(
                _at(
                    origins,
                    row,
                    "target_id",
                    f"{row.target_kind.value} {row.target_id} does not exist",
                )
            )
    return problems
