"""Buildings in the replica: create and find (counts are in :mod:`~arxos_desktop.store.summary`)."""

from __future__ import annotations

from typing import Any

from arxos_desktop.store.queries import to_models
from arxos_desktop.store.records import building_records, pick_building
from arxos_desktop.store.replica import Replica
from sync.schema import BuildingBase


def create_building(
    replica: Replica, *, name: str, address: str = "", **fields: Any
) -> BuildingBase:
    with replica.transaction() as writer:
        wire = writer.insert("building", {"name": name, "address": address, **fields})
    return BuildingBase.model_validate(wire)


def list_buildings(replica: Replica) -> list[BuildingBase]:
    """The buildings shown to the user: under a contractor pass, only the pass's one."""
    scope = replica.access_scope
    records = building_records(replica)
    if scope is not None:
        records = [r for r in records if scope.shows(replica.conn, "building", r.wire)]
    return to_models(records)


def resolve_building(replica: Replica, ref: str | None) -> BuildingBase:
    """Find a building by id, id prefix or name; with no *ref*, the only building there is."""
    return pick_building(list_buildings(replica), ref)  # type: ignore[no-any-return]
