"""Shared fixtures: a fresh replica per test and a small but complete building."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.workorders import create_work_order

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    rep = Replica.open(tmp_path / "home")
    yield rep
    rep.close()


@dataclass
class SampleBuilding:
    building_id: str
    floor_id: str
    room_id: str
    ahu_id: str
    vav_id: str
    work_order_id: str
    document_id: str


def make_pdf(pages: int = 1, text: str = "Level 1") -> bytes:
    doc = pymupdf.open()
    for number in range(pages):
        page = doc.new_page(width=842, height=595)
        page.insert_text((72, 72), f"{text} — sheet {number + 1}")
    data: bytes = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return data


def build_sample(replica: Replica) -> SampleBuilding:
    """One of everything the schema has, so round trips cover every entity."""
    b = create_building(replica, name="Sample Tower", address="1 Test Way", meta={"year": 1998})
    with replica.transaction() as w:
        org = w.insert("organization", {"name": "Sample Facilities"})
        w.update("building", b.id, {"org_id": org["id"]})
        floor = w.insert("floor", {"building_id": b.id, "level": 1, "name": "Level 1"})
        w.insert("floor", {"building_id": b.id, "level": -1, "name": "Basement"})
        room = w.insert(
            "room",
            {
                "building_id": b.id,
                "floor_id": floor["id"],
                "number": "101",
                "name": "Mechanical Room",
                "area_m2": 31.5,
                "outline": {"points": [[0, 0], [6, 0], [6, 5.25], [0, 5.25]]},
            },
        )
        w.insert(
            "room",
            {"building_id": b.id, "floor_id": floor["id"], "number": "102", "name": "Office"},
        )
    ahu = create_equipment(
        replica,
        building_id=b.id,
        tag="AHU-1",
        name="Air handling unit 1",
        system="hvac",
        type="air_handler",
        manufacturer="Trane",
        model="CSAA012",
        serial="K12345",
        room_id=room["id"],
        install_date="2014-05-01",
        properties={"cfm": 12000, "voltage": "480V"},
        position={"x": 2.5, "y": 1.0},
    )
    vav = create_equipment(
        replica, building_id=b.id, tag="VAV-101", system="hvac", room_id=room["id"]
    )
    create_equipment(replica, building_id=b.id, tag="RTU-9", system="hvac", name="Rooftop unit")
    sha = replica.blobs.put_bytes(make_pdf(2))
    photo = replica.blobs.put_bytes(b"\x89PNG\r\n\x1a\nnot-really-a-png")
    with replica.transaction() as w:
        w.insert(
            "connection",
            {"building_id": b.id, "source_id": ahu.id, "target_id": vav.id, "kind": "feeds"},
        )
        w.insert(
            "connection",
            {
                "building_id": b.id,
                "source_id": vav.id,
                "target_kind": "room",
                "target_id": room["id"],
                "kind": "serves",
            },
        )
        doc = w.insert(
            "document",
            {
                "building_id": b.id,
                "discipline": "mechanical",
                "title": "Mechanical plan L1",
                "file_name": "m-101.pdf",
                "blob_sha256": sha,
                "page_count": 2,
                "floor_id": floor["id"],
            },
        )
        w.insert(
            "annotation",
            {
                "building_id": b.id,
                "document_id": doc["id"],
                "page": 0,
                "kind": "pin",
                "geometry": {"point": [100.0, 200.0]},
                "text": "Filter access",
                "equipment_id": ahu.id,
            },
        )
        w.insert(
            "attachment",
            {
                "building_id": b.id,
                "target_kind": "equipment",
                "target_id": ahu.id,
                "blob_sha256": photo,
                "mime_type": "image/png",
                "file_name": "nameplate.png",
                "caption": "Nameplate",
            },
        )
    wo = create_work_order(
        replica,
        building_id=b.id,
        title="Replace filters",
        equipment_id=ahu.id,
        priority="high",
        due="2026-12-01",
    )
    add_note(replica, target_kind="equipment", target_id=ahu.id, text="Belt squeals at start-up")
    add_note(
        replica, target_kind="room", target_id=room["id"], text="Door code changed — ask security"
    )
    return SampleBuilding(b.id, floor["id"], room["id"], ahu.id, vav.id, wo.id, doc["id"])


@pytest.fixture
def sample(replica: Replica) -> SampleBuilding:
    return build_sample(replica)
