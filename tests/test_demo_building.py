"""The shipped demo building matches its generator and reads back as a realistic building."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pymupdf
import pytest

from arxos_desktop.demo import demo_repo_path
from arxos_desktop.demo.generate import build_demo_snapshot
from arxos_desktop.repo_format import BuildingSnapshot, read_repo, write_repo
from arxos_desktop.store import Replica
from sync.schema import ConnectionKind, Discipline, System, TargetKind, WorkOrderStatus

OPEN_STATES = {WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD}


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def demo() -> BuildingSnapshot:
    return read_repo(demo_repo_path())


def test_shipped_demo_is_byte_identical_to_its_generator(tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    write_repo(build_demo_snapshot(tmp_path / "blobs"), dest)
    shipped, fresh = _files(demo_repo_path()), _files(dest)
    assert sorted(fresh) == sorted(shipped)
    drifted = [rel for rel in sorted(shipped) if shipped[rel] != fresh[rel]]
    assert not drifted, (
        "resources/demo-building no longer matches its generator; run "
        "`python -m arxos_desktop.demo.generate resources/demo-building`. Changed: "
        + ", ".join(drifted)
    )


def test_demo_has_the_described_size(demo: BuildingSnapshot) -> None:
    assert demo.building.name == "Harbor View Medical Office Building"
    assert demo.organization is not None
    assert demo.organization.name == "Harbor Facilities Group"
    assert sorted(f.level for f in demo.floors) == [0, 1, 2, 3]
    assert 50 <= len(demo.rooms) <= 70
    assert 130 <= len(demo.equipment) <= 170
    assert {e.system for e in demo.equipment} == set(System)
    assert len(demo.connections) >= 100
    assert {c.kind for c in demo.connections} == set(ConnectionKind)
    assert any(c.target_kind == TargetKind.ROOM for c in demo.connections)
    statuses = Counter(w.status for w in demo.work_orders)
    assert sum(statuses[s] for s in OPEN_STATES) >= 5
    assert statuses[WorkOrderStatus.DONE] >= 1
    assert demo.notes
    assert demo.annotations


def test_ids_are_uuid7_shaped(demo: BuildingSnapshot) -> None:
    rows = [demo.building, *demo.floors, *demo.rooms, *demo.equipment, *demo.connections]
    for row in rows:
        parsed = uuid.UUID(row.id)
        assert str(parsed) == row.id
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122


def test_rooms_tile_each_floor_and_equipment_sits_in_its_room(demo: BuildingSnapshot) -> None:
    def box(points: list[list[float]]) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    boxes = {r.id: box(r.outline["points"]) for r in demo.rooms}
    for floor in demo.floors:
        rooms = [boxes[r.id] for r in demo.rooms if r.floor_id == floor.id]
        for i, a in enumerate(rooms):
            for b in rooms[i + 1 :]:
                overlap_w = min(a[2], b[2]) - max(a[0], b[0])
                overlap_h = min(a[3], b[3]) - max(a[1], b[1])
                assert overlap_w <= 0 or overlap_h <= 0, (floor.name, a, b)
    for item in demo.equipment:
        if item.room_id is None:
            continue
        x0, y0, x1, y1 = boxes[item.room_id]
        assert x0 < item.position["x"] < x1, item.tag
        assert y0 < item.position["y"] < y1, item.tag


def test_each_floor_has_a_plan_showing_its_equipment_tags(demo: BuildingSnapshot) -> None:
    plans = [d for d in demo.documents if d.discipline == Discipline.ARCHITECTURAL]
    assert sorted(d.floor_id or "" for d in plans) == sorted(f.id for f in demo.floors)
    for doc in plans:
        path = demo.blobs[doc.blob_sha256]
        assert path.stat().st_size < 1_000_000
        with pymupdf.open(path) as pdf:
            assert pdf.page_count == doc.page_count == 1
            text = pdf[0].get_text()
        tags = [e.tag for e in demo.equipment if e.floor_id == doc.floor_id]
        assert tags
        missing = [tag for tag in tags if tag not in text]
        assert not missing, (doc.file_name, missing)


def test_the_app_opens_a_held_demo_without_reloading_it_and_keeps_edits(replica: Replica) -> None:
    from arxos_desktop.demo.loading import demo_building_id, open_or_load_demo
    from arxos_desktop.store.equipment import find_by_tag, update_equipment

    building_id = open_or_load_demo(replica)
    assert building_id == demo_building_id()
    ahu = find_by_tag(replica, building_id, "AHU-1")
    update_equipment(replica, ahu.id, {"model": "edited on site"})
    assert open_or_load_demo(replica) == building_id
    assert find_by_tag(replica, building_id, "AHU-1").model == "edited on site"
