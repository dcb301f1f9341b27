"""`arx token issue / verify / revoke` and `arx audit verify` against a real server on loopback.

One device, one pass, followed through its life: signed by the server into a
drawing, refused until the device has synced the signing key, accepted after,
refused again once withdrawn and synced; every check lands in the access log,
whose tampering `arx audit verify` finds.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from argon2 import PasswordHasher

from arxos_desktop.account import Credentials, save_credentials
from arxos_desktop.cli.main import run
from arxos_desktop.store import Replica
from sync.client import sign_in
from sync.server import crud
from sync.server.core import security
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from tests.conftest import make_pdf
from tests.live_server import serve

EMAIL = "ann@harbor.example"
PASSWORD = "correct horse battery"
SECRET = "test-secret-key-" + "x" * 40


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def ok(self) -> Any:
        assert self.code == 0, self.stdout
        return self.json()


def arx(home: Path, *args: str) -> Run:
    """`arx` in this process (a subprocess per call would cost a second of start-up each)."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = run(["--home", str(home), *args])
    return Run(code, buffer.getvalue())


@dataclass(frozen=True)
class Device:
    home: Path
    building: str
    building_name: str


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Device]:
    """The admin of Riverside Tower (organisation Harbor), signed in and synced once."""
    root = tmp_path_factory.mktemp("access")
    server_home = root / "server"
    settings = ServerSettings(
        home=server_home,
        database_url=f"sqlite:///{server_home / 'server.sqlite3'}",
        secret_key=SECRET,
    )
    app = create_app(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        with serve(app) as url:
            with session_scope(app.state.engine) as session:
                org = crud.get_or_create_org(session, "Harbor")
                crud.create_user(session, email=EMAIL, password=PASSWORD, org_id=org.id)
            home = root / "device"
            with Replica.open(home) as replica, replica.transaction() as writer:
                owner = writer.insert("organization", {"name": "Harbor Facilities"})
                tower = writer.insert(
                    "building", {"name": "Riverside Tower", "org_id": owner["id"]}
                )
                for level in (1, 2, 3):
                    writer.insert("floor", {"building_id": tower["id"], "level": level,
                                            "name": f"Level {level}"})  # fmt: skip
                device_id = replica.device_id
            tokens = sign_in(url, email=EMAIL, password=PASSWORD, device_id=device_id)
            save_credentials(
                home, Credentials(url, EMAIL, tokens.access_token, tokens.refresh_token)
            )
            arx(home, "sync", "--json").ok()
            yield Device(home, tower["id"], "Riverside Tower")


def refused(run: Run) -> dict[str, str]:
    assert run.code == 12, run.stdout
    error: dict[str, str] = run.json()["error"]
    assert error["kind"] == "access_refused"
    return error


def test_a_pass_is_issued_into_a_drawing_and_checked_offline_through_its_life(
    device: Device, tmp_path: Path
) -> None:
    drawing = tmp_path / "drawing.pdf"
    drawing.write_bytes(make_pdf(text="Level 1 plan"))
    out = tmp_path / "access.pdf"
    issued = arx(device.home, "token", "issue", "--building", device.building,
                 "--systems", "hvac,electrical", "--floors", "1,2",
                 "--permissions", "read,annotate", "--expires", "8h", "--contractor", "ACME-42",
                 "--pdf", str(drawing), "--out", str(out), "--json").ok()  # fmt: skip
    assert issued["pdf"] == str(out)
    with pymupdf.open(out) as doc:
        assert doc.page_count == 2 and "ACME-42 may read and annotate" in doc[0].get_text()

    # The device has not yet heard of the organisation's new signing key.
    before_sync = refused(arx(device.home, "token", "verify", str(out), "--json"))
    assert before_sync["reason"] == "unknown_issuer"

    arx(device.home, "sync", "--json").ok()
    valid = arx(device.home, "token", "verify", str(out), "--json").ok()
    assert valid["token_id"] == issued["token_id"]
    assert valid["scope"].startswith(
        f"ACME-42 may read and annotate HVAC and electrical on floors 1 and 2 of"
        f" {device.building_name} until "
    )
    text = arx(device.home, "token", "verify", issued["token"])
    assert text.code == 0 and "Valid pass" in text.stdout

    arx(device.home, "token", "revoke", issued["token_id"], "--json").ok()
    assert arx(device.home, "token", "verify", str(out), "--json").code == 0  # not synced yet
    arx(device.home, "sync", "--json").ok()
    assert refused(arx(device.home, "token", "verify", str(out), "--json"))["reason"] == "revoked"

    garbage = refused(arx(device.home, "token", "verify", "<script>x</script>", "--json"))
    assert garbage["reason"] == "garbage" and "<script>" not in garbage["message"]

    log = arx(device.home, "audit", "verify", "--json").ok()
    assert log == {"entries": 6, "intact": True}
    with closing(sqlite3.connect(device.home / "replica.sqlite3")) as conn:
        conn.execute("DROP TRIGGER access_audit_no_delete")
        conn.execute("DELETE FROM access_audit WHERE seq = 3")
        conn.commit()
    broken = arx(device.home, "audit", "verify", "--json")
    assert broken.code == 13, broken.stdout + broken.stderr
    assert "entry 3 is missing" in broken.json()["error"]["message"]


def test_issuing_is_refused_for_a_building_the_user_does_not_manage(device: Device) -> None:
    run = arx(device.home, "token", "issue", "--building", "0" * 8 + "-0000-7000-8000-" + "0" * 12,
              "--contractor", "ACME-42", "--json")  # fmt: skip
    assert run.code == 12, run.stdout + run.stderr
    assert "Only an admin or manager" in run.json()["error"]["message"]
    bad = arx(device.home, "token", "issue", "--building", device.building,
              "--contractor", "ACME-42", "--expires", "soon", "--json")  # fmt: skip
    assert bad.code == 4 and "90s, 30m, 8h or 2d" in bad.json()["error"]["message"]
