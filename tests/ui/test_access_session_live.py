"""A contractor's own device, never synced, starts a session from a scanned pass against a
real server: the server vouches for the pass, the device syncs exactly its scope, checks it
itself, and at the end sends its edit before the building leaves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.access.issuing import issue_remote
from arxos_desktop.access.scope import PassScope
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.ui.access.session_controller import AccessController
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.scanner import ScanPage
from arxos_desktop.ui.sign_in_dialog import SERVER_KEY
from sync.server import crud
from sync.server.core import security
from sync.server.db import session_scope
from tests.ui.sync_helpers import PASSWORD, open_window, plain_client, running_server, sign_in_saved

MANAGER = "ann@harbor.example"


@pytest.fixture(scope="module", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


def test_a_never_synced_device_starts_a_session_the_server_vouches_for(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, tmp_path: Path
) -> None:
    with running_server(tmp_path / "server") as server:
        with session_scope(server.engine) as session:  # type: ignore[arg-type]
            org = crud.get_or_create_org(session, "Harbor")
            crud.create_user(session, email=MANAGER, password=PASSWORD, org_id=org.id)
        with Replica.open(tmp_path / "manager") as manager:
            with manager.transaction() as writer:
                owner = writer.insert("organization", {"name": "Harbor Facilities"})
                tower = writer.insert("building", {"name": "Riverside Tower",
                                                   "org_id": owner["id"]})["id"]  # fmt: skip
                one = writer.insert("floor", {"building_id": tower, "level": 1, "name": "L1"})
                two = writer.insert("floor", {"building_id": tower, "level": 2, "name": "L2"})
            ahu = create_equipment(manager, building_id=tower, tag="AHU-1", system="hvac",
                                   floor_id=one["id"]).id  # fmt: skip
            create_equipment(manager, building_id=tower, tag="AHU-2", system="hvac",
                             floor_id=two["id"])  # fmt: skip
            credentials = sign_in_saved(manager, server.url, MANAGER)
            client = plain_client(manager, server.url, MANAGER)
            client.sync_once()
            request = {"building_id": tower, "systems": ["hvac"], "floors": [1],
                       "permissions": ["read", "write"], "contractor_id": "ACME-42",
                       "expires_in": 3600}  # fmt: skip
            issued = issue_remote(credentials, manager.home, request=request,
                                  building_name="Riverside Tower")  # fmt: skip

            qsettings.setValue(SERVER_KEY, server.url)  # the device knows its server, no sign-in
            opened = open_window(qtbot, replica, qsettings)
            build_pages(opened.window, opened.state)
            access = opened.window.findChild(AccessController)
            (page,) = opened.window.findChildren(ScanPage)
            assert access is not None
            with qtbot.waitSignal(access.pass_was_checked, timeout=5000) as checked:
                page.access_token_was_read.emit(issued.token)
            assert checked.args[0].reason == "unknown_issuer"  # this device never synced
            assert access.view.start_button.isVisible()
            with qtbot.waitSignal(access.session_did_start, timeout=20_000):
                qtbot.mouseClick(access.view.start_button, Qt.MouseButton.LeftButton)
            assert isinstance(replica.access_scope, PassScope)
            assert opened.state.building_id == tower  # the window opened the pass's building
            tags = {tag for (tag,) in replica.conn.execute("SELECT tag FROM equipment")}
            assert tags == {"AHU-1"}  # exactly the pass's scope came down
            opened.state.ops.run(
                lambda r: update_equipment(r, ahu, {"name": "Belt replaced"}), writes=True
            ).result(timeout=5)

            with qtbot.waitSignal(access.session_did_end, timeout=20_000) as ended:
                access.end_action.trigger()  # File → End contractor session
            assert ended.args[0].pushed and ended.args[0].kept == 0
            assert replica.conn.execute("SELECT COUNT(*) FROM equipment").fetchone() == (0,)
            client.sync_once()
            name = manager.conn.execute("SELECT name FROM equipment WHERE id = ?", (ahu,))
            assert name.fetchone() == ("Belt replaced",)
            client.close()
            opened.window.close()
