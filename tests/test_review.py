"""The review lists: conflicts named for people with this device's side, refused changes, and
what a discard would take with it (asked before anything is dropped)."""

from __future__ import annotations

import time

import pytest

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.discard import changes_to_discard
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.store.review import conflicts_to_review, label_of, rejected_changes
from sync.clock import Stamp
from sync.ids import new_id
from sync.outbox import ChangeState, Op, count_changes, read_changes
from sync.protocol import ChangeResult, ConflictRecord, PulledChange, PullResponse, ResultStatus
from tests.conftest import SampleBuilding


def _answer(target: ReplicaSyncTarget, *, reject: frozenset[str] = frozenset()) -> None:
    batch = target.pending_changes(10_000)
    target.record_push(
        batch,
        [
            ChangeResult(
                change_id=c.change_id, status=ResultStatus.REJECTED, reason="outside your scope"
            )
            if c.entity_id in reject
            else ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED, seq=100 + i)
            for i, c in enumerate(batch)
        ],
    )


def _pull_conflict(
    replica: Replica, sample: SampleBuilding, *, winner_device: str, loser_device: str
) -> ConflictRecord:
    now = int(time.time() * 1000)
    conflict = ConflictRecord(
        id=new_id(),
        building_id=sample.building_id,
        entity="equipment",
        entity_id=sample.ahu_id,
        field="status",
        winner_value="operational",
        loser_value="needs_service",
        winner_hlc=Stamp(now + 5, 0, winner_device).pack(),
        loser_hlc=Stamp(now, 0, loser_device).pack(),
        winner_device=winner_device,
        loser_device=loser_device,
        seq=900,
    )
    row = PulledChange(
        seq=900,
        entity="equipment",
        entity_id=sample.ahu_id,
        building_id=sample.building_id,
        fields={"tag": "AHU-1", "system": "hvac", "status": "operational"},
        deleted=False,
        hlc=conflict.winner_hlc,
        device_id=winner_device,
    )
    page = PullResponse(changes=[row], conflicts=[conflict], cursor=900, has_more=False)
    ReplicaSyncTarget(replica).apply_pull(page)
    return conflict


def test_a_conflict_is_named_for_people_and_says_which_side_was_mine(
    replica: Replica, sample: SampleBuilding
) -> None:
    _answer(ReplicaSyncTarget(replica))
    conflict = _pull_conflict(
        replica, sample, winner_device="office", loser_device=replica.device_id
    )
    (item,) = conflicts_to_review(replica)
    assert (item.id, item.entity, item.label, item.field) == (
        conflict.id,
        "equipment",
        "AHU-1",
        "status",
    )
    assert (item.kept_value, item.lost_value, item.mine) == ("operational", "needs_service", "lost")
    assert item.when.timestamp() * 1000 == pytest.approx(Stamp.parse(conflict.winner_hlc).wall_ms)
    assert conflicts_to_review(replica, building_id=new_id()) == []


def test_a_conflict_between_two_other_devices_is_nobodys_here(
    replica: Replica, sample: SampleBuilding
) -> None:
    _answer(ReplicaSyncTarget(replica))
    _pull_conflict(replica, sample, winner_device="office", loser_device="van")
    (item,) = conflicts_to_review(replica)
    assert item.mine is None and (item.kept_device, item.lost_device) == ("office", "van")


def test_labels_fall_back_to_the_ids_tail_and_name_rooms(
    replica: Replica, sample: SampleBuilding
) -> None:
    assert label_of(replica, "room", sample.room_id) == "Room 101"
    assert label_of(replica, "equipment", sample.ahu_id) == "AHU-1"
    missing = new_id()
    assert label_of(replica, "equipment", missing) == f"…{missing[-8:]}"


def test_refused_changes_carry_the_servers_reason(replica: Replica, sample: SampleBuilding) -> None:
    target = ReplicaSyncTarget(replica)
    _answer(target)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    update_equipment(replica, sample.vav_id, {"name": "VAV box"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    (item,) = rejected_changes(replica)
    assert (item.label, item.op, item.fields) == ("AHU-1", Op.UPDATE, {"status": "decommissioned"})
    assert (item.state, item.reason) == (ChangeState.REJECTED, "outside your scope")


def test_the_discard_preview_lists_dependents_and_changes_nothing(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = ReplicaSyncTarget(replica)
    _answer(target)
    pump = create_equipment(replica, building_id=sample.building_id, tag="P-7", system="hvac")
    _answer(target, reject=frozenset({pump.id}))
    note = add_note(replica, target_kind="equipment", target_id=pump.id, text="Leaks")
    (refused,) = read_changes(replica.conn, state=ChangeState.REJECTED)
    before = read_changes(replica.conn, state=None)

    going = changes_to_discard(replica, refused.change_id)

    assert [(c.entity_id, c.op) for c in going] == [(pump.id, Op.INSERT), (note.id, Op.INSERT)]
    assert read_changes(replica.conn, state=None) == before
    assert count_changes(replica.conn) == 1
    with pytest.raises(NotFoundError):
        changes_to_discard(replica, new_id())
