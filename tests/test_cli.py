"""`arx` end to end: commands run in subprocesses, as a user or a script runs them.

The demo building is imported once into a template home; each test works on its
own copy. Calls that do not depend on each other run side by side, and state
checks read the replica file directly, to keep the module fast.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pytest

from arxos_desktop.demo import demo_repo_path

DEMO_NAME = "Harbor View Medical Office Building"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def ok(self) -> Any:
        """The JSON document of a run that must have succeeded."""
        assert self.code == 0, self.stderr + self.stdout
        return self.json()


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("ARXOS_HOME", None)
    env.pop("ARXOS_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(*procs: subprocess.Popen[str]) -> list[Run]:
    runs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        runs.append(Run(proc.returncode, stdout, stderr))
    return runs


def arx(home: Path, *args: str) -> Run:
    return finish(start(home, *args))[0]


def ok(home: Path, *args: str) -> Any:
    """Run with --json, expect success, return the parsed document."""
    return arx(home, *args, "--json").ok()


def replica_rows(home: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (search indexes aside), to prove nothing changed."""
    with closing(sqlite3.connect(home / "replica.sqlite3")) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if "_fts" not in name
        ]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def pending(home: Path) -> int:
    with closing(sqlite3.connect(home / "replica.sqlite3")) as conn:
        return int(
            conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        )


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    home = tmp_path_factory.mktemp("template") / "home"
    return home, arx(home, "demo")


@pytest.fixture
def home(demo_template: tuple[Path, Run], tmp_path: Path) -> Path:
    dest = tmp_path / "home"
    shutil.copytree(demo_template[0], dest)
    return dest


def test_demo_greets_with_a_summary_and_a_second_run_changes_nothing(
    demo_template: tuple[Path, Run], home: Path
) -> None:
    _, first = demo_template
    assert first.code == 0, first.stderr
    assert "Loaded the demo building" in first.stdout
    for text in (DEMO_NAME, "Floors", "Equipment by system", "arx equipment list --system hvac"):
        assert text in first.stdout

    again, buildings, everything, hvac, table = finish(
        start(home, "demo", "--json"),
        start(home, "--json", "buildings"),
        start(home, "equipment", "list", "--json"),
        start(home, "equipment", "list", "--system", "hvac", "--json"),
        start(home, "equipment", "list", "--status", "needs_service"),
    )
    assert again.ok()["status"] == "up_to_date"
    assert not again.ok()["changed"]
    summary = again.ok()["summary"]

    (building,) = buildings.ok()
    assert building["name"] == DEMO_NAME
    assert building["equipment"] == summary["equipment"] > 0
    assert building["pending_changes"] == summary["pending_changes"] > 0

    assert len(everything.ok()) == summary["equipment"]
    assert len(hvac.ok()) == summary["equipment_by_system"]["hvac"]
    assert {row["system"] for row in hvac.ok()} == {"hvac"}
    assert all(row["floor"] for row in hvac.ok() if row["floor_id"])
    assert table.code == 0
    assert "AHU-1" in table.stdout


def test_equipment_set_records_exactly_that_change_in_the_outbox(home: Path) -> None:
    before = pending(home)
    done = ok(home, "equipment", "set", "AHU-1", "status=out_of_service")
    assert done["changed"] == {"status": "out_of_service"}
    assert done["previous"] == {"status": "needs_service"}

    after = ok(home, "outbox", "--limit", "1")
    assert after["pending"] == before + 1
    (change,) = after["changes"]
    assert (change["entity"], change["op"]) == ("equipment", "update")
    assert change["entity_id"] == done["id"]
    assert change["fields"] == {"status": "out_of_service"}

    same = arx(home, "equipment", "set", "ahu-1", "status=out_of_service")
    assert same.code == 0
    assert "nothing changed" in same.stdout
    assert pending(home) == before + 1


def test_equipment_set_parses_dates_json_keys_and_rooms(home: Path) -> None:
    props = ok(home, "equipment", "show", "AHU-1")["equipment"]["properties"]
    done = ok(
        home,
        "equipment",
        "set",
        "AHU-1",
        "install_date=2020-01-02",
        "properties.cfm=12500",
        'properties.note="belt"',
        "room=001",
        "serial=",
    )
    changed = done["changed"]
    assert changed["install_date"] == "2020-01-02"
    assert changed["properties"] == {**props, "cfm": 12500, "note": "belt"}
    assert changed["serial"] == ""
    assert {"room_id", "floor_id"} <= set(changed)  # the room decides the floor

    shown, listed = finish(
        start(home, "equipment", "show", "AHU-1", "--json"),
        start(home, "equipment", "list", "--floor", "0", "--room", "001", "--json"),
    )
    assert (shown.ok()["room"], shown.ok()["floor"]) == ("001", "Ground Floor")
    assert "AHU-1" in {row["tag"] for row in listed.ok()}


