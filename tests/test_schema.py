"""The replicated schema: one definition, validated the same way everywhere."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync.ids import is_valid_id, new_id
from sync.schema import (
    ENTITIES,
    SHAPES,
    SYSTEM_FIELDS,
    Equipment,
    EquipmentBase,
    entity_of,
    user_fields,
)


def test_every_entity_has_the_replication_columns() -> None:
    for name, model in ENTITIES.items():
        columns = set(model.__table__.columns.keys())  # type: ignore[attr-defined]
        assert columns >= SYSTEM_FIELDS, name
        assert set(SHAPES[name].model_fields) == columns, name
        assert entity_of(model) == name


def test_ids_are_time_ordered_uuid7() -> None:
    ids = [new_id() for _ in range(200)]
    assert all(is_valid_id(i) and i[14] == "7" for i in ids)
    assert ids == sorted(ids)


def test_equipment_validates_enums_tags_and_dates() -> None:
    ok = EquipmentBase.model_validate(
        {"tag": "AHU-3", "building_id": new_id(), "system": "hvac", "install_date": "2019-06-30"}
    )
    assert ok.status == "operational"
    for bad in (
        {"tag": " AHU-3"},
        {"tag": ""},
        {"tag": "X", "system": "steam"},
        {"tag": "X", "install_date": "30/06/2019"},
    ):
        with pytest.raises(ValidationError):
            EquipmentBase.model_validate(bad)


def test_table_and_shape_validate_identically() -> None:
    data = {"tag": "P-1", "system": "plumbing", "properties": {"gpm": 40}}
    assert Equipment.model_validate(data).model_dump(
        exclude={"id"}
    ) == EquipmentBase.model_validate(data).model_dump(exclude={"id"})


def test_user_fields_exclude_sync_state() -> None:
    assert "server_rev" not in user_fields("equipment")
    assert user_fields("equipment")[0] == "tag"
