"""What the status bar says about sync, and the Settings dialog's two choices."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.ui.settings_dialog import SettingsDialog
from arxos_desktop.ui.sync_status import SyncStatus, changes_waiting, synced_ago
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from tests.ui.sync_helpers import open_window

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def test_the_last_sync_reads_as_how_long_ago() -> None:
    assert synced_ago(None) == "Not synced yet"
    assert synced_ago(NOW - dt.timedelta(seconds=20), NOW) == "Synced just now"
    assert synced_ago(NOW - dt.timedelta(minutes=2, seconds=10), NOW) == "Synced 2 min ago"
    assert synced_ago(NOW - dt.timedelta(hours=3), NOW) == "Synced 3 h ago"
    assert synced_ago(NOW - dt.timedelta(days=3), NOW).startswith("Synced on ")


def test_waiting_changes_are_counted_in_words() -> None:
    assert changes_waiting(0) == "No changes waiting"
    assert changes_waiting(1) == "1 change waiting"
    assert changes_waiting(5000) == "5000 changes waiting"


def test_a_long_problem_is_shortened_but_kept_whole_in_its_tooltip(qtbot: QtBot) -> None:
    status = SyncStatus()
    qtbot.addWidget(status)
    status.show()
    sentence = "The sync server refused the request: " + "a very long reason " * 20
    status.show_error(sentence, sign_in=True)
    assert status.error.text() != sentence and status.error.text().endswith("…")
    assert status.error_sentence == sentence
    assert status.sign_in_button.height() >= TOUCH_TARGET_PX
    with qtbot.waitSignal(status.sign_in_was_requested):
        qtbot.mouseClick(status.sign_in_button, Qt.MouseButton.LeftButton)
    status.clear_error()
    assert status.error_sentence == "" and not status.sign_in_button.isVisible()


def test_settings_keep_the_theme_and_the_local_server_switch(
    qtbot: QtBot, qapp: QApplication, replica: Replica, qsettings: QSettings
) -> None:
    ui = open_window(qtbot, replica, qsettings)
    action = next(a for a in ui.window.file_menu.actions() if a.text() == "Se&ttings…")
    before = (qapp.style().name(), qapp.palette(), qapp.styleSheet(), qapp.property("arxos_dark"))
    try:
        action.trigger()
        dialog = ui.window.findChild(SettingsDialog)
        assert isinstance(dialog, SettingsDialog) and dialog.local_server.isChecked()
        qtbot.mouseClick(dialog.local_server, Qt.MouseButton.LeftButton)
        dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert qsettings.value("sync/local_server") == "false"
        assert qsettings.value("ui/theme") == "dark"
        assert qapp.property("arxos_dark") is True
        assert not dialog.isVisible()
    finally:  # the next tests see the app as it was
        qapp.setStyle(before[0])
        qapp.setPalette(before[1])
        qapp.setStyleSheet(before[2])
        qapp.setProperty("arxos_dark", before[3])
        ui.window.close()