def test_bad_edits_exit_with_clear_codes_and_change_nothing(home: Path) -> None:
    before = replica_rows(home)
    field, syntax, enum, missing, referenced, usage, floor = finish(
        start(home, "equipment", "set", "AHU-1", "colour=red"),
        start(home, "--json", "equipment", "set", "AHU-1", "status=operational", "status"),
        start(home, "equipment", "set", "AHU-1", "status=broken", "--json"),
        start(home, "equipment", "set", "NOPE-9", "status=operational", "--json"),
        start(home, "equipment", "delete", "AHU-1"),  # it has work orders
        start(home, "equipment", "list", "--system", "bogus", "--json"),
        start(home, "equipment", "set", "AHU-1", "floor=0", "--json"),  # its room is on 3
    )
    assert (field.code, field.stdout) == (4, "")
    assert "colour" in field.stderr
    assert syntax.code == 4
    assert syntax.json()["error"]["kind"] == "invalid"
    assert "'status'" in syntax.json()["error"]["message"]
    assert enum.code == 4
    assert "status" in enum.json()["error"]["fields"]
    assert missing.code == 3
    assert missing.json()["error"]["kind"] == "not_found"
    assert referenced.code == 5
    assert "work order" in referenced.stderr
    assert usage.code == 2
    assert "hvac" in usage.json()["error"]["message"]
    assert floor.code == 4
    assert "floor" in floor.json()["error"]["fields"]
    for run in (field, referenced):
        assert "Traceback" not in run.stderr
    assert replica_rows(home) == before


def test_search_finds_a_tag_and_a_note_added_from_the_cli(home: Path) -> None:
    tag, added, room_note = finish(
        start(home, "search", "ahu-1", "--json"),
        start(home, "note", "add", "AHU-1", "Zebrafish-shaped [stain] on the coil", "--json"),
        start(home, "note", "add", "301", "Thermostat cover missing", "--kind", "room", "--json"),
    )
    hits = tag.ok()
    assert (hits[0]["kind"], hits[0]["title"], hits[0]["building"]) == (
        "equipment",
        "AHU-1",
        DEMO_NAME,
    )
    note = added.ok()
    assert note["target_kind"] == "equipment"
    assert room_note.ok()["target_kind"] == "room"

    notes, table, shown, nothing = finish(
        start(home, "search", "zebrafish", "--kind", "note", "--json"),
        start(home, "search", "zebrafish"),
        start(home, "equipment", "show", "AHU-1", "--json"),
        start(home, "search", "qqqzzz", "--json"),
    )
    assert [(h["kind"], h["id"]) for h in notes.ok()] == [("note", note["id"])]
    assert "[stain]" in table.stdout  # user text is shown as typed, not read as markup
    assert note["id"] in {n["id"] for n in shown.ok()["notes"]}
    assert nothing.ok() == []


def test_work_order_create_list_update_round_trip(home: Path) -> None:
    created = ok(
        home,
        "workorder",
        "create",
        "Check belt tension",
        "--equipment",
        "AHU-1",
        "--priority",
        "urgent",
        "--due",
        "2027-01-31",
        "--assignee",
        "Sam",
    )
    assert (created["priority"], created["due"]) == ("urgent", "2027-01-31")
    assert created["status"] == "open"
    short = created["short_id"]
    assert created["id"].endswith(short)

    listed, updated, note, bad_date, unknown = finish(
        start(home, "workorder", "list", "--equipment", "AHU-1", "--json"),
        start(home, "workorder", "update", short, "--status", "done", "--assignee", "K", "--json"),
        start(home, "note", "add", short, "Parts on order", "--kind", "workorder", "--json"),
        start(home, "workorder", "create", "Nope", "--due", "2027-13-01"),
        start(home, "workorder", "update", "ffffffff", "--status", "done"),
    )
    assert created["id"] in {w["id"] for w in listed.ok()}
    assert updated.ok()["changed"] == {"status": "done", "assignee": "K"}
    assert note.ok()["target_id"] == created["id"]
    assert bad_date.code == 4
    assert "due" in bad_date.stderr
    assert unknown.code == 3

    done = ok(home, "workorder", "list", "--status", "done")
    assert created["id"] in {w["id"] for w in done}
    assert {w["status"] for w in done} == {"done"}


def test_export_then_import_elsewhere_gives_identical_equipment(home: Path, tmp_path: Path) -> None:
    repo, other = tmp_path / "repo", tmp_path / "other"
    exported = ok(home, "export", str(repo))
    assert exported["files_written"] == len(exported["files"]) > 10

    again, imported = finish(
        start(home, "export", str(repo)),
        start(other, "import", str(repo), "--json"),
    )
    assert again.code == 4
    assert "--replace" in again.stderr
    assert imported.ok()["inserted"]["equipment"] > 0

    theirs, ours, reimport = finish(
        start(other, "equipment", "list", "--json"),
        start(home, "equipment", "list", "--json"),
        start(other, "import", str(repo)),
    )
    assert theirs.ok() == ours.ok()
    assert reimport.code == 0
    assert "already up to date" in reimport.stdout


