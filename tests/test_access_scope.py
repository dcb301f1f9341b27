"""A contractor pass's scope at the store's write path: every edit outside it is refused
before it is written, whichever widget or command asked (attacks written as tests)."""

from __future__ import annotations

import sqlite3

import pytest

from arxos_desktop.access.errors import OutOfScopeError
from arxos_desktop.access.scope import PassScope
from arxos_desktop.errors import ErrorKind
from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.notes import add_note
from sync.outbox import count_changes
from sync.tokens import Permission
from tests.conftest import SampleBuilding


def pass_scope(
    building_id: str, *permissions: str, floors: tuple[int, ...] | None = (1,)
) -> PassScope:
    return PassScope(
        building_id=building_id,
        systems=frozenset({"hvac"}),
        floors=None if floors is None else frozenset(floors),
        permissions=frozenset(Permission(p) for p in permissions),
    )


def snapshot(conn: sqlite3.Connection) -> tuple[object, ...]:
    """What a refused edit must leave exactly as it was: rows and outbox."""
    return (
        conn.execute("SELECT * FROM equipment ORDER BY id").fetchall(),
        conn.execute("SELECT * FROM notes ORDER BY id").fetchall(),
        count_changes(conn),
    )


@pytest.fixture
def other_building(replica: Replica) -> str:
    building = create_building(replica, name="Other Site").id
    return create_equipment(replica, building_id=building, tag="B-AHU", system="hvac").id


def test_a_write_pass_edits_in_scope(replica: Replica, sample: SampleBuilding) -> None:
    replica.access_scope = pass_scope(sample.building_id, "read", "write")
    before = count_changes(replica.conn)
    assert update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    assert count_changes(replica.conn) == before + 1


def test_a_pass_for_building_a_cannot_write_building_b(
    replica: Replica, sample: SampleBuilding, other_building: str
) -> None:
    replica.access_scope = pass_scope(sample.building_id, "read", "write")
    before = snapshot(replica.conn)
    with pytest.raises(OutOfScopeError, match="no access to this building") as refused:
        update_equipment(replica, other_building, {"status": "needs_service"})
    assert refused.value.kind is ErrorKind.ACCESS_REFUSED
    with pytest.raises(OutOfScopeError):
        add_note(replica, target_kind="equipment", target_id=other_building, text="was here")
    assert snapshot(replica.conn) == before


def test_a_read_only_pass_cannot_write_locally(replica: Replica, sample: SampleBuilding) -> None:
    replica.access_scope = pass_scope(sample.building_id, "read")
    before = snapshot(replica.conn)
    with pytest.raises(OutOfScopeError, match="look only"):
        update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    with pytest.raises(OutOfScopeError, match="look only"):
        add_note(replica, target_kind="equipment", target_id=sample.ahu_id, text="hello")
    assert snapshot(replica.conn) == before


def test_an_annotate_pass_adds_notes_but_changes_no_equipment(
    replica: Replica, sample: SampleBuilding
) -> None:
    replica.access_scope = pass_scope(sample.building_id, "read", "annotate")
    before = snapshot(replica.conn)
    with pytest.raises(OutOfScopeError, match="notes, markups and photos only"):
        update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    assert snapshot(replica.conn) == before
    add_note(replica, target_kind="equipment", target_id=sample.ahu_id, text="Filter dirty")
    assert count_changes(replica.conn) == before[2] + 1


def test_out_of_scope_floors_and_systems_are_neither_written_nor_shown(
    replica: Replica, sample: SampleBuilding
) -> None:
    basement = replica.conn.execute("SELECT id FROM floors WHERE level = -1").fetchone()[0]
    pump = create_equipment(
        replica,
        building_id=sample.building_id,
        tag="P-1",
        system="plumbing",
        floor_id=sample.floor_id,
    ).id
    low = create_equipment(
        replica, building_id=sample.building_id, tag="AHU-B", system="hvac", floor_id=basement
    ).id
    scope = pass_scope(sample.building_id, "read", "write")
    replica.access_scope = scope
    before = snapshot(replica.conn)
    for equipment_id in (pump, low):
        with pytest.raises(OutOfScopeError, match="outside the systems or floors you were granted"):
            update_equipment(replica, equipment_id, {"name": "mine now"})
    # Moving an in-scope unit out of scope is refused too: the pass covers where it ends up.
    with pytest.raises(OutOfScopeError):
        update_equipment(replica, sample.ahu_id, {"system": "plumbing"})
    with (
        pytest.raises(OutOfScopeError, match="only some floors or systems"),
        replica.transaction() as writer,
    ):
        writer.update("floor", sample.floor_id, {"name": "Renamed"})
    assert snapshot(replica.conn) == before
    conn = replica.conn
    assert scope.shows(conn, "floor", {"building_id": sample.building_id, "level": 1})
    assert not scope.shows(conn, "floor", {"building_id": sample.building_id, "level": -1})
    row = {"building_id": sample.building_id, "system": "plumbing", "floor_id": sample.floor_id}
    assert not scope.shows(conn, "equipment", row)


def test_no_pass_changes_an_organisation(replica: Replica, sample: SampleBuilding) -> None:
    org = replica.conn.execute("SELECT id FROM organizations").fetchone()[0]
    # A pass for the whole building (every system and floor) still leaves the owner alone.
    replica.access_scope = PassScope(
        sample.building_id, None, None, frozenset({Permission.READ, Permission.WRITE})
    )
    with (
        pytest.raises(OutOfScopeError, match="organisations"),
        replica.transaction() as writer,
    ):
        writer.update("organization", org, {"name": "Taken over"})


def test_without_a_pass_every_write_goes_through(replica: Replica, sample: SampleBuilding) -> None:
    assert replica.access_scope is None
    assert update_equipment(replica, sample.ahu_id, {"system": "plumbing"})


def test_a_pass_lists_only_its_building_floors_and_systems(
    replica: Replica, sample: SampleBuilding, other_building: str
) -> None:
    from arxos_desktop.store.buildings import list_buildings
    from arxos_desktop.store.equipment_table import EquipmentQuery, filter_choices, load_view
    from arxos_desktop.store.locations import location_tree
    from arxos_desktop.store.search import search

    pump = create_equipment(
        replica, building_id=sample.building_id, tag="P-1", system="plumbing",
        floor_id=sample.floor_id,
    ).id  # fmt: skip
    everything = load_view(replica, EquipmentQuery(sample.building_id))
    assert len(everything.order) == 4
    replica.access_scope = pass_scope(sample.building_id, "read")
    assert [b.id for b in list_buildings(replica)] == [sample.building_id]
    tree = location_tree(replica, sample.building_id)
    assert [f.level for f in tree.floors] == [1] and tree.equipment == 2  # AHU-1 and VAV-101
    view = load_view(replica, EquipmentQuery(sample.building_id))
    assert sorted(r.tag for r in view.rows) == ["AHU-1", "VAV-101"]
    choices = filter_choices(replica, sample.building_id)
    assert choices.systems == ["hvac"] and [name for _, name in choices.floors] == ["Level 1"]
    assert search(replica, "P-1") == [] and search(replica, "B-AHU") == []
    assert [h.id for h in search(replica, "AHU-1")] == [sample.ahu_id]
    assert pump not in {h.id for h in search(replica, "plumbing")}
