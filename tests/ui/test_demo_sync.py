"""`arxos --demo` (what `make run` starts): the local demo server, signed in, the demo
building pushed by the first sync; without a working server, offline and saying why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from arxos_desktop.account import load_credentials
from arxos_desktop.admin.demo_account import DEMO_EMAIL, DEMO_SERVER_DIR
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.startup import StartOptions, start
from arxos_desktop.ui.sync_controller import SyncController


def _controller(qtbot: QtBot, window: MainWindow) -> SyncController:
    qtbot.waitUntil(lambda: window.findChild(SyncController) is not None, timeout=20_000)
    controller = window.findChild(SyncController)
    assert isinstance(controller, SyncController)
    return controller


def test_the_demo_building_goes_to_the_local_demo_server_on_the_first_sync(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, qsettings: QSettings
) -> None:
    home = tmp_path / "home"
    window = start(qapp, StartOptions(home=home, demo=True), qsettings)
    qtbot.addWidget(window)
    controller = _controller(qtbot, window)
    with qtbot.waitSignal(controller.sync_did_finish, timeout=90_000) as first:
        pass
    report = first.args[0]
    assert report.pushed > 500 and report.accepted == report.pushed and report.rejected == 0
    assert report.blobs_uploaded == 5
    server = controller.local_server
    assert server is not None and server.url is not None
    saved = load_credentials(home)
    assert saved is not None and saved.email == DEMO_EMAIL and saved.server == server.url
    assert (home / DEMO_SERVER_DIR).stat().st_mode & 0o777 == 0o700
    qtbot.waitUntil(
        lambda: controller.status.waiting.text() == "No changes waiting", timeout=15_000
    )
    assert controller.status.connection.text().startswith("Online (127.0.0.1:")
    window.close()
    assert not server.running  # the window took its server with it


def test_when_the_local_server_cannot_start_the_app_stays_usable_and_says_why(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, qsettings: QSettings
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / DEMO_SERVER_DIR).write_text("a file where the server's folder should be")
    window = start(qapp, StartOptions(home=home, demo=True), qsettings)
    qtbot.addWidget(window)
    controller = _controller(qtbot, window)
    status = controller.status
    qtbot.waitUntil(lambda: status.error.isVisible(), timeout=60_000)
    assert status.error_sentence.startswith("The local demo server is not running:")
    assert "stays on this device" in status.error_sentence
    assert status.connection.text() == "Offline"
    assert window.state is not None
    qtbot.waitUntil(
        lambda: window.state is not None and window.state.building_id is not None, timeout=15_000
    )
    window.close()


def test_with_the_setting_off_no_server_starts(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, qsettings: QSettings
) -> None:
    qsettings.setValue("sync/local_server", "false")
    window = start(qapp, StartOptions(home=tmp_path / "home", demo=True), qsettings)
    qtbot.addWidget(window)
    controller = _controller(qtbot, window)
    qtbot.waitUntil(
        lambda: controller.status.waiting.text().endswith("changes waiting"), timeout=15_000
    )
    assert controller.local_server is None
    assert controller.status.connection.text() == "Not signed in"
    window.close()
