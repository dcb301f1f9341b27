"""`arx server …` end to end in subprocesses, on a server home of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from arxos_desktop.admin.commands import RoleName
from sync.server.models import Role
from tests.server.conftest import on_both_databases
from tests.server.test_server_import import (
    CT1,
    DEMO_REPO,
    edit_json,
    remove_camera,
    set_field,
)

B1 = "0193b6c0-0000-7000-8000-000000000001"
B2 = "0193b6c0-0000-7000-8000-000000000002"


def arx(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARXOS_SERVER_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}
    for name in ("DATABASE_URL", "ARXOS_SECRET_KEY", "ARXOS_DEBUG"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "arxos_desktop.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def ok(home: Path, *args: str, stdin: str = "") -> Any:
    done = arx(home, *args, "--json", stdin=stdin)
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout)


def add_buildings(home: Path, *building_ids: str) -> None:
    """Put buildings on the server (as a device's first sync would), so they can be granted."""
    assert arx(home, "server", "users").returncode == 0  # creates and upgrades the database
    engine = create_engine(f"sqlite:///{home / 'server.sqlite3'}", poolclass=NullPool)
    with engine.begin() as conn:
        for building_id in building_ids:
            conn.execute(
                text(
                    'INSERT INTO srv_rows (entity, id, building_id, "values", clocks, deleted,'
                    " created_hlc, updated_hlc, seq)"
                    " VALUES ('building', :id, :id, '{}', '[]', 0, '', '', 1)"
                ),
                {"id": building_id},
            )
    engine.dispose()


def test_role_choices_match_the_server() -> None:
    assert list(get_args(RoleName)) == [role.value for role in Role]


def test_add_a_user_grant_buildings_and_list_them(tmp_path: Path) -> None:
    home = tmp_path / "server"
    added = ok(
        home,
        "server", "user", "add", "Ann@Example.com", "--name", "Ann Lee", "--org", "Acme FM",
        "--password-stdin",
        stdin="correct horse battery\n",
    )  # fmt: skip
    assert added["email"] == "ann@example.com"
    assert added["org"]["name"] == "Acme FM"
    add_buildings(home, B1, B2)

    granted = ok(
        home,
        "server", "grant", "ann@example.com", B1, "--role", "technician",
        "--systems", "hvac,electrical", "--floors", "1,2",
    )  # fmt: skip
    assert granted == {
        "user": "ann@example.com",
        "building_id": B1,
        "role": "technician",
        "systems": ["electrical", "hvac"],
        "floors": [1, 2],
    }
    ok(home, "server", "grant", "ANN@example.com", B2, "--role", "viewer")

    (user,) = ok(home, "server", "users")
    assert (user["email"], user["full_name"], user["org"]["slug"]) == (
        "ann@example.com",
        "Ann Lee",
        "acme-fm",
    )
    first_grant = {k: v for k, v in granted.items() if k != "user"}
    assert user["grants"] == [
        first_grant,
        {"building_id": B2, "role": "viewer", "systems": None, "floors": None},
    ]

    table = arx(home, "server", "users")
    assert table.returncode == 0
    assert "ann@example.com" in table.stdout and "technician" in table.stdout

    key = ok(home, "server", "apikey", "create", "ann@example.com", "laptop sync")
    assert key["key"].startswith("arx_") and key["user"] == "ann@example.com"
    assert (home / "server.sqlite3").exists() and (home / "secret_key").exists()


@pytest.mark.parametrize(
    ("args", "stdin", "code", "words"),
    [
        pytest.param(
            ("server", "grant", "nobody@example.com", B1, "--role", "viewer"),
            "",
            3,
            "No user with email nobody@example.com",
            id="unknown-user",
        ),
        pytest.param(
            ("server", "grant", "a@example.com", "not-an-id", "--role", "viewer"),
            "",
            4,
            "not a building id",
            id="bad-building",
        ),
        pytest.param(
            ("server", "grant", "a@example.com", B1, "--role", "viewer", "--systems", "hvax"),
            "",
            4,
            "Unknown system(s) hvax",
            id="bad-system",
        ),
        pytest.param(
            ("server", "grant", "a@example.com", B1, "--role", "viewer", "--floors", "1,two"),
            "",
            4,
            "floor levels",
            id="bad-floors",
        ),
        pytest.param(
            ("server", "user", "add", "a@example.com", "--password-stdin"),
            "short\n",
            4,
            "at least 8 characters",
            id="short-password",
        ),
        pytest.param(
            ("server", "user", "add", "not-an-email", "--password-stdin"),
            "long enough pw\n",
            4,
            "not an email address",
            id="bad-email",
        ),
    ],
)
def test_bad_admin_input_gets_a_clear_error(
    tmp_path: Path, args: tuple[str, ...], stdin: str, code: int, words: str
) -> None:
    done = arx(tmp_path / "server", *args, "--json", stdin=stdin)
    assert done.returncode == code, done.stdout + done.stderr
    assert words in json.loads(done.stdout)["error"]["message"]


def test_a_grant_on_a_building_the_server_does_not_hold_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "server"
    ok(home, "server", "user", "add", "a@example.com", "--password-stdin", stdin="long enough\n")
    add_buildings(home, B1)
    engine = create_engine(f"sqlite:///{home / 'server.sqlite3'}", poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE srv_rows SET deleted = 1 WHERE id = :id"), {"id": B1})
    engine.dispose()
    for building in (B2, B1):  # never there; deleted
        done = arx(home, "server", "grant", "a@example.com", building, "--role", "viewer", "--json")
        assert done.returncode == 3, done.stdout + done.stderr
        error = json.loads(done.stdout)["error"]
        assert error["kind"] == "not_found"
        assert f"No building {building} on this server" in error["message"]
    (user,) = ok(home, "server", "users")
    assert user["grants"] == []


def test_revoke_takes_a_grant_away_and_says_when_there_was_none(tmp_path: Path) -> None:
    home = tmp_path / "server"
    ok(home, "server", "user", "add", "a@example.com", "--password-stdin", stdin="long enough\n")
    add_buildings(home, B1, B2)
    ok(home, "server", "grant", "a@example.com", B1, "--role", "technician", "--floors", "1")
    ok(home, "server", "grant", "a@example.com", B2, "--role", "viewer")
    revoked = ok(home, "server", "revoke", "A@example.com", B1.upper())
    assert revoked == {"user": "a@example.com", "building_id": B1, "revoked": True}
    (user,) = ok(home, "server", "users")
    assert [g["building_id"] for g in user["grants"]] == [B2]
    again = arx(home, "server", "revoke", "a@example.com", B1, "--json")
    assert again.returncode == 3, again.stdout + again.stderr
    assert "has no grant on building" in json.loads(again.stdout)["error"]["message"]
    human = arx(home, "server", "revoke", "a@example.com", B2)
    assert human.returncode == 0 and "no longer has access" in human.stdout
    assert arx(home, "server", "revoke", "a@example.com", "not-an-id", "--json").returncode == 4
    assert arx(home, "server", "revoke", "nobody@example.com", B1, "--json").returncode == 3


def test_adding_an_existing_user_is_a_conflict(tmp_path: Path) -> None:
    home = tmp_path / "server"
    ok(home, "server", "user", "add", "a@example.com", "--password-stdin", stdin="long enough\n")
    again = arx(
        home, "server", "user", "add", "A@example.com", "--password-stdin", stdin="long enough\n"
    )
    assert again.returncode == 5
    assert "a@example.com exists" in again.stderr


def change_log_size(database_url: str) -> int:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM srv_change_log")).scalar_one())
    finally:
        engine.dispose()


@on_both_databases
def test_server_import_reports_a_revised_survey_then_updates_and_prunes(
    tmp_path: Path, database_url: str
) -> None:
    home, repo = tmp_path / "server", tmp_path / "repo"
    db = ("--database-url", database_url)
    shutil.copytree(DEMO_REPO, repo)
    ok(home, "server", "user", "add", "a@example.com", "--password-stdin", *db,
       stdin="long enough\n")  # fmt: skip
    importing = ("server", "import", str(repo), "--owner", "a@example.com", *db)
    total = sum(ok(home, *importing)["inserted"].values())
    set_field(repo, CT1, "status", "needs_service")
    remove_camera(repo)
    logged = change_log_size(database_url)

    plain = arx(home, *importing)
    assert plain.returncode == 0, plain.stderr
    assert "0 rows added, 0 updated (0 fields), 567 unchanged" in plain.stdout
    assert "left as they are (--update changes them): 1 equipment" in plain.stdout
    assert "(--update --prune deletes them): 1 equipment, 1 connection" in plain.stdout

    refused = arx(home, *importing, "--prune", "--json")
    assert refused.returncode == 4
    assert "only works with --update" in json.loads(refused.stdout)["error"]["message"]
    edit_json(repo / "equipment.json", lambda rows: [{**rows[0], "status": "broken"}, *rows[1:]])
    invalid = arx(home, *importing, "--update", "--json")
    assert invalid.returncode == 4
    assert json.loads(invalid.stdout)["error"]["kind"] == "invalid_repository"
    assert change_log_size(database_url) == logged
    set_field(repo, CT1, "status", "needs_service")

    done = ok(home, *importing, "--update", "--prune")
    assert (done["update"], done["prune"], done["changed"]) == (True, True, True)
    assert done["updated"] == done["updated_fields"] == {"equipment": 1}
    assert done["deleted"] == {"connection": 1, "equipment": 1}
    assert done["inserted"] == {} and done["rejected"] == [] and done["skipped_deleted"] == {}
    assert sum(done["unchanged"].values()) == total - 3
    assert change_log_size(database_url) == logged + 3

    shown = arx(home, *importing, "--update", "--prune")
    assert shown.returncode == 0, shown.stderr
    assert "0 rows added, 0 updated (0 fields), 0 deleted, 568 unchanged" in shown.stdout
    assert change_log_size(database_url) == logged + 3
