"""The equipment table's reads: filters, orders, pages, positions and what reveals a row."""

from __future__ import annotations

import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import create_equipment, delete_equipment
from arxos_desktop.store.equipment_table import (
    PAGE_ROWS,
    SORT_KEYS,
    EquipmentQuery,
    count_equipment,
    equipment_order,
    equipment_rows,
    filter_choices,
    load_view,
    reveal,
)
from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.store.locations import location_tree
from tests.big_building import NAMES, STATUSES, SYSTEMS, BigBuilding, make_big_building
from tests.conftest import SampleBuilding

ROWS = 1_300


@pytest.fixture
def big(replica: Replica) -> BigBuilding:
    return make_big_building(replica, ROWS, floors=4, rooms_per_floor=5)


def _tags(replica: Replica, query: EquipmentQuery) -> list[str]:
    return [row.tag for row in equipment_rows(replica, equipment_order(replica, query))]


def test_every_row_once_in_tag_order_a_page_at_a_time(replica: Replica, big: BigBuilding) -> None:
    query = EquipmentQuery(big.building_id)
    order = equipment_order(replica, query)
    assert len(order) == count_equipment(replica, query) == ROWS
    pages = [equipment_rows(replica, order[i : i + PAGE_ROWS]) for i in range(0, ROWS, PAGE_ROWS)]
    tags = [row.tag for page in pages for row in page]
    assert tags == [f"EQ-{i:06d}" for i in range(ROWS)]
    first = pages[0][0]
    assert (first.system, first.status, first.floor, first.room) == (
        "hvac",
        "operational",
        "Level 0",
        "000 Room 0",
    )


