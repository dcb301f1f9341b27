"""Generate the demo building repository: ``python -m arxos_desktop.demo.generate DEST``.

The building ("Harbor View Medical Office Building") is assembled from the
floor programs in :mod:`.plan`, the equipment list in :mod:`.catalog` and the
systems wiring, work orders and notes below, then written with the ordinary
repository writer. Everything is seeded, so two runs give identical bytes and
``resources/demo-building`` can be checked against its generator by a test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from arxos_desktop.demo import drawings, sheet
from arxos_desktop.demo.catalog import VAVS, catalog
from arxos_desktop.demo.ids import DemoIds
from arxos_desktop.demo.plan import PROGRAMS, RoomBox, equipment_spots, floor_rooms
from arxos_desktop.demo.records import NOTES, PLAN_NOTES, WORK_ORDERS, wiring
from arxos_desktop.pdf.page_sizes import page_sizes_of_bytes
from arxos_desktop.repo_format import BuildingSnapshot, write_repo
from sync.schema import (
    AnnotationBase,
    AnnotationKind,
    BuildingBase,
    ConnectionKind,
    Discipline,
    DocumentBase,
    EquipmentBase,
    EquipmentConnectionBase,
    FloorBase,
    NoteBase,
    NoteSource,
    OrganizationBase,
    RoomBase,
    System,
    TargetKind,
    WorkOrderBase,
)

SEED = 20250106
BUILDING_NAME = "Harbor View Medical Office Building"
ADDRESS = "1450 Harbor View Parkway, Suffolk, VA 23435, USA"
ORG_NAME = "Harbor Facilities Group"
RoomKey = tuple[int, str]


class _Builder:
    """Accumulates the snapshot; every lookup by tag or room number is checked."""

    def __init__(self, blob_dir: Path) -> None:
        self.ids = DemoIds(SEED)
        self.rng = random.Random(SEED)
        self.blob_dir = blob_dir
        self.org = OrganizationBase(id=self.ids.new(), name=ORG_NAME)
        building_id = self.ids.new()
        self.building = BuildingBase(
            id=building_id,
            building_id=building_id,
            org_id=self.org.id,
            name=BUILDING_NAME,
            address=ADDRESS,
            meta={
                "year_built": 2009,
                "gross_area_m2": 7200,
                "floors_above_grade": 4,
                "occupancy": "Business (ambulatory health care)",
                "construction": "Type IIB, fully sprinklered",
                "timezone": "America/New_York",
            },
        )
        self.snap = BuildingSnapshot(building=self.building, organization=self.org)
        self.floors: dict[int, FloorBase] = {}
        self.rooms: dict[RoomKey, RoomBase] = {}
        self.boxes: dict[RoomKey, RoomBox] = {}
        self.equipment: dict[str, EquipmentBase] = {}
        self.links: set[tuple[str, str, str]] = set()

    def row(self, cls: type[Any], **fields: Any) -> Any:
        """A new row of *cls* in this building with the next deterministic id."""
        return cls(id=self.ids.new(), building_id=self.building.id, **fields)

    def add_floors(self) -> None:
        """Floors and their rooms, with outlines from the plate layout in :mod:`.plan`."""
        for program in PROGRAMS:
            floor = self.row(FloorBase, level=program.level, name=program.name)
            self.floors[program.level] = floor
            self.snap.floors.append(floor)
            for box in floor_rooms(program):
                room = self.row(
                    RoomBase,
                    floor_id=floor.id,
                    number=box.number,
                    name=box.name,
                    area_m2=box.area,
                    outline=box.outline(),
                )
                self.rooms[(box.level, box.number)] = room
                self.boxes[(box.level, box.number)] = box
                self.snap.rooms.append(room)

    def _serial(self, maker: str, year: int) -> str:
        """A nameplate-like serial: maker letters, install year, seeded hex and digit."""
        letters = "".join(c for c in maker.upper() if c.isalpha())[:3]
        return f"{letters}{year % 100:02d}{self.rng.randrange(16**5):05X}{self.rng.randrange(10)}"

    def add_equipment(self) -> None:
        """Catalogue units, placed on a legible grid in their room (rooftop units unplaced)."""
        items = catalog()
        spots: dict[RoomKey, list[tuple[float, float]]] = {}
        placed = [(i.level, i.room) for i in items if i.level is not None and i.room is not None]
        for level, number in dict.fromkeys(placed):
            key = (level, number)
            spots[key] = equipment_spots(self.boxes[key], placed.count(key))
        for item in items:
            position: dict[str, float] = {}
            floor_id = room_id = None
            if item.level is not None and item.room is not None:
                key = (item.level, item.room)
                x, y = spots[key].pop(0)
                position = {"x": x, "y": y}
                floor_id, room_id = self.floors[item.level].id, self.rooms[key].id
            installed = dt.date(item.year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            equipment = self.row(
                EquipmentBase,
                tag=item.tag,
                name=item.name,
                system=item.system,
                type=item.type,
                manufacturer=item.maker,
                model=item.model,
                serial=self._serial(item.maker, item.year),
                status=item.status,
                floor_id=floor_id,
                room_id=room_id,
                install_date=installed,
                properties=dict(item.props),
                position=position,
            )
            self.equipment[item.tag] = equipment
            self.snap.equipment.append(equipment)

    def link(self, source: str, kind: ConnectionKind, target: str | RoomKey) -> None:
        """One directed connection to equipment (by tag) or a room (by level and number)."""
        src = self.equipment[source].id
        if isinstance(target, tuple):
            target_kind, target_id = TargetKind.ROOM, self.rooms[target].id
        else:
            target_kind, target_id = TargetKind.EQUIPMENT, self.equipment[target].id
        key = (src, kind.value, target_id)
        if key in self.links or src == target_id:
            raise ValueError(f"bad or duplicate demo connection {source} {kind} {target}")
        self.links.add(key)
        self.snap.connections.append(
            self.row(
                EquipmentConnectionBase,
                source_id=src,
                target_kind=target_kind,
                target_id=target_id,
                kind=kind,
            )
        )

    def add_connections(self) -> None:
        """Hand-written wiring plus the repetitive links every VAV and field device has."""
        for source, kind, target in wiring():
            self.link(source, kind, target)
        for tag, (level, _room, served) in VAVS.items():
            self.link("AHU-1" if level <= 1 else "AHU-2", ConnectionKind.FEEDS, tag)
            self.link(f"LP-{'G' if level == 0 else level}A", ConnectionKind.POWERS, tag)
            for number in served:
                self.link(tag, ConnectionKind.SERVES, (level, number))
        for tag, item in self.equipment.items():
            if item.system == System.FIRE and tag.startswith(("SD-", "DSD-")):
                self.link("FACP-1", ConnectionKind.CONTROLS, tag)
            elif tag.startswith("CR-"):
                self.link("ACP-1", ConnectionKind.CONTROLS, tag)
            elif tag.startswith("CAM-"):
                self.link("NVR-1", ConnectionKind.CONTROLS, tag)

    def _blob(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self.blob_dir / sha
        path.write_bytes(data)
        self.snap.blobs[sha] = path
        return sha

    def add_documents(self) -> None:
        """One plan sheet per floor (A-100..A-103) with markups, and the M-001 schedule."""
        for level, floor in self.floors.items():
            slug = floor.name.lower().replace(" ", "-")
            title = f"Floor plan — {floor.name}"
            rooms = [r for r in self.snap.rooms if r.floor_id == floor.id]
            items = [e for e in self.snap.equipment if e.floor_id == floor.id]
            pdf = drawings.floor_plan_pdf(
                self.building, floor, rooms, items, sheet=f"A-10{level}", title=title
            )
            doc = self.row(
                DocumentBase,
                discipline=Discipline.ARCHITECTURAL,
                title=title,
                file_name=f"floor-plan-{slug}.pdf",
                blob_sha256=self._blob(pdf),
                page_count=1,
                floor_id=floor.id,
                page_sizes=page_sizes_of_bytes(pdf),
            )
            self.snap.documents.append(doc)
            for tag, kind, text in PLAN_NOTES.get(level, ()):
                self.add_plan_note(doc, tag, kind, text)
        mechanical = [
            e for e in self.snap.equipment if e.system in (System.HVAC, System.MECHANICAL)
        ]
        title = "Mechanical equipment schedule"
        pdf = sheet.schedule_pdf(
            self.building,
            sorted(mechanical, key=lambda e: e.tag),
            self.snap.rooms,
            self.snap.floors,
            sheet="M-001",
            title=title,
        )
        self.snap.documents.append(
            self.row(
                DocumentBase,
                discipline=Discipline.MECHANICAL,
                title=title,
                file_name="mechanical-equipment-schedule.pdf",
                blob_sha256=self._blob(pdf),
                page_count=1,
                page_sizes=page_sizes_of_bytes(pdf),
            )
        )

    def add_plan_note(self, doc: DocumentBase, tag: str, kind: AnnotationKind, text: str) -> None:
        """An annotation on a plan, placed at the equipment's marker (PDF points)."""
        item = self.equipment[tag]
        px, py = drawings.to_page(item.position["x"], item.position["y"])
        if kind == AnnotationKind.PIN:
            geometry: dict[str, Any] = {"point": [px, py]}
            style: dict[str, Any] = {"color": "#d32f2f"}
        else:
            geometry = {"rect": [px - 20, py - 16, px + 70, py + 16]}
            style = {"color": "#f9a825", "width": 2}
        self.snap.annotations.append(
            self.row(
                AnnotationBase,
                document_id=doc.id,
                page=0,
                kind=kind,
                geometry=geometry,
                style=style,
                text=text,
                equipment_id=item.id,
            )
        )

    def add_work_and_notes(self) -> None:
        """The building's current story: open and closed work orders, field notes."""
        for tag, title, description, priority, status, assignee, due in WORK_ORDERS:
            self.snap.work_orders.append(
                self.row(
                    WorkOrderBase,
                    equipment_id=self.equipment[tag].id,
                    title=title,
                    description=description,
                    priority=priority,
                    status=status,
                    assignee=assignee,
                    due=dt.date.fromisoformat(due),
                )
            )
        for target, text in NOTES:
            if target is None:
                kind, target_id = TargetKind.BUILDING, self.building.id
            elif isinstance(target, tuple):
                kind, target_id = TargetKind.ROOM, self.rooms[target].id
            else:
                kind, target_id = TargetKind.EQUIPMENT, self.equipment[target].id
            self.snap.notes.append(
                self.row(
                    NoteBase,
                    target_kind=kind,
                    target_id=target_id,
                    text=text,
                    source=NoteSource.TYPED,
                )
            )


def build_demo_snapshot(blob_dir: Path) -> BuildingSnapshot:
    """The demo building in memory; its PDFs are written into *blob_dir* named by SHA-256."""
    blob_dir.mkdir(parents=True, exist_ok=True)
    builder = _Builder(blob_dir)
    builder.add_floors()
    builder.add_equipment()
    builder.add_connections()
    builder.add_documents()
    builder.add_work_and_notes()
    return builder.snap


def main(argv: list[str] | None = None) -> int:
    """Write the demo repository to the folder given on the command line (replacing it)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m arxos_desktop.demo.generate DEST", file=sys.stderr)
        return 2
    dest = Path(args[0])
    with tempfile.TemporaryDirectory(prefix="arxos-demo-blobs-") as tmp:
        written = write_repo(build_demo_snapshot(Path(tmp)), dest, replace=True)
    print(f"wrote {len(written)} files to {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
