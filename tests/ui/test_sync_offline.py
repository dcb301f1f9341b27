"""Sync with no server to talk to: the window works on, says so, and keeps every change."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from arxos_desktop.account import Credentials, credentials_path, load_credentials, save_credentials
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from sync.outbox import count_changes
from tests.conftest import build_sample
from tests.ui.stall_probe import StallProbe
from tests.ui.sync_helpers import open_window


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A server that takes connections and never answers: every request waits to time out.

    Work done on the UI thread against it would freeze the window for seconds.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def _signed_in_to_nowhere(replica: Replica, port: int) -> Credentials:
    credentials = Credentials(f"http://127.0.0.1:{port}", "tech@example.com", "access", "refresh")
    save_credentials(replica.home, credentials)
    return credentials


def test_with_the_server_down_the_status_says_offline_and_counts_what_waits(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, silent_port: int
) -> None:
    sample = build_sample(replica)
    waiting = count_changes(replica.conn)
    _signed_in_to_nowhere(replica, silent_port)
    ui = open_window(qtbot, replica, qsettings)
    status = ui.controller.status
    with StallProbe().running() as probe:
        ui.controller.begin()
        qtbot.waitUntil(lambda: status.connection.text().startswith("Offline"), timeout=20_000)
        # Edits still go through at once; the count follows them.
        with qtbot.waitSignal(ui.state.data_did_change):
            ui.state.ops.run(
                lambda r: update_equipment(r, sample.vav_id, {"name": "VAV one"}), writes=True
            )
        qtbot.waitUntil(
            lambda: status.waiting.text() == f"{waiting + 1} changes waiting", timeout=15_000
        )
    # Each check of the server waits seconds for its answer: never on the UI thread.
    assert probe.longest_ms < 250
    assert status.last_sync.text() == "Not synced yet"
    assert not status.error.isVisible()  # being offline is not an error
    assert count_changes(replica.conn) == waiting + 1
    ui.window.close()


def test_signing_out_forgets_the_sign_in_and_keeps_the_unsent_changes(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, silent_port: int
) -> None:
    build_sample(replica)
    waiting = count_changes(replica.conn)
    _signed_in_to_nowhere(replica, silent_port)
    ui = open_window(qtbot, replica, qsettings)
    ui.controller.begin()
    qtbot.waitUntil(lambda: ui.controller.worker is not None, timeout=15_000)
    sign_out = next(a for a in ui.window.file_menu.actions() if a.text() == "Sign &out")
    with qtbot.waitSignal(ui.state.message_was_posted) as said:
        sign_out.trigger()
    assert said.args[0] == f"Signed out. {waiting} changes waiting on this device."
    assert ui.controller.worker is None
    assert not credentials_path(replica.home).exists() and load_credentials(replica.home) is None
    assert count_changes(replica.conn) == waiting
    assert ui.controller.status.connection.text() == "Signed out"
    assert ui.controller.status.waiting.text() == f"{waiting} changes waiting"
    # Sync now without a sign-in says what to do instead of failing quietly.
    with qtbot.waitSignal(ui.state.message_was_posted) as told:
        ui.controller.sync_now()
    assert "sign in" in told.args[0]
    ui.window.close()


def test_never_signed_in_the_status_says_so(
    qtbot: QtBot, replica: Replica, qsettings: QSettings
) -> None:
    build_sample(replica)
    ui = open_window(qtbot, replica, qsettings)
    ui.controller.begin()
    qtbot.waitUntil(
        lambda: ui.controller.status.waiting.text().endswith("changes waiting"), timeout=15_000
    )
    assert ui.controller.status.connection.text() == "Not signed in"
    assert ui.controller.worker is None
    ui.window.close()
