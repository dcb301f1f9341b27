"""The sync worker against a real service on loopback: edits go out, others' come in.

The service runs in this process (uvicorn in a thread, cheap Argon2); the
window syncs one replica, and a second replica with a plain sync client (no
GUI) plays the technician's other device.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.records import read_row
from sync.outbox import count_changes
from tests.conftest import build_sample
from tests.ui.sync_helpers import (
    LiveServer,
    open_window,
    plain_client,
    sign_in_saved,
)


def test_an_edit_reaches_another_device_and_its_edits_come_back_within_seconds(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, server: LiveServer, tmp_path: Path
) -> None:
    sample = build_sample(replica)
    email = server.new_account()
    sign_in_saved(replica, server.url, email)
    ui = open_window(qtbot, replica, qsettings)
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=20_000) as first:
        ui.controller.begin()
    assert first.args[0].accepted > 0
    qtbot.waitUntil(
        lambda: ui.controller.status.waiting.text() == "No changes waiting", timeout=15_000
    )
    assert ui.controller.status.connection.text().startswith("Online")
    assert ui.controller.status.last_sync.text() == "Synced just now"

    # A field edited through the store, as a page would: the worker pushes it by itself.
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=10_000) as pushed:
        ui.state.ops.run(
            lambda r: update_equipment(r, sample.ahu_id, {"status": "needs_service"}), writes=True
        )
    assert pushed.args[0].accepted == 1
    assert count_changes(replica.conn) == 0

    other = Replica.open(tmp_path / "other")
    client = plain_client(other, server.url, email)
    try:
        client.sync_once()
        assert read_row(other, "equipment", sample.ahu_id).wire["status"] == "needs_service"
        # The other device's edit arrives through the event stream, without polling.
        update_equipment(other, sample.ahu_id, {"name": "AHU one"})
        pulled: list[int] = []
        ui.controller.sync_did_finish.connect(lambda report: pulled.append(report.pulled))
        with qtbot.waitSignal(ui.state.data_did_change, timeout=5_000):
            started = time.monotonic()
            client.sync_once()
        print(f"\nanother device's edit arrived after {time.monotonic() - started:.2f} s")
        assert time.monotonic() - started < 3.0
        assert read_row(replica, "equipment", sample.ahu_id).wire["name"] == "AHU one"
        assert pulled and pulled[-1] >= 1
    finally:
        client.close()
        other.close()
    ui.window.close()
    assert ui.controller.worker is None


def test_sync_now_runs_at_once_and_the_worker_stops_when_the_window_closes(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, server: LiveServer
) -> None:
    build_sample(replica)
    sign_in_saved(replica, server.url, server.new_account())
    ui = open_window(qtbot, replica, qsettings)
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=20_000):
        ui.controller.begin()
    worker = ui.controller.worker
    assert worker is not None and worker.running
    # Nothing new anywhere: only "Sync now" (F5 in the File menu) makes it run again.
    sync_now = next(a for a in ui.window.file_menu.actions() if a.text() == "&Sync now")
    assert sync_now.shortcut().toString() == "F5"
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=3_000):
        sync_now.trigger()
    started = time.monotonic()
    ui.window.close()
    assert time.monotonic() - started < 3.0
    assert not worker.running
