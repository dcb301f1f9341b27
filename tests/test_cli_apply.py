"""`arx apply` and `arx attach` end to end in subprocesses, on copies of the demo building."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import Run, arx, finish, ok, pending, replica_rows, start

PHOTO = bytes.fromhex("89504e470d0a1a0a") + b"not really a png, but bytes all the same" * 10


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("template") / "home"
    assert arx(home, "demo", "--json").code == 0
    return home


@pytest.fixture
def home(demo_template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "home"
    shutil.copytree(demo_template, dest)
    return dest


def start_command(home: Path) -> list[str]:
    return [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home)]


def start_env() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    for name in ("ARXOS_HOME", "ARXOS_DEBUG"):
        env.pop(name, None)
    return env


def apply_file(home: Path, tmp_path: Path, lines: list[Any], *args: str) -> Run:
    path = tmp_path / "edits.jsonl"
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return arx(home, "apply", str(path), *args)


def query(home: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home / "replica.sqlite3")) as conn:
        return conn.execute(sql, params).fetchall()


def test_apply_makes_every_kind_of_edit_in_one_go_and_reports_them(
    home: Path, tmp_path: Path
) -> None:
    order = ok(home, "workorder", "create", "Check belts", "--equipment", "AHU-1")
    before = pending(home)
    done = apply_file(
        home,
        tmp_path,
        [
            {"op": "equipment.set", "tag": "AHU-1", "set": {"status": "out_of_service"}},
            {"op": "equipment.set", "tag": "ahu-1", "set": {"properties": {"cfm": 12000}}},
            "",
            {"op": "workorder.create", "title": "Replace filter", "equipment": "AHU-1",
             "priority": "high"},
            {"op": "workorder.update", "id": order["id"], "set": {"status": "done"}},
            {"op": "note.add", "equipment": "AHU-1", "text": "Belt squeals at start-up"},
        ],
        "--json",
    ).ok()  # fmt: skip
    assert done["applied"] == 5
    assert done["by_op"] == {
        "equipment.set": 2,
        "workorder.create": 1,
        "workorder.update": 1,
        "note.add": 1,
    }
    assert [r["line"] for r in done["results"]] == [1, 2, 4, 5, 6]
    assert done["results"][0]["changed"] == ["status"]
    assert pending(home) == before + 5

    shown = ok(home, "equipment", "show", "AHU-1")
    assert shown["equipment"]["status"] == "out_of_service"
    assert shown["equipment"]["properties"]["cfm"] == 12000
    assert "Belt squeals at start-up" in [n["text"] for n in shown["notes"]]
    titles = {w["title"]: w for w in ok(home, "workorder", "list")}
    assert titles["Replace filter"]["priority"] == "high"
    assert titles["Check belts"]["status"] == "done"

    human = apply_file(home, tmp_path, [{"op": "note.add", "equipment": "AHU-1", "text": "ok"}])
    assert human.code == 0, human.stderr
    assert "Applied 1 edit (1 note.add)." in human.stdout


def test_one_bad_line_applies_nothing_and_is_named_by_line_and_field(
    home: Path, tmp_path: Path
) -> None:
    before = replica_rows(home)
    secret = "SECRET: d41d8cd98f00"
    lines: list[Any] = [
        {"op": "equipment.set", "tag": "AHU-1", "set": {"status": "needs_service"}},
        {"op": "equipment.set", "tag": "AHU-1", "set": {"status": secret}},
        {"op": "note.add", "equipment": "NO-SUCH-TAG", "text": "hello"},
        '{"op": "note.add", "text": "' + secret,
        {"op": "drop.tables", "why": secret},
        {"op": "equipment.set", "tag": "AHU-1", "set": {"status": "operational"}, "x": secret},
        {"op": "equipment.set", "tag": "AHU-1", "set": {"": secret}},
        {"op": "workorder.create", "title": "t", secret: 1},
    ]
    failed = apply_file(home, tmp_path, lines, "--json")
    assert failed.code == 4, failed.stdout + failed.stderr
    error = failed.json()["error"]
    assert error["kind"] == "invalid"
    assert error["message"] == "7 of 8 lines cannot be applied; nothing was applied"
    assert [(p["line"], p["field"]) for p in error["lines"]] == [
        (2, "status"),
        (3, "equipment"),
        (4, ""),
        (5, "op"),
        (6, "x"),
        (7, "set"),
        (8, "(a key)"),
    ]
    assert "NO-SUCH-TAG" in error["lines"][1]["message"]
    assert secret not in failed.stdout + failed.stderr
    assert replica_rows(home) == before

    human = apply_file(home, tmp_path, lines)
    assert human.code == 4
    assert "line 2, status:" in human.stderr and "line 5, op:" in human.stderr
    assert secret not in human.stdout + human.stderr
    assert replica_rows(home) == before


def test_apply_reads_stdin_and_refuses_what_is_not_a_file(home: Path, tmp_path: Path) -> None:
    line = json.dumps({"op": "note.add", "equipment": "AHU-1", "text": "from a pipe"})
    proc = subprocess.run(
        [*start_command(home), "apply", "-", "--json"],
        input=line + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=start_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["applied"] == 1
    missing = arx(home, "apply", str(tmp_path / "nope.jsonl"), "--json")
    assert missing.code == 4 and "Cannot read" in missing.json()["error"]["message"]
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert arx(home, "apply", str(binary), "--json").code == 4


def test_two_thousand_edits_apply_in_one_process_quickly(home: Path, tmp_path: Path) -> None:
    tags = [row["tag"] for row in ok(home, "equipment", "list")]
    statuses = ["operational", "needs_service"]
    lines = [
        {"op": "equipment.set", "tag": tags[i % len(tags)], "set": {"status": statuses[i % 2]}}
        for i in range(1990)
    ] + [{"op": "note.add", "equipment": tags[0], "text": f"reading {i}"} for i in range(10)]
    before = pending(home)
    started = time.perf_counter()
    done = apply_file(home, tmp_path, lines, "--json").ok()
    seconds = time.perf_counter() - started
    assert done["applied"] == 2000
    assert pending(home) > before
    # One process: seconds, where 2,000 separate `arx` runs take minutes.
    print(f"arx apply of 2,000 edits: {seconds:.2f} s")
    assert seconds < 60


def test_attach_a_photo_to_a_tag_and_to_an_id(home: Path, tmp_path: Path) -> None:
    photo = tmp_path / "belt.png"
    photo.write_bytes(PHOTO)
    sha = hashlib.sha256(PHOTO).hexdigest()
    before = pending(home)
    by_tag = ok(home, "attach", str(photo), "--to", "AHU-1", "--caption", "Worn belt")
    assert by_tag["target_kind"] == "equipment"
    assert by_tag["blob_sha256"] == sha and by_tag["mime_type"] == "image/png"
    stored = Path(by_tag["stored"])
    assert stored.resolve().is_relative_to(home.resolve()) and stored.read_bytes() == PHOTO

    room_id = query(home, "SELECT id FROM rooms WHERE deleted = 0 LIMIT 1")[0][0]
    by_id = ok(home, "attach", str(photo), "--to", room_id)
    assert (by_id["target_kind"], by_id["target_id"]) == ("room", room_id)

    rows = query(
        home,
        "SELECT id, target_kind, blob_sha256, file_name, caption FROM attachments"
        " WHERE id IN (?, ?)",
        by_tag["id"],
        by_id["id"],
    )
    assert sorted(rows) == sorted(
        [
            (by_tag["id"], "equipment", sha, "belt.png", "Worn belt"),
            (by_id["id"], "room", sha, "belt.png", ""),
        ]
    )
    changes = query(
        home, "SELECT entity_id FROM outbox WHERE entity = 'attachment' AND state = 'pending'"
    )
    assert {by_tag["id"], by_id["id"]} <= {c[0] for c in changes}
    assert pending(home) == before + 2


def test_attach_refuses_a_missing_file_or_target_and_changes_nothing(
    home: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(PHOTO)
    before = replica_rows(home)
    no_file, no_tag, no_id = finish(
        start(home, "attach", str(tmp_path / "missing.jpg"), "--to", "AHU-1", "--json"),
        start(home, "attach", str(photo), "--to", "NO-SUCH-TAG", "--json"),
        start(home, "attach", str(photo), "--to", "0193b6c0-0000-7000-8000-00000000dead", "--json"),
    )
    assert no_file.code == 4 and "is not a file" in no_file.json()["error"]["message"]
    assert no_tag.code == 3 and no_id.code == 3
    assert replica_rows(home) == before
