"""A drawing whose file is not on the tablet is fetched by the real sync worker, then opens.

The service runs on loopback; another device (a plain replica and sync client)
adds the drawing; the window's device pulls the row, and its copy of the file is
then gone (as after an interrupted download), so opening the drawing must ask
the sync worker for it and show it once it has arrived.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.drawings.viewer import DOWNLOADING
from tests.conftest import build_sample
from tests.ui.sync_helpers import (
    LiveServer,
    open_window,
    plain_client,
    sign_in_saved,
)


def test_a_missing_drawing_is_downloaded_by_the_sync_worker_and_opens(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, server: LiveServer, tmp_path: Path
) -> None:
    email = server.new_account()
    other = Replica.open(tmp_path / "other-device")
    try:
        sample = build_sample(other)  # its "Mechanical plan L1" drawing and the file
        office = plain_client(other, server.url, email)
        office.sync_once()
        office.close()
    finally:
        other.close()
    sign_in_saved(replica, server.url, email)
    ui = open_window(qtbot, replica, qsettings)
    page = DrawingsPage(ui.state)
    ui.window.add_page(page, "Drawings", entities=DrawingsPage.ENTITIES)
    page.install_actions(ui.window)
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=20_000):
        ui.controller.begin()
    sha = replica.conn.execute(
        "SELECT blob_sha256 FROM documents WHERE id = ?", (sample.document_id,)
    ).fetchone()[0]
    replica.blobs.path_for(sha).unlink()  # the file did not make it (an interrupted download)
    qtbot.waitUntil(lambda: ui.state.online, timeout=10_000)
    ui.window.pages.setCurrentWidget(page)
    with qtbot.waitSignal(page.library_did_load, timeout=10_000):
        ui.state.set_building(sample.building_id)
    found = page.library.findItems(
        "Mechanical plan L1", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )
    assert found and found[0].text(1) == "not here yet"
    rect = page.library.visualItemRect(found[0])
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=20_000) as fetched:
        with qtbot.waitSignal(ui.state.sync_was_requested, timeout=10_000):
            qtbot.mouseClick(page.library.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert page.viewer.message.text() == DOWNLOADING
    assert fetched.args[0].blobs_downloaded == 1
    qtbot.waitUntil(lambda: page.viewer.tiles.preview_complete, timeout=10_000)
    assert replica.blobs.has(sha)
    assert page.viewer.sheet_label.text() == "Sheet 1 of 2"
    ui.window.close()
