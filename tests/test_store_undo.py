"""Undo of saved edits: a new queued change, walking back, never over someone's newer value."""

from __future__ import annotations

import pytest

from arxos_desktop.store import InvalidEditError, Replica
from arxos_desktop.store.equipment import delete_equipment, update_equipment
from arxos_desktop.store.queries import get_row
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.store.undo import (
    Edit,
    UndoHistory,
    UndoRefusedError,
    save_edit,
    undo_edit,
)
from sync.outbox import Op, count_changes, read_changes
from sync.protocol import ChangeResult, ResultStatus
from tests.conftest import SampleBuilding


def _status(replica: Replica, equipment_id: str) -> str:
    return str(get_row(replica, "equipment", equipment_id).status)  # type: ignore[attr-defined]


def test_save_edit_remembers_the_previous_values_of_what_changed(
    replica: Replica, sample: SampleBuilding
) -> None:
    edit = save_edit(
        replica,
        "equipment",
        sample.ahu_id,
        {"status": "needs_service", "name": "Air handling unit 1"},
        label="AHU-1",
    )
    assert edit == Edit(
        "equipment",
        sample.ahu_id,
        "AHU-1",
        before={"status": "operational"},
        after={"status": "needs_service"},
    )
    assert edit.describe() == "status of AHU-1"
    assert save_edit(replica, "equipment", sample.ahu_id, {"status": "needs_service"}) is None


def test_a_room_edit_remembers_the_floor_the_store_moved_with_it(
    replica: Replica, sample: SampleBuilding
) -> None:
    rtu = next(
        e for e in replica.conn.execute("SELECT id FROM equipment WHERE tag = 'RTU-9'").fetchall()
    )[0]
    edit = save_edit(replica, "equipment", rtu, {"room_id": sample.room_id}, label="RTU-9")
    assert edit is not None
    assert edit.before == {"room_id": None, "floor_id": None}
    undo_edit(replica, edit)
    row = get_row(replica, "equipment", rtu)
    assert (row.room_id, row.floor_id) == (None, None)  # type: ignore[attr-defined]


def test_undo_puts_the_previous_value_back_as_a_new_queued_change(
    replica: Replica, sample: SampleBuilding
) -> None:
    edit = save_edit(replica, "equipment", sample.ahu_id, {"status": "out_of_service"})
    assert edit is not None
    before = count_changes(replica.conn)
    back = undo_edit(replica, edit)
    assert back is not None and back.after == {"status": "operational"}
    assert _status(replica, sample.ahu_id) == "operational"
    assert count_changes(replica.conn) == before + 1
    last = read_changes(replica.conn)[-1]
    assert (last.op, last.entity_id, last.fields) == (
        Op.UPDATE,
        sample.ahu_id,
        {"status": "operational"},
    )


def test_several_undos_walk_back_through_the_history(
    replica: Replica, sample: SampleBuilding
) -> None:
    history = UndoHistory()
    for status in ("needs_service", "out_of_service", "decommissioned"):
        history.record(save_edit(replica, "equipment", sample.ahu_id, {"status": status}))
    history.record(save_edit(replica, "workorder", sample.work_order_id, {"priority": "urgent"}))
    assert len(history) == 4
    seen = []
    while (edit := history.take()) is not None:
        undo_edit(replica, edit)
        seen.append(_status(replica, sample.ahu_id))
    assert seen == ["decommissioned", "out_of_service", "needs_service", "operational"]
    assert get_row(replica, "workorder", sample.work_order_id).priority == "high"  # type: ignore[attr-defined]


def test_undo_refuses_to_overwrite_a_value_a_sync_brought_since(
    replica: Replica, sample: SampleBuilding
) -> None:
    edit = save_edit(replica, "equipment", sample.ahu_id, {"name": "Mine"})
    assert edit is not None
    target = ReplicaSyncTarget(replica)
    batch = target.pending_changes(10_000)
    target.record_push(
        batch,
        [
            ChangeResult(
                change_id=c.change_id,
                status=ResultStatus.MERGED
                if c.fields == {"name": "Mine"}
                else ResultStatus.ACCEPTED,
                winning={"name": "Theirs"} if c.fields == {"name": "Mine"} else {},
                seq=10 + i,
            )
            for i, c in enumerate(batch)
        ],
    )
    assert get_row(replica, "equipment", sample.ahu_id).name == "Theirs"  # type: ignore[attr-defined]
    before = count_changes(replica.conn)
    with pytest.raises(UndoRefusedError, match="name changed again"):
        undo_edit(replica, edit)
    assert get_row(replica, "equipment", sample.ahu_id).name == "Theirs"  # type: ignore[attr-defined]
    assert count_changes(replica.conn) == before


def test_undo_refuses_when_a_later_local_edit_changed_the_field(
    replica: Replica, sample: SampleBuilding
) -> None:
    first = save_edit(replica, "equipment", sample.ahu_id, {"status": "needs_service"})
    assert first is not None
    update_equipment(replica, sample.ahu_id, {"status": "out_of_service"})
    with pytest.raises(UndoRefusedError, match="status changed again"):
        undo_edit(replica, first)
    assert _status(replica, sample.ahu_id) == "out_of_service"


def test_undo_of_a_deleted_row_is_refused(replica: Replica, sample: SampleBuilding) -> None:
    edit = save_edit(replica, "equipment", sample.vav_id, {"name": "Box"}, label="VAV-101")
    assert edit is not None
    delete_equipment(replica, sample.vav_id)
    with pytest.raises(UndoRefusedError, match="VAV-101: it has been deleted"):
        undo_edit(replica, edit)


def test_undo_goes_through_the_entity_rules(replica: Replica, sample: SampleBuilding) -> None:
    edit = save_edit(replica, "equipment", sample.vav_id, {"tag": "VAV-1"})
    assert edit is not None
    update_equipment(replica, sample.ahu_id, {"tag": "VAV-101"})  # the old tag is taken now
    before = count_changes(replica.conn)
    with pytest.raises(InvalidEditError, match="already used"):
        undo_edit(replica, edit)
    assert count_changes(replica.conn) == before


def test_notes_undo_through_the_plain_update(replica: Replica, sample: SampleBuilding) -> None:
    note_id = replica.conn.execute("SELECT id FROM notes ORDER BY id LIMIT 1").fetchone()[0]
    old = get_row(replica, "note", note_id).text  # type: ignore[attr-defined]
    edit = save_edit(replica, "note", note_id, {"text": "Belt replaced"})
    assert edit is not None and edit.before == {"text": old}
    undo_edit(replica, edit)
    assert get_row(replica, "note", note_id).text == old  # type: ignore[attr-defined]


def test_history_keeps_the_newest_edits_and_takes_them_back_in_order() -> None:
    history = UndoHistory(limit=2)
    edits = [Edit("note", str(i), "n", {"text": "a"}, {"text": "b"}) for i in range(3)]
    for edit in edits:
        history.record(edit)
    history.record(None)
    assert len(history) == 2 and history.peek() is edits[2]
    taken = history.take()
    assert taken is edits[2]
    history.put_back(edits[2])
    assert [history.take(), history.take(), history.take()] == [edits[2], edits[1], None]