def test_each_filter_shows_exactly_its_rows(replica: Replica, big: BigBuilding) -> None:
    floor = big.floors[2]
    room = big.rooms[floor][1]
    expected = {
        EquipmentQuery(big.building_id, system="fire"): [
            i for i in range(ROWS) if SYSTEMS[i % 5] == "fire"
        ],
        EquipmentQuery(big.building_id, status="needs_service"): [
            i for i in range(ROWS) if STATUSES[i % 3] == "needs_service"
        ],
        EquipmentQuery(big.building_id, floor_id=floor): [i for i in range(ROWS) if i % 4 == 2],
        EquipmentQuery(big.building_id, floor_id=floor, room_id=room): [
            i for i in range(ROWS) if i % 4 == 2 and (i // 4) % 5 == 1
        ],
        EquipmentQuery(big.building_id, system="hvac", status="operational"): [
            i for i in range(ROWS) if i % 5 == 0 and i % 3 == 0
        ],
    }
    for query, numbers in expected.items():
        assert _tags(replica, query) == [f"EQ-{i:06d}" for i in numbers], query
        assert count_equipment(replica, query) == len(numbers)


def test_the_quick_filter_matches_part_of_a_tag_or_name_in_any_case(
    replica: Replica, big: BigBuilding
) -> None:
    assert _tags(replica, EquipmentQuery(big.building_id, text="eq-00012")) == [
        f"EQ-{i:06d}" for i in range(120, 130)
    ]
    by_name = _tags(replica, EquipmentQuery(big.building_id, text="  PUMP 12  "))
    pumps = [i for i in range(ROWS) if NAMES[i % len(NAMES)] == "Pump"]
    assert by_name == [f"EQ-{i:06d}" for i in pumps if str(i).startswith("12")]
    assert len(by_name) == 19
    # LIKE's wildcards are plain characters in the box.
    assert _tags(replica, EquipmentQuery(big.building_id, text="EQ_0")) == []
    assert _tags(replica, EquipmentQuery(big.building_id, text="%")) == []


@pytest.mark.parametrize("sort", sorted(SORT_KEYS))
def test_every_column_sorts_both_ways_and_ties_break_by_tag(
    replica: Replica, sample: SampleBuilding, sort: str
) -> None:
    create_equipment(
        replica, building_id=sample.building_id, tag="ahu-0", name="air", system="fire"
    )
    up = equipment_rows(
        replica, equipment_order(replica, EquipmentQuery(sample.building_id, sort=sort))
    )
    down = equipment_rows(
        replica,
        equipment_order(replica, EquipmentQuery(sample.building_id, sort=sort, descending=True)),
    )
    assert [r.id for r in down] == [r.id for r in reversed(up)]
    column = {"floor": "floor_id"}.get(sort, sort)
    values = [getattr(r, column) for r in up]
    if sort == "floor":  # by level: Level 1 (level 1), then rows without a floor
        assert [r.floor for r in up] == ["Level 1"] * 2 + [""] * 2
    elif sort == "room":
        assert [r.room for r in up] == ["101 Mechanical Room"] * 2 + [""] * 2
    else:
        keys = [str(v).casefold() for v in values]
        assert keys == sorted(keys)
    tags_of_ties = [r.tag.casefold() for r in up if getattr(r, column) == values[0]]
    assert tags_of_ties == sorted(tags_of_ties)


def test_a_reload_keeps_the_row_asked_for_and_loads_down_to_it(
    replica: Replica, big: BigBuilding
) -> None:
    query = EquipmentQuery(big.building_id)
    order = equipment_order(replica, query)
    far = equipment_rows(replica, order[1_100:1_101])[0]
    view = load_view(replica, query, keep_id=far.id)
    assert view.total == ROWS and view.kept == 1_100
    assert len(view.rows) == 1_101 and view.rows[1_100].id == far.id
    short = load_view(replica, query, keep_id=far.id, at_least=10)
    assert len(short.rows) == 1_101
    hidden = load_view(replica, EquipmentQuery(big.building_id, text="EQ-00000"), keep_id=far.id)
    assert hidden.kept is None and len(hidden.rows) == hidden.total == 10
    assert len(load_view(replica, query, at_least=800).rows) == 800


def test_deleted_rows_are_not_shown_and_a_stale_snapshot_skips_them(
    replica: Replica, sample: SampleBuilding
) -> None:
    query = EquipmentQuery(sample.building_id)
    order = equipment_order(replica, query)
    rows = equipment_rows(replica, order)
    rtu = next(r for r in rows if r.tag == "RTU-9")
    delete_equipment(replica, rtu.id)
    assert [r.tag for r in equipment_rows(replica, order)] == ["AHU-1", "VAV-101"]
    assert count_equipment(replica, query) == 2


def test_reveal_clears_only_the_filters_that_hide_the_row(
    replica: Replica, big: BigBuilding, sample: SampleBuilding
) -> None:
    eq7 = equipment_rows(
        replica, equipment_order(replica, EquipmentQuery(big.building_id, text="EQ-000007"))
    )[0]
    # EQ-000007: plumbing, needs_service, floor 3, room 1 of floor 3.
    query = EquipmentQuery(
        big.building_id, system="plumbing", status="operational", floor_id=big.floors[1], text="x"
    )
    shown = reveal(replica, query, eq7.id)
    assert shown == EquipmentQuery(big.building_id, system="plumbing")
    kept_text = reveal(replica, EquipmentQuery(big.building_id, text="eq-0000"), eq7.id)
    assert kept_text.text == "eq-0000"
    elsewhere = reveal(replica, EquipmentQuery(sample.building_id, system="hvac"), eq7.id)
    assert elsewhere == EquipmentQuery(big.building_id)
    with pytest.raises(NotFoundError):
        reveal(replica, query, "00000000-0000-0000-0000-000000000000")


def test_filter_choices_are_the_values_the_building_has(
    replica: Replica, big: BigBuilding, sample: SampleBuilding
) -> None:
    choices = filter_choices(replica, big.building_id)
    assert choices.systems == sorted(SYSTEMS)
    assert choices.statuses == sorted(STATUSES)
    assert [name for _, name in choices.floors] == [f"Level {n}" for n in range(4)]
    assert [i for i, _ in choices.floors] == big.floors
    sample_choices = filter_choices(replica, sample.building_id)
    assert sample_choices.systems == ["hvac"]
    assert [name for _, name in sample_choices.floors] == ["Basement", "Level 1"]


def test_an_unknown_order_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot sort"):
        EquipmentQuery("b", sort="serial; DROP TABLE equipment")


def test_the_location_tree_counts_equipment_per_floor_and_room(
    replica: Replica, big: BigBuilding, sample: SampleBuilding
) -> None:
    tree = location_tree(replica, big.building_id)
    assert tree.building_name == "Big Plant" and tree.equipment == ROWS
    assert [f.id for f in tree.floors] == big.floors
    assert [f.equipment for f in tree.floors] == [325] * 4
    assert [r.equipment for r in tree.floors[0].rooms] == [65] * 5
    assert tree.floors[0].rooms[0].label == "000 Room 0"
    room = big.rooms[big.floors[2]][3]
    floor = tree.floor_of_room(room)
    assert floor is not None and floor.id == big.floors[2]
    small = location_tree(replica, sample.building_id)
    assert small.equipment == 3  # RTU-9 has no floor: counted for the building only
    assert [(f.name, f.equipment) for f in small.floors] == [("Basement", 0), ("Level 1", 2)]
    assert [(r.label, r.equipment) for r in small.floors[1].rooms] == [
        ("101 Mechanical Room", 2),
        ("102 Office", 0),
    ]
