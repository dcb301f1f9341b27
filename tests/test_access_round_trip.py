"""A pass from issue to the end of its session, against a real server on loopback.

The site manager issues a pass into a drawing; the contractor's device reads the
PDF through the scanner, exchanges the pass for a sign-in limited to it, syncs
exactly that scope, checks the pass offline, edits inside it (and is refused
outside it), and at the end pushes its edit before the building leaves.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from arxos_desktop.access.errors import OutOfScopeError
from arxos_desktop.access.session import end_session, exchange_pass, pusher, start_session
from arxos_desktop.account import Credentials, save_credentials
from arxos_desktop.cli.main import run
from arxos_desktop.scanner.files import scan_file
from arxos_desktop.scanner.routing import Route, classify
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.sync_client import client_for
from sync.client import sign_in
from sync.outbox import count_changes
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


def arx(home: Path, *args: str) -> Any:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = run(["--home", str(home), *args])
    assert code == 0, buffer.getvalue()
    return json.loads(buffer.getvalue())


@dataclass(frozen=True)
class Site:
    url: str
    admin: Path
    building: str
    units: dict[str, str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Riverside Tower on a server: HVAC and plumbing on floor 1, HVAC on floor 2."""
    root = tmp_path_factory.mktemp("round-trip")
    settings = ServerSettings(
        home=root / "server",
        database_url=f"sqlite:///{root / 'server' / 'server.sqlite3'}",
        secret_key=SECRET,
    )
    app = create_app(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        with serve(app) as url:
            with session_scope(app.state.engine) as session:
                org = crud.get_or_create_org(session, "Harbor")
                crud.create_user(session, email=EMAIL, password=PASSWORD, org_id=org.id)
            admin = root / "admin"
            with Replica.open(admin) as replica:
                with replica.transaction() as writer:
                    owner = writer.insert("organization", {"name": "Harbor Facilities"})
                    tower = writer.insert("building", {"name": "Riverside Tower",
                                                       "org_id": owner["id"]})  # fmt: skip
                    floors = {
                        level: writer.insert("floor", {"building_id": tower["id"],
                                                       "level": level, "name": f"Level {level}"})
                        for level in (1, 2)
                    }  # fmt: skip
                units = {
                    tag: create_equipment(replica, building_id=tower["id"], tag=tag,
                                          system=system, floor_id=floors[level]["id"]).id
                    for tag, system, level in (("AHU-1", "hvac", 1), ("P-1", "plumbing", 1),
                                               ("AHU-2", "hvac", 2))
                }  # fmt: skip
                tokens = sign_in(url, email=EMAIL, password=PASSWORD, device_id=replica.device_id)
            save_credentials(admin, Credentials(url, EMAIL, tokens.access_token,
                                                tokens.refresh_token))  # fmt: skip
            arx(admin, "sync", "--json")
            yield Site(url, admin, tower["id"], units)


def test_a_pass_pdf_is_scanned_exchanged_synced_to_its_scope_and_ended_with_edits_sent(
    site: Site, tmp_path: Path
) -> None:
    drawing = tmp_path / "drawing.pdf"
    drawing.write_bytes(make_pdf(text="Level 1 plan"))
    pdf = tmp_path / "pass.pdf"
    arx(site.admin, "token", "issue", "--building", site.building, "--systems", "hvac",
        "--floors", "1", "--permissions", "read,write", "--expires", "8h",
        "--contractor", "ACME-42", "--pdf", str(drawing), "--out", str(pdf), "--json")  # fmt: skip

    with Replica.open(tmp_path / "contractor") as replica:
        (code,) = scan_file(pdf)  # the scanner's pipeline, as "Scan a file…" runs it
        routed = classify(code.data)
        assert routed.route is Route.ACCESS_TOKEN
        credentials = exchange_pass(site.url, routed.text, replica.device_id)
        assert credentials.refresh_token == ""
        client = client_for(credentials, replica.home, ReplicaSyncTarget(replica))
        try:
            client.sync_once()
        finally:
            client.close()
        held = {tag for (tag,) in replica.conn.execute("SELECT tag FROM equipment")}
        assert held == {"AHU-1"}  # the server served the narrowed grant only
        levels = {level for (level,) in replica.conn.execute("SELECT level FROM floors")}
        assert levels == {1}

        session, check = start_session(replica, routed.text, credentials=credentials)
        assert check.scope.startswith("ACME-42 may read and write HVAC on floor 1 of Riverside")
        update_equipment(replica, site.units["AHU-1"], {"name": "Belt replaced"})
        floor = replica.conn.execute("SELECT id FROM floors").fetchone()[0]
        before = count_changes(replica.conn)
        with pytest.raises(OutOfScopeError):
            create_equipment(replica, building_id=site.building, tag="P-9", system="plumbing",
                             floor_id=floor)  # fmt: skip
        assert count_changes(replica.conn) == before == 1

        ended = end_session(replica, session, push=pusher(replica, credentials))
        assert ended.pushed and ended.kept == 0
        assert replica.conn.execute("SELECT COUNT(*) FROM equipment").fetchone() == (0,)
        assert replica.conn.execute("SELECT COUNT(*) FROM buildings").fetchone() == (0,)

    arx(site.admin, "sync", "--json")
    with Replica.open(site.admin) as admin:
        name = admin.conn.execute(
            "SELECT name FROM equipment WHERE id = ?", (site.units["AHU-1"],)
        ).fetchone()
    assert name == ("Belt replaced",)