def test_an_invalid_repository_lists_every_problem_and_changes_nothing(
    home: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "broken"
    shutil.copytree(demo_repo_path(), repo)
    equipment_file = sorted(repo.glob("floors/*/equipment.json"))[0]
    rows = json.loads(equipment_file.read_text(encoding="utf-8"))
    rows[0]["status"] = "broken"
    equipment_file.write_text(json.dumps(rows), encoding="utf-8")
    pdf = sorted(repo.glob("documents/*/*.pdf"))[0]
    pdf.unlink()
    rel_equipment = equipment_file.relative_to(repo).as_posix()
    rel_pdf = pdf.relative_to(repo).as_posix()

    before = replica_rows(home)
    people, machine = finish(
        start(home, "import", str(repo)), start(home, "import", str(repo), "--json")
    )
    assert people.code == machine.code == 4
    assert f"{rel_equipment}: " in people.stderr
    assert f"{rel_pdf}: file is missing" in people.stderr
    assert "Traceback" not in people.stderr
    problems = machine.json()["error"]["problems"]
    assert {p["file"] for p in problems} == {rel_equipment, rel_pdf}
    assert any(p["field"].endswith(".status") for p in problems)
    assert replica_rows(home) == before


def test_outbox_hides_rejected_changes_unless_all(home: Path) -> None:
    with closing(sqlite3.connect(home / "replica.sqlite3")) as conn:
        conn.execute(
            "UPDATE outbox SET state = 'rejected', reason = 'no permission' "
            "WHERE seq = (SELECT max(seq) FROM outbox)"
        )
        conn.commit()
    waiting, everything, table = finish(
        start(home, "outbox", "--limit", "1", "--json"),
        start(home, "outbox", "--all", "--limit", "1", "--json"),
        start(home, "outbox", "--all"),
    )
    assert waiting.ok()["rejected"] == 1
    assert waiting.ok()["changes"][0]["state"] == "pending"
    assert everything.ok()["changes"][0]["state"] == "rejected"
    assert "no permission" in table.stdout
    assert "1 rejected" in table.stdout


def test_init_delete_and_replica_errors(home: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "replica.sqlite3").write_bytes(b"this is not sqlite" * 100)

    info, deleted, blocked, unreadable, empty = finish(
        start(home, "init", "--json"),
        start(home, "equipment", "delete", "VAV-101", "--json"),
        start(not_a_folder, "buildings", "--json"),
        start(corrupt, "buildings"),
        start(tmp_path / "empty", "equipment", "list"),
    )
    assert info.ok()["buildings"] == 1
    assert len(info.ok()["device_id"]) == 16
    assert deleted.ok()["deleted_rows"] >= 1
    assert blocked.code == 6
    assert blocked.json()["error"]["kind"] == "replica_unavailable"
    assert unreadable.code == 6
    assert "Traceback" not in unreadable.stderr
    assert empty.code == 3
    assert "arx demo" in empty.stderr
    assert arx(home, "equipment", "show", "VAV-101").code == 3


def test_version_and_json_usage_errors(tmp_path: Path) -> None:
    version, missing = finish(start(tmp_path, "--version", "--json"), start(tmp_path, "--json"))
    assert version.ok()["version"]
    assert missing.code == 2
    assert missing.json()["error"]["kind"] == "usage"


COMMANDS = [
    [],
    ["init"],
    ["demo"],
    ["import"],
    ["export"],
    ["buildings"],
    ["search"],
    ["outbox"],
    ["equipment"],
    ["equipment", "list"],
    ["equipment", "show"],
    ["equipment", "set"],
    ["equipment", "delete"],
    ["workorder"],
    ["workorder", "create"],
    ["workorder", "list"],
    ["workorder", "update"],
    ["note"],
    ["note", "add"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "arx")
def test_help_works_for_every_command(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from arxos_desktop.cli.main import run  # in-process: help never loads the store

    assert run(["--home", str(tmp_path), *command, "--help"]) == 0
    shown = capsys.readouterr().out
    assert "Usage: arx" in shown
    assert "--json" in shown
    if not command:
        assert "Exit codes" in shown
    assert not (tmp_path / "replica.sqlite3").exists()


def test_help_answers_quickly_in_a_subprocess(tmp_path: Path) -> None:
    result = arx(tmp_path, "equipment", "set", "--help")
    assert result.code == 0
    assert "FIELD=VALUE" in result.stdout


def test_cli_choices_match_the_schema() -> None:
    from arxos_desktop.cli import args as cli_args
    from arxos_desktop.store.search import KINDS
    from sync.schema import EquipmentStatus, Priority, System, WorkOrderStatus

    assert get_args(cli_args.SystemName) == tuple(s.value for s in System)
    assert get_args(cli_args.EquipmentStatusName) == tuple(s.value for s in EquipmentStatus)
    assert get_args(cli_args.PriorityName) == tuple(p.value for p in Priority)
    assert get_args(cli_args.WorkOrderStatusName) == tuple(s.value for s in WorkOrderStatus)
    assert tuple(k.value for k in cli_args.SearchKind) == KINDS
