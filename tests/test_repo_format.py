"""Building repositories: byte-identical round trips, and bad repos change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from arxos_desktop.repo_format import RepoFormatError, export_building, import_repo, read_repo
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from sync.outbox import count_changes, read_changes
from tests.conftest import SampleBuilding


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def state(replica: Replica) -> dict[str, object]:
    """Everything an import could change: every table's rows and the outbox."""
    tables = [
        r[0] for r in replica.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
    ]
    return {
        t: sorted(replica.conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
        for t in sorted(tables)
    }


def test_export_import_export_is_byte_identical(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    written = export_building(replica, sample.building_id, first)
    assert ".arxos/config.yml" in written and "documents/mechanical/m-101.pdf" in written
    with Replica.open(tmp_path / "other-device") as other:
        result = import_repo(other, first)
        assert result.inserted["equipment"] == 3 and not result.updated and not result.deleted
        second = tmp_path / "second"
        export_building(other, sample.building_id, second)
    assert tree(first) == tree(second)
    layout = json.loads((first / "floors/01-level-1/layout.json").read_text())
    assert layout["equipment"][sample.ahu_id] == {"x": 2.5, "y": 1.0}
    assert "| 2 | 2 | 3 | 2 | 1 | 1 |" in (first / "README.md").read_text()


def test_reimport_of_the_same_repo_changes_nothing(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    export_building(replica, sample.building_id, tmp_path / "repo")
    before = state(replica)
    result = import_repo(replica, tmp_path / "repo")
    assert not result.changed
    assert state(replica) == before


def test_reimport_applies_edits_made_in_the_files_as_changes(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    export_building(replica, sample.building_id, repo)
    path = repo / "floors/01-level-1/equipment.json"
    items = json.loads(path.read_text())
    for item in items:
        if item["tag"] == "AHU-1":
            item["status"] = "out_of_service"
    path.write_text(json.dumps([i for i in items if i["tag"] != "VAV-101"]))
    connections = repo / "connections.json"
    connections.write_text("[]")
    outbox_before = count_changes(replica.conn)
    result = import_repo(replica, repo)
    assert result.updated == {"equipment": 1}
    assert result.deleted == {"equipment": 1, "connection": 2}
    assert find_by_tag(replica, sample.building_id, "AHU-1").status == "out_of_service"
    new = read_changes(replica.conn)[outbox_before:]
    assert [(c.entity, c.op.value) for c in new] == [
        ("equipment", "update"),
        ("connection", "delete"),
        ("connection", "delete"),
        ("equipment", "delete"),
    ]


def _break(repo: Path) -> None:
    eq = repo / "floors/01-level-1/equipment.json"
    items = json.loads(eq.read_text())
    items[0]["status"] = "broken"
    items[1]["colour"] = "red"
    eq.write_text(json.dumps(items))
    (repo / "documents/mechanical/m-101.pdf").write_bytes(b"%PDF-1.7 truncated")
    wo = json.loads((repo / "workorders.json").read_text())
    wo[0]["equipment_id"] = "0193b6c0-0000-7000-8000-00000000dead"
    (repo / "workorders.json").write_text(json.dumps(wo))
    (repo / "notes.json").write_text("[{,}")


def test_bad_repo_reports_every_problem_and_changes_nothing(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    export_building(replica, sample.building_id, repo)
    update_equipment(replica, sample.ahu_id, {"name": "Edited after export"})
    _break(repo)
    before = state(replica)
    with pytest.raises(RepoFormatError) as info:
        import_repo(replica, repo)
    text = str(info.value)
    assert "nothing was imported" in text
    problems = {(p.file, p.field.split(".")[-1]) for p in info.value.problems}
    assert ("floors/01-level-1/equipment.json", "status") in problems
    assert ("floors/01-level-1/equipment.json", "colour") in problems
    assert ("documents/mechanical/m-101.pdf", "") in problems
    assert ("workorders.json", "equipment_id") in problems
    assert ("notes.json", "") in problems
    assert len(info.value.problems) == 5
    assert state(replica) == before


def test_folder_that_is_not_a_repo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RepoFormatError, match=r"config\.yml: file is missing"):
        read_repo(tmp_path)
    with pytest.raises(RepoFormatError, match="is not a folder"):
        read_repo(tmp_path / "nope")


def test_export_refuses_a_non_empty_folder_unless_replacing(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    dest = tmp_path / "repo"
    export_building(replica, sample.building_id, dest)
    (dest / ".git").mkdir()
    (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    with pytest.raises(RepoFormatError, match="not empty"):
        export_building(replica, sample.building_id, dest)
    update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    export_building(replica, sample.building_id, dest, replace=True)
    assert (dest / ".git" / "HEAD").exists()
    assert '"needs_service"' in (dest / "floors/01-level-1/equipment.json").read_text()


def test_unsupported_format_version_is_named(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    export_building(replica, sample.building_id, repo)
    config = repo / ".arxos/config.yml"
    config.write_text(config.read_text().replace("version: 1", "version: 7"))
    with pytest.raises(RepoFormatError, match="version 7 is not supported"):
        read_repo(repo)


def test_copied_repo_of_another_building_imports_side_by_side(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    export_building(replica, sample.building_id, repo)
    shutil.copytree(repo, tmp_path / "copy")
    assert not import_repo(replica, tmp_path / "copy").changed


def test_export_refuses_a_snapshot_the_reader_would_reject(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    from arxos_desktop.repo_format import snapshot_building, write_repo

    snap = snapshot_building(replica, sample.building_id)
    snap.floors = [f for f in snap.floors if f.id != sample.floor_id]
    with pytest.raises(RepoFormatError, match="not in the building"):
        write_repo(snap, tmp_path / "repo")
    assert not (tmp_path / "repo").exists()
