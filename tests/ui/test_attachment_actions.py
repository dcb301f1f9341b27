"""Edit ▸ Attach a file… / Take a photo… reach the panel on screen, by menu or shortcut."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.attachments import attachments_for
from arxos_desktop.ui.attachments import AttachmentsPanel
from arxos_desktop.ui.attachments.actions import NO_PANEL
from arxos_desktop.ui.attachments.camera import CameraDialog
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.state import AppState
from tests.conftest import SampleBuilding
from tests.media import make_jpeg, make_video


def menu_action(window: MainWindow, text: str) -> None:
    (action,) = [a for a in window.edit_menu.actions() if a.text() == text]
    action.trigger()


def test_the_shortcuts_reach_the_visible_panel_and_closing_the_window_stops_it(
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    qsettings: QSettings,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = MainWindow(qsettings)
    qtbot.addWidget(window)
    window.attach(state)
    build_pages(window, state)
    panel = AttachmentsPanel(state, camera=make_video(tmp_path / "camera.avi"))
    window.add_page(panel, "Photos")
    window.pages.setCurrentWidget(panel)
    window.show()
    qtbot.waitExposed(window)
    menu_action(window, "Attach a &file…")
    assert window.statusBar().currentMessage() == NO_PANEL  # no record on screen yet

    with qtbot.waitSignal(panel.attachments_did_load, timeout=5000):
        panel.show_target("equipment", sample.vav_id, label="VAV-101")
    photo = tmp_path / "damper.jpg"
    photo.write_bytes(make_jpeg())
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], "All files (*)")
    )
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # shortcuts go to the active window
    with qtbot.waitSignal(panel.attachment_was_added, timeout=5000):
        qtbot.keyClick(
            window,
            Qt.Key.Key_A,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert [a.file_name for a in attachments_for(replica, sample.vav_id)] == ["damper.jpg"]

    qtbot.waitUntil(
        lambda: panel.model.rowCount() == 1 and not panel.model.item(0).icon().isNull(),
        timeout=5000,
    )
    menu_action(window, "Take a p&hoto…")
    dialog = panel.findChild(CameraDialog)
    assert dialog is not None and dialog.isVisible()
    capture = dialog.capture
    qtbot.waitUntil(capture.isRunning, timeout=5000)
    window.close()  # with the camera still open: it is released too
    assert capture.isFinished()
    # The panel's preview worker was shut down with the window: it starts no thread again.
    panel.previews.thumbnail(
        attachments_for(replica, sample.vav_id)[0].blob_sha256, "image/jpeg", 96
    )
    assert not [t for t in threading.enumerate() if t.name == "arxos-previews"]
