"""The stall probe on a long first sync: 5,000 changes, the window keeps ticking.

The server is the local demo server in its own process, as `make run` runs it,
so the figure is the app's alone: a server in this process would share the GIL
(and its start-up ``gc.freeze()`` would hide the app's own garbage-collector pauses).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from arxos_desktop.account import Credentials, save_credentials
from arxos_desktop.admin.demo_account import read_account
from arxos_desktop.store import Replica
from sync.client import sign_in
from sync.outbox import count_changes
from tests.conftest import build_sample
from tests.demo_process import demo_server
from tests.ui.stall_probe import StallProbe
from tests.ui.sync_helpers import open_window

EDITS = 5000


def test_a_first_sync_of_5000_changes_never_stalls_the_window(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, tmp_path: Path
) -> None:
    sample = build_sample(replica)
    with replica.transaction() as writer:
        for n in range(EDITS):
            writer.insert(
                "equipment",
                {"building_id": sample.building_id, "tag": f"VAV-{n:04}", "system": "hvac"},
            )
    waiting = count_changes(replica.conn)
    assert waiting > EDITS
    with demo_server(tmp_path / "server") as (proc, url):
        account = read_account(tmp_path / "server")
        assert account is not None
        tokens = sign_in(
            url, email=account.email, password=account.password, device_id=replica.device_id
        )
        save_credentials(
            replica.home,
            Credentials(url, account.email, tokens.access_token, tokens.refresh_token),
        )
        ui = open_window(qtbot, replica, qsettings)
        status = ui.controller.status
        finished = ui.controller.sync_did_finish
        with StallProbe().running() as probe, qtbot.waitSignal(finished, timeout=120_000) as done:
            ui.controller.begin()
            # A long sync shows its progress in the status bar.
            qtbot.waitUntil(status.progress.isVisible, timeout=20_000)
        report = done.args[0]
        print(
            f"\nfirst sync of {waiting} changes: {report.seconds:.1f} s,"
            f" longest UI stall {probe.longest_ms:.1f} ms ({probe.ticks} ticks)"
        )
        assert report.accepted == waiting
        assert probe.longest_ms < 100
        qtbot.waitUntil(lambda: status.waiting.text() == "No changes waiting", timeout=15_000)
        assert not status.progress.isVisible()
        ui.window.close()
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=15)
