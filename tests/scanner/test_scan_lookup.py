"""Asset tags and equipment ids as the scanner looks them up in the replica."""

from __future__ import annotations

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, delete_equipment
from arxos_desktop.store.scan_lookup import equipment_id_for_tag, live_equipment_tag
from tests.conftest import SampleBuilding


def test_a_tag_finds_its_equipment_whatever_the_case(
    replica: Replica, sample: SampleBuilding
) -> None:
    assert equipment_id_for_tag(replica, "ahu-1") == sample.ahu_id
    assert equipment_id_for_tag(replica, " AHU-1 ") == sample.ahu_id
    assert equipment_id_for_tag(replica, "AHU-99") is None
    assert equipment_id_for_tag(replica, "A" * 65) is None
    assert live_equipment_tag(replica, sample.vav_id) == "VAV-101"
    assert live_equipment_tag(replica, sample.room_id) is None


def test_a_tag_in_two_buildings_needs_the_building_on_screen(
    replica: Replica, sample: SampleBuilding
) -> None:
    other = create_building(replica, name="Annex")
    twin = create_equipment(replica, building_id=other.id, tag="AHU-1", system="hvac")
    assert equipment_id_for_tag(replica, "AHU-1") is None
    assert equipment_id_for_tag(replica, "AHU-1", building_id=other.id) == twin.id
    assert equipment_id_for_tag(replica, "AHU-1", building_id=sample.building_id) == sample.ahu_id


def test_deleted_equipment_is_not_found(replica: Replica, sample: SampleBuilding) -> None:
    delete_equipment(replica, sample.vav_id)
    assert equipment_id_for_tag(replica, "VAV-101") is None
    assert live_equipment_tag(replica, sample.vav_id) is None
