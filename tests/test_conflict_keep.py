"""Conflicts on one device: closed by newer server states, and `keep` never claims a value."""

from __future__ import annotations

import time
from pathlib import Path

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget, open_conflicts
from sync.clock import Stamp
from sync.ids import new_id
from sync.protocol import ConflictRecord, PulledChange, PullResponse
from tests.test_cli import arx


def _stamp(ahead: int, node: str) -> str:
    return Stamp(int(time.time() * 1000) + ahead, 0, node).pack()


def _page(
    building_id: str, pump_id: str, status: str, seq: int, conflict: ConflictRecord | None
) -> PullResponse:
    row = PulledChange(
        seq=seq,
        entity="equipment",
        entity_id=pump_id,
        building_id=building_id,
        fields={"tag": "P-1", "system": "hvac", "status": status},
        deleted=False,
        hlc=_stamp(seq, "office"),
        device_id="office",
    )
    return PullResponse(
        changes=[row], conflicts=[conflict] if conflict else [], cursor=seq, has_more=False
    )


def _conflict(building_id: str, pump_id: str) -> ConflictRecord:
    return ConflictRecord(
        id=new_id(),
        building_id=building_id,
        entity="equipment",
        entity_id=pump_id,
        field="status",
        winner_value="operational",
        loser_value="needs_service",
        winner_hlc=_stamp(2, "office"),
        loser_hlc=_stamp(1, "van"),
        winner_device="office",
        loser_device="van",
        seq=10,
    )


def _setup(home: Path) -> tuple[Replica, ReplicaSyncTarget, str, str]:
    replica = Replica.open(home)
    building = create_building(replica, name="Keep Tower")
    pump = create_equipment(replica, building_id=building.id, tag="P-1", system="hvac")
    return replica, ReplicaSyncTarget(replica), building.id, pump.id


def test_a_newer_server_value_closes_the_conflict_in_the_same_page_or_later(
    tmp_path: Path,
) -> None:
    replica, target, building_id, pump_id = _setup(tmp_path / "a")
    target.apply_pull(
        _page(building_id, pump_id, "operational", 10, _conflict(building_id, pump_id))
    )
    assert len(open_conflicts(replica)) == 1  # the winner is the value: still to review
    target.apply_pull(_page(building_id, pump_id, "needs_service", 11, None))
    assert open_conflicts(replica) == []
    assert open_conflicts(replica, include_resolved=True)[0]["resolution"] == "superseded"
    replica.close()

    replica, target, building_id, pump_id = _setup(tmp_path / "b")
    target.apply_pull(
        _page(building_id, pump_id, "decommissioned", 12, _conflict(building_id, pump_id))
    )
    assert open_conflicts(replica) == []
    replica.close()


def test_keep_says_what_the_value_really_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    replica, target, building_id, pump_id = _setup(home)
    conflict = _conflict(building_id, pump_id)
    target.apply_pull(_page(building_id, pump_id, "operational", 10, conflict))
    update_equipment(replica, pump_id, {"status": "decommissioned"})
    replica.close()
    kept = arx(home, "conflicts", "keep", conflict.id)
    assert kept.code == 0, kept.stderr
    assert "Kept" not in kept.stdout
    assert "is now decommissioned, not operational" in kept.stdout
    listed = arx(home, "conflicts", "--all", "--json").json()
    assert listed[0]["resolution"] == "superseded"
