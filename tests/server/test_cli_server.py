"""`arx server …` end to end in subprocesses, on a server home of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest

from arxos_desktop.cli_server import RoleName
from sync.server.models import Role

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


def test_adding_an_existing_user_is_a_conflict(tmp_path: Path) -> None:
    home = tmp_path / "server"
    ok(home, "server", "user", "add", "a@example.com", "--password-stdin", stdin="long enough\n")
    again = arx(
        home, "server", "user", "add", "A@example.com", "--password-stdin", stdin="long enough\n"
    )
    assert again.returncode == 5
    assert "a@example.com exists" in again.stderr
