"""Every write lands with its outbox change in one transaction, or neither lands."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import arxos_desktop.store.writer as writer_module
from arxos_desktop.store import (
    InvalidEditError,
    NotFoundError,
    Replica,
    StillReferencedError,
    StoreError,
)
from arxos_desktop.store.equipment import delete_equipment, find_by_tag, update_equipment
from arxos_desktop.store.queries import count_rows
from sync.outbox import ChangeState, Op, count_changes, read_changes
from tests.conftest import SampleBuilding


def _counts(replica: Replica, building_id: str) -> tuple[int, int, int]:
    return (
        count_rows(replica, "equipment", building_id=building_id),
        count_rows(replica, "workorder", building_id=building_id),
        count_changes(replica.conn),
    )


def test_insert_records_every_user_field_exactly(replica: Replica, sample: SampleBuilding) -> None:
    change = next(c for c in read_changes(replica.conn) if c.entity_id == sample.ahu_id)
    assert change.op is Op.INSERT
    assert change.base_rev == 0
    assert change.building_id == sample.building_id
    assert change.fields["tag"] == "AHU-1"
    assert change.fields["install_date"] == "2014-05-01"
    assert change.fields["properties"] == {"cfm": 12000, "voltage": "480V"}
    assert "server_rev" not in change.fields and "id" not in change.fields


def test_update_records_only_fields_that_changed(replica: Replica, sample: SampleBuilding) -> None:
    before = count_changes(replica.conn)
    assert update_equipment(
        replica, sample.ahu_id, {"status": "needs_service", "name": "Air handling unit 1"}
    ) == {"status": "needs_service"}
    assert update_equipment(replica, sample.ahu_id, {"status": "needs_service"}) == {}
    changes = read_changes(replica.conn)
    assert len(changes) == before + 1
    last = changes[-1]
    assert (last.op, last.entity, last.fields) == (
        Op.UPDATE,
        "equipment",
        {"status": "needs_service"},
    )
    row = replica.conn.execute(
        "SELECT status, updated_hlc FROM equipment WHERE id = ?", (sample.ahu_id,)
    ).fetchone()
    assert row == ("needs_service", last.hlc)


def test_changes_are_ordered_by_clock(replica: Replica, sample: SampleBuilding) -> None:
    hlcs = [c.hlc for c in read_changes(replica.conn)]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)


def test_failing_outbox_append_leaves_neither_row_nor_change(
    replica: Replica, sample: SampleBuilding, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(replica, sample.building_id)

    def broken_append(*args: object, **kwargs: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(writer_module, "append_change", broken_append)
    with pytest.raises(OSError, match="disk full"):
        update_equipment(replica, sample.ahu_id, {"status": "out_of_service"})
    with pytest.raises(OSError), replica.transaction() as w:
        w.insert("workorder", {"building_id": sample.building_id, "title": "Never saved"})
    monkeypatch.undo()
    assert _counts(replica, sample.building_id) == before
    assert find_by_tag(replica, sample.building_id, "AHU-1").status == "operational"


def test_failure_midway_through_a_transaction_rolls_back_earlier_writes(
    replica: Replica, sample: SampleBuilding
) -> None:
    before = _counts(replica, sample.building_id)
    with pytest.raises(StoreError, match="refers to something"), replica.transaction() as w:
        w.update("equipment", sample.ahu_id, {"status": "out_of_service"})
        w.insert("workorder", {"building_id": sample.building_id, "title": "Half done"})
        w.insert(
            "equipment", {"building_id": sample.building_id, "tag": "X-1", "room_id": "0" * 36}
        )
    assert _counts(replica, sample.building_id) == before
    assert find_by_tag(replica, sample.building_id, "AHU-1").status == "operational"


def test_invalid_edits_change_nothing_and_name_the_field(
    replica: Replica, sample: SampleBuilding
) -> None:
    before = _counts(replica, sample.building_id)
    with pytest.raises(InvalidEditError) as info:
        update_equipment(replica, sample.ahu_id, {"status": "broken", "install_date": "yesterday"})
    assert set(info.value.fields) == {"status", "install_date"}
    with pytest.raises(InvalidEditError, match="server_rev"):
        update_equipment(replica, sample.ahu_id, {"server_rev": 99})
    with pytest.raises(InvalidEditError, match="already used"):
        update_equipment(replica, sample.vav_id, {"tag": "ahu-1"})
    with pytest.raises(InvalidEditError, match="colour"):
        update_equipment(replica, sample.ahu_id, {"colour": "red"})
    assert _counts(replica, sample.building_id) == before


def test_delete_tombstones_dependants_and_refuses_to_orphan_work(
    replica: Replica, sample: SampleBuilding
) -> None:
    with pytest.raises(StillReferencedError, match="work order"):
        delete_equipment(replica, sample.ahu_id)
    deleted = delete_equipment(replica, sample.vav_id)
    assert deleted == 3  # the VAV and its two connections
    with pytest.raises(NotFoundError):
        find_by_tag(replica, sample.building_id, "VAV-101")
    ops = [(c.entity, c.op) for c in read_changes(replica.conn)[-3:]]
    assert ops == [("connection", Op.DELETE), ("connection", Op.DELETE), ("equipment", Op.DELETE)]
    row = replica.conn.execute(
        "SELECT deleted FROM equipment WHERE id = ?", (sample.vav_id,)
    ).fetchone()
    assert row == (1,)


def test_a_crash_before_commit_loses_the_edit_whole_and_after_commit_keeps_it(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    script = textwrap.dedent(
        """
        import os, sys
        from arxos_desktop.store import Replica
        rep = Replica.open(sys.argv[1])
        with rep.transaction() as w:
            w.insert("building", {"name": "Committed"})
        tx = rep.transaction()
        w = tx.__enter__()
        w.insert("building", {"name": "In flight"})
        os._exit(9)  # power cut: no commit, no rollback, no close
        """
    )
    done = subprocess.run([sys.executable, "-c", script, str(home)], check=False)
    assert done.returncode == 9
    with Replica.open(home) as rep:
        names = [r[0] for r in rep.conn.execute("SELECT name FROM buildings")]
        assert names == ["Committed"]
        changes = read_changes(rep.conn, state=None)
        assert [(c.entity, c.fields["name"]) for c in changes] == [("building", "Committed")]
        assert all(c.state is ChangeState.PENDING for c in changes)


def test_clock_and_device_survive_reopening(tmp_path: Path) -> None:
    with Replica.open(tmp_path) as rep:
        with rep.transaction() as w:
            w.insert("building", {"name": "A"})
        device, last = rep.device_id, rep.clock.last
    with Replica.open(tmp_path) as rep:
        assert rep.device_id == device
        assert rep.clock.last == last
        assert rep.clock.tick() > last


def test_a_failed_nested_step_is_undone_alone(replica: Replica, sample: SampleBuilding) -> None:
    before = count_changes(replica.conn)
    with replica.transaction() as w:
        w.update("equipment", sample.ahu_id, {"status": "needs_service"})
        with pytest.raises(StillReferencedError):
            delete_equipment(replica, sample.ahu_id)  # has a work order: refused
        w.update("equipment", sample.vav_id, {"name": "VAV box"})
    changes = read_changes(replica.conn)[before:]
    assert [(c.entity_id, c.fields) for c in changes] == [
        (sample.ahu_id, {"status": "needs_service"}),
        (sample.vav_id, {"name": "VAV box"}),
    ]


def test_moving_equipment_to_another_floor_without_its_room_is_refused(
    replica: Replica, sample: SampleBuilding
) -> None:
    basement = replica.conn.execute("SELECT id FROM floors WHERE level = -1").fetchone()[0]
    with pytest.raises(InvalidEditError, match="room is on another floor"):
        update_equipment(replica, sample.ahu_id, {"floor_id": basement})
    assert update_equipment(replica, sample.ahu_id, {"floor_id": basement, "room_id": None}) == {
        "floor_id": basement,
        "room_id": None,
    }


def test_a_home_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    from arxos_desktop.store import ReplicaOpenError

    (tmp_path / "file").write_text("x")
    with pytest.raises(ReplicaOpenError, match="Cannot open the replica"):
        Replica.open(tmp_path / "file" / "home")
