"""Discarding local changes: the row goes back to the server's version, offline."""

from __future__ import annotations

import time

import pytest

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.discard import discard_change, discard_changes, discard_rejected
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.errors import ChangeInFlightError, ServerVersionUnknownError
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.queries import get_row
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.clock import Stamp
from sync.outbox import Change, ChangeState, count_changes, read_changes
from sync.protocol import ChangeResult, PulledChange, PullResponse, ResultStatus
from tests.conftest import SampleBuilding


def _answer(target: ReplicaSyncTarget, *, reject: frozenset[str] = frozenset()) -> list[Change]:
    """Push everything pending: changes whose entity id is in *reject* are refused."""
    batch = target.pending_changes(10_000)
    target.record_push(
        batch,
        [
            ChangeResult(change_id=c.change_id, status=ResultStatus.REJECTED, reason="no")
            if c.entity_id in reject
            else ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED, seq=100 + i)
            for i, c in enumerate(batch)
        ],
    )
    return batch


def _synced(replica: Replica) -> ReplicaSyncTarget:
    target = ReplicaSyncTarget(replica)
    _answer(target)
    assert count_changes(replica.conn) == 0
    return target


def _shadows(replica: Replica) -> int:
    return int(replica.conn.execute("SELECT count(*) FROM server_shadow").fetchone()[0])


