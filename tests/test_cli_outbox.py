"""`arx outbox discard`: giving up rejected changes from the command line."""

from __future__ import annotations

from pathlib import Path

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.queries import get_row
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.outbox import ChangeState, read_changes
from sync.protocol import ChangeResult, ResultStatus
from tests.test_cli import arx, finish, ok, replica_rows, start


def _home_with_refusals(home: Path) -> tuple[str, str, int]:
    """A synced pump, then a refused status edit of it and a refused new fan."""
    with Replica.open(home) as replica:
        target = ReplicaSyncTarget(replica)
        building = create_building(replica, name="Outbox Tower")
        pump = create_equipment(replica, building_id=building.id, tag="P-1", system="hvac")
        batch = target.pending_changes(100)
        target.record_push(
            batch,
            [ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED) for c in batch],
        )
        update_equipment(replica, pump.id, {"status": "decommissioned"})
        fan = create_equipment(replica, building_id=building.id, tag="F-1", system="hvac")
        batch = target.pending_changes(100)
        target.record_push(
            batch,
            [
                ChangeResult(change_id=c.change_id, status=ResultStatus.REJECTED, reason="no")
                for c in batch
            ],
        )
        first = read_changes(replica.conn, state=ChangeState.REJECTED)[0]
    return pump.id, fan.id, first.seq


def test_discard_one_then_the_rest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pump_id, fan_id, seq = _home_with_refusals(home)

    one = ok(home, "outbox", "discard", str(seq))
    assert [c["entity_id"] for c in one["dropped"]] == [pump_id]
    assert one["rows"][0]["values"]["status"] == "operational"

    people = arx(home, "outbox", "discard", "--rejected")
    assert people.code == 0, people.stderr
    assert "gone: the server never had it" in people.stdout
    assert "Discarded 1 change(s)." in people.stdout

    assert ok(home, "outbox", "--all")["matching"] == 0
    with Replica.open(home) as replica:
        assert get_row(replica, "equipment", pump_id).status == "operational"
        assert (
            replica.conn.execute("SELECT 1 FROM equipment WHERE id = ?", (fan_id,)).fetchone()
            is None
        )
    assert "No rejected changes" in arx(home, "outbox", "discard", "--rejected").stdout


def test_bad_discards_are_refused_and_change_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _home_with_refusals(home)
    before = replica_rows(home)
    unknown, both, neither = finish(
        start(home, "outbox", "discard", "424242", "--json"),
        start(home, "outbox", "discard", "1", "--rejected"),
        start(home, "outbox", "discard"),
    )
    assert unknown.code == 3
    assert unknown.json()["error"]["kind"] == "not_found"
    assert "424242" not in unknown.stdout
    assert both.code == neither.code == 4
    assert "either one change" in both.stderr and "either one change" in neither.stderr
    assert replica_rows(home) == before
