"""The replica's side of sync: answers and pulled pages, without a network."""

from __future__ import annotations

import time

import pytest

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.remote import (
    ReplicaSyncTarget,
    dismiss_conflict,
    open_conflicts,
    restore_losing_value,
)
from sync.clock import Stamp
from sync.ids import new_id
from sync.outbox import ChangeState, count_changes, read_changes
from sync.protocol import ChangeResult, ConflictRecord, PulledChange, PullResponse, ResultStatus
from tests.conftest import SampleBuilding


def _accept_all(target: ReplicaSyncTarget) -> None:
    batch = target.pending_changes(10_000)
    target.record_push(
        batch,
        [
            ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED, seq=i + 1)
            for i, c in enumerate(batch)
        ],
    )


def _pulled(
    entity_id: str, building_id: str, fields: dict[str, object], seq: int, node: str = "other"
) -> PulledChange:
    return PulledChange(
        seq=seq,
        entity="equipment",
        entity_id=entity_id,
        building_id=building_id,
        fields=fields,
        deleted=False,
        hlc=Stamp(int(time.time() * 1000) + 60_000 + seq, 0, node).pack(),
        device_id=node,
    )


def test_answers_clear_the_outbox_and_keep_rejections(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = ReplicaSyncTarget(replica)
    _accept_all(target)
    assert count_changes(replica.conn) == 0
    update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    update_equipment(replica, sample.vav_id, {"name": "VAV box"})
    batch = target.pending_changes(10)
    target.record_push(
        batch,
        [
            ChangeResult(
                change_id=batch[0].change_id,
                status=ResultStatus.REJECTED,
                reason="outside your systems",
            ),
            ChangeResult(
                change_id=batch[1].change_id,
                status=ResultStatus.MERGED,
                winning={"name": "VAV-101 box"},
                seq=9,
            ),
        ],
    )
    (kept,) = read_changes(replica.conn, state=ChangeState.REJECTED)
    assert (kept.entity_id, kept.reason) == (sample.ahu_id, "outside your systems")
    assert target.pending_changes(10) == []
    assert find_by_tag(replica, sample.building_id, "VAV-101").name == "VAV-101 box"


def test_pulled_rows_never_hide_unsent_edits(replica: Replica, sample: SampleBuilding) -> None:
    target = ReplicaSyncTarget(replica)
    _accept_all(target)
    update_equipment(replica, sample.ahu_id, {"status": "out_of_service"})
    ahu = find_by_tag(replica, sample.building_id, "AHU-1").model_dump(mode="json")
    remote = {
        k: v
        for k, v in ahu.items()
        if k not in ("id", "building_id", "created_hlc", "updated_hlc", "deleted", "server_rev")
    }
    remote |= {"status": "needs_service", "name": "Renamed elsewhere"}
    target.apply_pull(
        PullResponse(
            changes=[_pulled(sample.ahu_id, sample.building_id, remote, 40)],
            cursor=40,
            has_more=False,
        )
    )
    now = find_by_tag(replica, sample.building_id, "AHU-1")
    assert (now.status, now.name, now.server_rev) == ("out_of_service", "Renamed elsewhere", 40)
    assert target.cursor() == 40
    # Later local edits sort after what was pulled.
    assert replica.clock.tick() > Stamp.parse(now.updated_hlc)


def test_pulled_new_rows_arrive_even_before_their_parents(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = ReplicaSyncTarget(replica)
    new = new_id()
    room = new_id()
    fields = {"tag": "EF-9", "system": "hvac", "room_id": room, "floor_id": sample.floor_id}
    target.apply_pull(
        PullResponse(
            changes=[_pulled(new, sample.building_id, fields, 50)], cursor=50, has_more=False
        )
    )
    assert find_by_tag(replica, sample.building_id, "EF-9").room_id == room


def test_conflicts_are_stored_and_the_loser_can_be_restored(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = ReplicaSyncTarget(replica)
    _accept_all(target)
    conflict = ConflictRecord(
        id=new_id(),
        building_id=sample.building_id,
        entity="equipment",
        entity_id=sample.ahu_id,
        field="status",
        winner_value="operational",
        loser_value="needs_service",
        winner_hlc=Stamp(2, 0, "b").pack(),
        loser_hlc=Stamp(1, 0, "a").pack(),
        winner_device="b",
        loser_device="a",
        seq=7,
    )
    page = PullResponse(changes=[], conflicts=[conflict, conflict], cursor=7, has_more=False)
    target.apply_pull(page)
    (listed,) = open_conflicts(replica)
    assert (listed["field"], listed["loser_value"]) == ("status", "needs_service")
    assert restore_losing_value(replica, conflict.id) == {"status": "needs_service"}
    assert find_by_tag(replica, sample.building_id, "AHU-1").status == "needs_service"
    assert read_changes(replica.conn)[-1].fields == {"status": "needs_service"}
    assert open_conflicts(replica) == []
    with pytest.raises(NotFoundError):
        dismiss_conflict(replica, conflict.id)  # already handled


def _synchronous(replica: Replica) -> int:
    return int(replica.conn.execute("PRAGMA synchronous").fetchone()[0])


def test_recording_answers_skips_only_its_own_disk_flush(
    replica: Replica, sample: SampleBuilding
) -> None:
    """The answers are committed without a flush; every other transaction keeps FULL (2)."""
    target = ReplicaSyncTarget(replica)
    seen: list[int] = []
    original = replica.conn

    class Spy:
        """Notes the synchronous level in force when the answers' DELETE runs."""

        def __getattr__(self, name: str) -> object:
            return getattr(original, name)

        def executemany(self, sql: str, rows: object) -> object:
            if sql.startswith("DELETE FROM outbox"):
                seen.append(_synchronous(replica))
            return original.executemany(sql, rows)  # type: ignore[arg-type]

    replica.conn = Spy()  # type: ignore[assignment]
    try:
        _accept_all(target)
    finally:
        replica.conn = original
    assert seen == [1]  # NORMAL while the answers were recorded
    assert count_changes(replica.conn) == 0
    assert _synchronous(replica) == 2  # FULL again for everything after

    with pytest.raises(RuntimeError, match="boom"), replica.remote_transaction(durable=False):
        raise RuntimeError("boom")
    assert _synchronous(replica) == 2  # restored after a failure too