def test_a_refused_update_is_discarded_and_the_server_value_comes_back(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    (refused,) = read_changes(replica.conn, state=ChangeState.REJECTED)
    assert get_row(replica, "equipment", sample.ahu_id).status == "decommissioned"

    report = discard_change(replica, str(refused.seq))

    assert [c.change_id for c in report.dropped] == [refused.change_id]
    (row,) = report.rows
    assert row.entity_id == sample.ahu_id and row.values is not None
    assert row.values["status"] == "operational"
    assert get_row(replica, "equipment", sample.ahu_id).status == "operational"
    assert count_changes(replica.conn, state=ChangeState.REJECTED) == 0
    assert _shadows(replica) == 0


def test_other_pending_edits_of_the_row_are_kept(replica: Replica, sample: SampleBuilding) -> None:
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    update_equipment(replica, sample.ahu_id, {"name": "AHU one"})
    (refused,) = read_changes(replica.conn, state=ChangeState.REJECTED)

    discard_change(replica, refused.change_id)

    ahu = get_row(replica, "equipment", sample.ahu_id)
    assert (ahu.status, ahu.name) == ("operational", "AHU one")
    (still,) = read_changes(replica.conn)
    assert still.fields == {"name": "AHU one"}
    assert _shadows(replica) == 1  # the pending edit still needs the server's version


def test_a_refused_insert_takes_its_row_and_what_hangs_on_it(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = _synced(replica)
    pump = create_equipment(replica, building_id=sample.building_id, tag="P-7", system="hvac")
    _answer(target, reject=frozenset({pump.id}))
    # Made after the refusal: refused in turn, or still waiting. All need the row.
    update_equipment(replica, pump.id, {"name": "Pump 7"})
    note = add_note(replica, target_kind="equipment", target_id=pump.id, text="Leaks")
    update_equipment(replica, sample.vav_id, {"name": "VAV box"})  # unrelated: stays
    (refused,) = read_changes(replica.conn, state=ChangeState.REJECTED)

    report = discard_change(replica, str(refused.seq))

    assert len(report.dropped) == 3
    assert {(r.entity, r.values) for r in report.rows} == {("equipment", None), ("note", None)}
    for entity, entity_id in (("equipment", pump.id), ("note", note.id)):
        with pytest.raises(NotFoundError):
            get_row(replica, entity, entity_id)
    (left,) = read_changes(replica.conn, state=None)
    assert left.entity_id == sample.vav_id
    assert _shadows(replica) == 1


def test_an_accepted_insert_then_a_refused_edit_goes_back_to_the_inserted_values(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = _synced(replica)
    pump = create_equipment(replica, building_id=sample.building_id, tag="P-8", system="hvac")
    update_equipment(replica, pump.id, {"status": "decommissioned"})
    batch = target.pending_changes(10)
    target.record_push(
        batch,
        [
            ChangeResult(change_id=batch[0].change_id, status=ResultStatus.ACCEPTED, seq=50),
            ChangeResult(change_id=batch[1].change_id, status=ResultStatus.REJECTED, reason="x"),
        ],
    )
    report = discard_rejected(replica)
    assert len(report.dropped) == 1
    row = get_row(replica, "equipment", pump.id)
    assert row.status == "operational"
    assert count_changes(replica.conn, state=ChangeState.REJECTED) == 0


def test_a_pulled_server_version_replaces_the_one_kept(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    current = get_row(replica, "equipment", sample.ahu_id).model_dump(mode="json")
    fields = {k: v for k, v in current.items() if k not in {"id", "building_id", "deleted"}}
    target.apply_pull(
        PullResponse(
            changes=[
                PulledChange(
                    seq=500,
                    entity="equipment",
                    entity_id=sample.ahu_id,
                    building_id=sample.building_id,
                    fields={**fields, "status": "operational", "name": "Renamed by the office"},
                    deleted=False,
                    hlc=Stamp(int(time.time() * 1000) + 60_000, 0, "office").pack(),
                    device_id="office",
                )
            ],
            cursor=500,
            has_more=False,
        )
    )
    ahu = get_row(replica, "equipment", sample.ahu_id)
    assert (ahu.status, ahu.name) == ("decommissioned", "Renamed by the office")
    (mine,) = read_changes(replica.conn)
    discard_change(replica, mine.change_id)
    ahu = get_row(replica, "equipment", sample.ahu_id)
    assert (ahu.status, ahu.name, ahu.server_rev) == (
        "operational",
        "Renamed by the office",
        500,
    )


def test_a_merged_answer_moves_the_kept_server_version_forward(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"name": "Mine"})
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    batch = target.pending_changes(10)
    target.record_push(
        batch,
        [
            ChangeResult(
                change_id=batch[0].change_id,
                status=ResultStatus.MERGED,
                winning={"name": "Theirs"},
                seq=60,
            ),
            ChangeResult(change_id=batch[1].change_id, status=ResultStatus.REJECTED, reason="x"),
        ],
    )
    discard_rejected(replica)
    ahu = get_row(replica, "equipment", sample.ahu_id)
    assert (ahu.name, ahu.status) == ("Theirs", "operational")


def test_a_discarded_delete_brings_the_row_back(replica: Replica, sample: SampleBuilding) -> None:
    target = _synced(replica)
    with replica.transaction() as w:
        w.tombstone("equipment", sample.ahu_id)
    _answer(target, reject=frozenset({sample.ahu_id}))
    report = discard_rejected(replica)
    assert report.rows[0].values is not None and report.rows[0].values["deleted"] is False
    assert get_row(replica, "equipment", sample.ahu_id).tag == "AHU-1"


def test_unknown_changes_are_refused_and_nothing_changes(
    replica: Replica, sample: SampleBuilding
) -> None:
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    (refused,) = read_changes(replica.conn, state=ChangeState.REJECTED)
    for ref in ("999999", "not-a-change", ""):
        with pytest.raises(NotFoundError, match="No such change") as caught:
            discard_changes(replica, [refused.change_id, ref])
        assert ref not in str(caught.value) or not ref
    assert read_changes(replica.conn, state=None) == [refused]
    assert get_row(replica, "equipment", sample.ahu_id).status == "decommissioned"


def test_a_change_being_sent_cannot_be_discarded(replica: Replica, sample: SampleBuilding) -> None:
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    batch = target.pending_changes(10)  # sent; the answer has not come back
    with pytest.raises(ChangeInFlightError, match="answer has not"):
        discard_change(replica, batch[0].change_id)
    assert count_changes(replica.conn) == 1
    target.record_push(
        batch,
        [ChangeResult(change_id=batch[0].change_id, status=ResultStatus.REJECTED, reason="x")],
    )
    discard_change(replica, batch[0].change_id)
    assert get_row(replica, "equipment", sample.ahu_id).status == "operational"


def test_a_row_without_a_kept_server_version_is_refused_unchanged(
    replica: Replica, sample: SampleBuilding
) -> None:
    """Edits made before the replica kept server versions cannot be undone offline."""
    target = _synced(replica)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    with replica.transaction():
        replica.conn.execute("DELETE FROM server_shadow")
    (refused,) = read_changes(replica.conn, state=ChangeState.REJECTED)
    with pytest.raises(ServerVersionUnknownError, match="Sync first"):
        discard_change(replica, refused.change_id)
    assert read_changes(replica.conn, state=None) == [refused]
    assert get_row(replica, "equipment", sample.ahu_id).status == "decommissioned"
