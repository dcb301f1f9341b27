"""`arx login / sync / conflicts / logout / server import` against a real server on loopback.

The service runs in this process (uvicorn in a thread, cheap Argon2); every
`arx` runs in a subprocess with its own ``--home``, as a technician's laptop
would. Independent calls run side by side to keep the module fast.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from sync.server import crud
from sync.server.core import security
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from tests.live_server import serve

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-" + "x" * 40
EMAIL = "tech@example.com"
DEMO_REPO = Path(__file__).resolve().parents[1] / "resources" / "demo-building"
#: Server-side variables a developer's shell may hold; subprocesses must not see them.
#: What the server answers today when a new building's organisation arrives before the building
#: (see test_a_new_building_and_its_organisation_are_accepted_whole).
_SERVER_ENV = ("DATABASE_URL", "ARXOS_SERVER_HOME", "ARXOS_SECRET_KEY", "ARXOS_HOME")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def ok(self) -> Any:
        assert self.code == 0, self.stderr + self.stdout
        return self.json()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(
    home: Path, *args: str, env: dict[str, str] | None = None, stdin: bool = False
) -> subprocess.Popen[str]:
    full = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    for name in _SERVER_ENV:
        if name not in (env or {}):
            full.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home), *args],
        # Ctrl+C as a terminal sends it, even when this suite was started in the
        # background (a shell without job control starts background jobs with SIGINT
        # ignored, and children inherit that, so the watch test would never stop).
        preexec_fn=_default_sigint,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full,
    )


def finish(*procs: subprocess.Popen[str], stdin: str | None = None) -> list[Run]:
    runs = []
    for proc in procs:
        stdout, stderr = proc.communicate(input=stdin if proc.stdin else None, timeout=120)
        runs.append(Run(proc.returncode, stdout, stderr))
    return runs


def arx(home: Path, *args: str, **kwargs: Any) -> Run:
    return finish(start(home, *args, **kwargs))[0]


def login(home: Path, url: str, password: str = PASSWORD) -> subprocess.Popen[str]:
    """Start `arx login` with the password on stdin (pass the result to :func:`signed_in`)."""
    proc = start(home, "login", "--server", url, "--email", EMAIL, "--password-stdin", "--json",
                 stdin=True)  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(password + "\n")
    proc.stdin.flush()
    return proc


def outbox_count(home: Path, state: str = "pending") -> int:
    with closing(sqlite3.connect(home / "replica.sqlite3")) as conn:
        row = conn.execute("SELECT count(*) FROM outbox WHERE state = ?", (state,)).fetchone()
        return int(row[0])


@dataclass
class Server:
    url: str
    app: FastAPI
    settings: ServerSettings

    def change_log_count(self) -> int:
        with closing(sqlite3.connect(self.settings.home / "server.sqlite3")) as conn:
            return int(conn.execute("SELECT count(*) FROM srv_change_log").fetchone()[0])

    @property
    def env(self) -> dict[str, str]:
        """What `arx server …` needs to work on this server's database."""
        return {
            "ARXOS_SERVER_HOME": str(self.settings.home),
            "DATABASE_URL": self.settings.database_url,
            "ARXOS_SECRET_KEY": SECRET,
        }


@contextmanager
def running_server(root: Path) -> Iterator[Server]:
    """A fresh service with one user (``EMAIL``); stopped when the block ends."""
    home = root / "server"
    settings = ServerSettings(
        home=home, database_url=f"sqlite:///{home / 'server.sqlite3'}", secret_key=SECRET
    )
    app = create_app(settings)
    with serve(app) as url:
        with session_scope(app.state.engine) as session:
            crud.create_user(session, email=EMAIL, password=PASSWORD, full_name="Tess Tech")
        yield Server(url, app, settings)


@pytest.fixture(scope="module", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """The server runs in this process: make its Argon2 cheap (production costs ~0.1 s)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("shared")) as running:
        yield running


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo building loaded and never synced (copy it, do not use it)."""
    home = tmp_path_factory.mktemp("template") / "home"
    assert arx(home, "demo", "--json").code == 0
    return home


def copy_of(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest)
    return dest


@dataclass
class Pair:
    """Two devices of the same technician, both signed in and synced once."""

    a: Path
    b: Path
    first_sync_a: dict[str, Any]
    first_sync_b: dict[str, Any]


@pytest.fixture(scope="module")
def pair(server: Server, demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    root = tmp_path_factory.mktemp("pair")
    a, b = copy_of(demo_home, root / "a"), root / "b"
    for run in finish(login(a, server.url), login(b, server.url)):
        assert run.ok()["server"] == server.url
    sync_a = arx(a, "sync", "--json").ok()
    sync_b = arx(b, "sync", "--json").ok()
    return Pair(a, b, sync_a, sync_b)


# -- tests -------------------------------------------------------------------------------


def test_two_devices_sign_in_sync_and_hold_the_same_building(pair: Pair, demo_home: Path) -> None:
    first = pair.first_sync_a
    assert first["pushed"] == outbox_count(demo_home) == 570
    assert first["blobs_uploaded"] == 5
    assert first["pending_changes"] == 0
    assert first["accepted"] + first["merged"] + first["rejected"] == first["pushed"]
    assert first["rejected"] == 0 and first["rejections"] == [], first["rejections"]
    second = pair.first_sync_b
    assert second["pushed"] == 0
    assert second["pulled"] == 570  # every row once, the organisation included
    assert second["blobs_downloaded"] == 5
    assert second["cursor"] == first["cursor"]

    list_a, list_b, buildings_b = finish(
        start(pair.a, "equipment", "list", "--json"),
        start(pair.b, "equipment", "list", "--json"),
        start(pair.b, "buildings", "--json"),
    )
    assert len(list_a.ok()) == 154
    assert list_a.ok() == list_b.ok()
    assert buildings_b.ok()[0]["documents"] == 5

    credentials = pair.a / "credentials.json"
    assert credentials.stat().st_mode & 0o777 == 0o600
    saved = json.loads(credentials.read_text(encoding="utf-8"))
    assert saved["email"] == EMAIL and saved["refresh_token"]


def test_a_photo_attached_on_one_device_syncs_to_the_other_with_its_file(
    pair: Pair, tmp_path: Path
) -> None:
    photo = tmp_path / "valve.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of a valve " + os.urandom(64))
    attached = arx(pair.a, "attach", str(photo), "--to", "AHU-1", "--json").ok()
    pushed = arx(pair.a, "sync", "--json").ok()
    assert pushed["blobs_uploaded"] == 1 and pushed["rejected"] == 0, pushed["rejections"]
    pulled = arx(pair.b, "sync", "--json").ok()
    assert pulled["blobs_downloaded"] == 1
    with closing(sqlite3.connect(pair.b / "replica.sqlite3")) as conn:
        row = conn.execute(
            "SELECT target_id, blob_sha256, file_name FROM attachments WHERE id = ?",
            (attached["id"],),
        ).fetchone()
    assert row == (attached["target_id"], attached["blob_sha256"], "valve.jpg")
    sha = attached["blob_sha256"]
    assert (pair.b / "blobs" / sha[:2] / sha).read_bytes() == photo.read_bytes()


def test_a_conflict_shows_on_both_devices_and_the_lost_value_can_be_restored(
    pair: Pair,
) -> None:
    assert arx(pair.a, "equipment", "set", "AHU-1", "status=out_of_service", "--json").ok()
    # b's edit is made after a's, so it wins and a's value is the one that lost.
    edit_b, sync_a = finish(
        start(pair.b, "equipment", "set", "AHU-1", "status=operational", "--json"),
        start(pair.a, "sync", "--json"),
    )
    assert edit_b.ok()["changed"] and sync_a.ok()["accepted"] == 1
    assert arx(pair.b, "sync", "--json").ok()["conflicts"] == 1
    assert arx(pair.a, "sync", "--json").ok()["conflicts"] == 1

    listed_a, listed_b, table, too_short = finish(
        start(pair.a, "conflicts", "--json"),
        start(pair.b, "conflicts", "--json"),
        start(pair.a, "conflicts"),
        start(pair.a, "conflicts", "restore", "abcd", "--json"),
    )
    (conflict,) = listed_a.ok()
    assert (conflict["entity"], conflict["label"], conflict["field"]) == (
        "equipment",
        "AHU-1",
        "status",
    )
    assert (conflict["winner_value"], conflict["loser_value"]) == ("operational", "out_of_service")
    assert conflict["mine"] == "loser"
    assert listed_b.ok()[0]["mine"] == "winner"
    assert "AHU-1" in table.stdout and "yours" in table.stdout
    assert too_short.code == 4

    restored = arx(pair.a, "conflicts", "restore", conflict["id"][-8:], "--json").ok()
    assert restored["restored"] == {"status": "out_of_service"}
    again, sync_a = finish(
        start(pair.a, "conflicts", "restore", conflict["id"], "--json"),
        start(pair.a, "sync", "--json"),
    )
    assert again.code == 4 and "already restored" in again.json()["error"]["message"]
    assert sync_a.ok()["accepted"] == 1
    arx(pair.b, "sync", "--json").ok()
    shown, listed, kept = finish(
        start(pair.b, "equipment", "show", "AHU-1", "--json"),
        start(pair.b, "conflicts", "--json"),
        start(pair.b, "conflicts", "keep", conflict["id"][:13], "--json"),
    )
    assert shown.ok()["equipment"]["status"] == "out_of_service"
    # a's restore closed it here too, and b was told how: restored, by a.
    assert listed.ok() == []
    assert kept.code == 4 and "already restored" in kept.json()["error"]["message"]
    reviewed_json, reviewed_table = finish(
        start(pair.b, "conflicts", "--all", "--json"), start(pair.b, "conflicts", "--all")
    )
    (reviewed,) = reviewed_json.ok()
    assert reviewed["resolution"] == "restored" and reviewed["resolved_by_me"] is False
    assert "restored by device" in reviewed_table.stdout


def test_rejected_changes_are_reported_and_stay_visible_with_their_reason(
    server: Server, pair: Pair, tmp_path: Path
) -> None:
    with session_scope(server.app.state.engine) as session:
        viewer = crud.create_user(session, email="viewer@example.com", password=PASSWORD)
        building_id = arx(pair.a, "buildings", "--json").ok()[0]["id"]
        crud.grant(session, user_id=viewer.id, building_id=building_id, role="viewer")
    home = tmp_path / "viewer"
    proc = start(home, "login", "--server", server.url, "--email", "viewer@example.com",
                 "--password-stdin", "--json", stdin=True)  # fmt: skip
    finish(proc, stdin=PASSWORD + "\n")[0].ok()
    arx(home, "sync", "--json").ok()
    arx(home, "equipment", "set", "AHU-1", "name=Renamed by a viewer", "--json").ok()
    report = arx(home, "sync")
    assert report.code == 0, report.stderr
    assert "1 rejected" in report.stdout and "read-only" in report.stdout
    assert "arx outbox --rejected" in report.stdout
    rejected, table = finish(
        start(home, "outbox", "--rejected", "--json"), start(home, "outbox", "--rejected")
    )
    (change,) = rejected.ok()["changes"]
    assert change["state"] == "rejected" and "read-only" in change["reason"]
    assert change["fields"] == {"name": "Renamed by a viewer"}
    assert "read-only" in table.stdout


def test_access_taken_away_leaves_the_device_and_sync_says_so(
    server: Server, pair: Pair, tmp_path: Path
) -> None:
    email = "floor1@example.com"
    with session_scope(server.app.state.engine) as session:
        crud.create_user(session, email=email, password=PASSWORD)
    building_id = arx(pair.a, "buildings", "--json").ok()[0]["id"]
    home = tmp_path / "floor1"

    def admin(*args: str) -> Any:
        return arx(home, "server", *args, "--json", env=server.env).ok()

    admin("grant", email, building_id, "--role", "technician")
    proc = start(home, "login", "--server", server.url, "--email", email,
                 "--password-stdin", "--json", stdin=True)  # fmt: skip
    finish(proc, stdin=PASSWORD + "\n")[0].ok()
    assert arx(home, "sync", "--json").ok()["removed_by_scope"] == 0
    everything = len(arx(home, "equipment", "list", "--json").ok())

    admin("grant", email, building_id, "--role", "technician", "--floors", "1")
    narrowed = arx(home, "sync")
    assert narrowed.code == 0, narrowed.stderr
    assert "Removed" in narrowed.stdout and "you no longer have access to" in narrowed.stdout
    assert 0 < len(arx(home, "equipment", "list", "--json").ok()) < everything

    admin("revoke", email, building_id)
    revoked = arx(home, "sync", "--json").ok()
    assert revoked["removed_by_scope"] > 0 and revoked["pending_changes"] == 0
    assert arx(home, "buildings", "--json").ok() == []


def test_watch_syncs_until_ctrl_c_and_exits_cleanly(pair: Pair) -> None:
    proc = start(pair.b, "sync", "--watch", "--interval", "1")
    assert proc.stdout is not None
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "Ctrl+C stops" in lines[0]
    assert "pushed 0" in lines[1] and "pulled" in lines[1]
    assert "Stopped" in stdout
    assert "Traceback" not in stderr


def test_an_expired_access_token_is_refreshed_and_the_new_pair_saved(pair: Pair) -> None:
    path = pair.b / "credentials.json"
    before = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**before, "access_token": "expired"}), encoding="utf-8")
    arx(pair.b, "sync", "--json").ok()
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["access_token"] != "expired"
    assert after["refresh_token"] != before["refresh_token"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_offline_sync_is_calm_exits_7_and_keeps_every_change(
    demo_home: Path, tmp_path: Path
) -> None:
    home = copy_of(demo_home, tmp_path / "device")
    with running_server(tmp_path) as server:
        finish(login(home, server.url))[0].ok()
    pending = outbox_count(home)
    plain, as_json = finish(start(home, "sync"), start(home, "sync", "--json"))
    assert plain.code == as_json.code == 7
    assert (
        f"Cannot reach the sync server at {server.url}; your {pending} changes are safe and "
        "will sync later" in " ".join(plain.stderr.split())
    )
    assert "Traceback" not in plain.stderr
    assert as_json.json()["error"]["kind"] == "offline"
    assert outbox_count(home) == pending == 570


def test_bad_or_missing_sign_in_exits_8(server: Server, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "credentials.json").write_text("{not json", encoding="utf-8")
    wrong, never, broken, bad_url = finish(
        login(tmp_path / "wrong", server.url, password="not the password"),
        start(tmp_path / "never", "sync", "--json"),
        start(damaged, "sync"),
        start(tmp_path / "url", "login", "--server", "ftp://x", "--email", EMAIL, "--json"),
    )
    assert wrong.code == 8
    assert wrong.json()["error"]["message"] == "Wrong email or password"
    assert not (tmp_path / "wrong" / "credentials.json").exists()
    assert never.code == 8 and "arx login" in never.json()["error"]["message"]
    assert broken.code == 8 and "damaged" in broken.stderr
    assert bad_url.code == 4 and "not a server address" in bad_url.json()["error"]["message"]


def test_logout_ends_the_sign_in_on_the_server_and_keeps_local_changes(
    server: Server, demo_home: Path, tmp_path: Path
) -> None:
    import httpx

    home = copy_of(demo_home, tmp_path / "device")
    finish(login(home, server.url))[0].ok()
    refresh = json.loads((home / "credentials.json").read_text(encoding="utf-8"))["refresh_token"]
    doc = arx(home, "logout", "--json").ok()
    again, sync = finish(start(home, "logout"), start(home, "sync", "--json"))
    assert doc["signed_out"] and doc["server_revoked"]
    assert doc["pending_changes"] == outbox_count(home) == 570
    assert not (home / "credentials.json").exists()
    assert "not signed in" in again.stdout
    assert sync.code == 8
    answer = httpx.post(f"{server.url}/v1/auth/refresh", json={"refresh_token": refresh})
    assert answer.status_code == 401


def test_server_import_serves_a_fresh_device_and_running_it_again_changes_nothing(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path) as server:
        first = arx(
            tmp_path, "server", "import", str(DEMO_REPO), "--owner", EMAIL, "--json",
            env=server.env,
        )  # fmt: skip
        report = first.ok()
        assert report["inserted"]["equipment"] == 154
        assert report["inserted"]["building"] == report["inserted"]["organization"] == 1
        assert report["blobs_copied"] == 5 and report["owner_granted"]
        logged = server.change_log_count()
        assert logged == sum(report["inserted"].values()) == report["cursor"]

        device = tmp_path / "device"
        finish(login(device, server.url))[0].ok()
        synced = arx(device, "sync", "--json").ok()
        assert synced["pulled"] == logged and synced["blobs_downloaded"] == 5
        equipment, buildings, again, unknown = finish(
            start(device, "equipment", "list", "--json"),
            start(device, "buildings", "--json"),
            start(tmp_path, "server", "import", str(DEMO_REPO), "--owner", EMAIL, "--json",
                  env=server.env),
            start(tmp_path, "server", "import", str(DEMO_REPO), "--owner", "nobody@x.org",
                  env=server.env),
        )  # fmt: skip
        assert len(equipment.ok()) == 154
        assert buildings.ok()[0]["documents"] == 5
        repeat = again.ok()
        assert repeat["inserted"] == {} and not repeat["changed"]
        assert sum(repeat["skipped"].values()) == logged
        assert server.change_log_count() == logged
        assert unknown.code == 3 and "nobody@x.org" in unknown.stderr


NEW_COMMANDS = [
    ["login"],
    ["logout"],
    ["sync"],
    ["conflicts"],
    ["conflicts", "restore"],
    ["conflicts", "keep"],
    ["server", "import"],
]


@pytest.mark.parametrize("command", NEW_COMMANDS, ids=" ".join)
def test_help_of_the_sync_commands(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from arxos_desktop.cli.main import run

    assert run(["--home", str(tmp_path), *command, "--help"]) == 0
    shown = capsys.readouterr().out
    assert "Usage: arx" in shown and "--json" in shown
    assert not (tmp_path / "replica.sqlite3").exists()


def test_cli_constants_match_the_protocol() -> None:
    from arxos_desktop.cli import sync_commands as cli_sync
    from sync.protocol import DEFAULT_PUSH_BATCH, MAX_PUSH_BATCH

    assert (cli_sync.PUSH_BATCH_DEFAULT, cli_sync.PUSH_BATCH_MAX) == (
        DEFAULT_PUSH_BATCH,
        MAX_PUSH_BATCH,
    )
