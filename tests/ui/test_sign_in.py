"""File → Sign in…: errors next to the right field, a saved sign-in that starts syncing,
and "Sign in again" when the server stops accepting this device."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from arxos_desktop.account import Credentials, load_credentials, save_credentials
from arxos_desktop.store import Replica
from arxos_desktop.ui.sign_in_dialog import SignInDialog
from tests.conftest import build_sample
from tests.ui.sync_helpers import PASSWORD, LiveServer, SyncWindow, open_window


def _open_dialog(qtbot: QtBot, ui: SyncWindow) -> SignInDialog:
    action = next(a for a in ui.window.file_menu.actions() if a.text() == "Sign &in…")
    action.trigger()
    dialog = ui.window.findChild(SignInDialog)
    assert isinstance(dialog, SignInDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _fill(qtbot: QtBot, dialog: SignInDialog, server: str, email: str, password: str) -> None:
    for field, text in ((dialog.server, server), (dialog.email, email)):
        field.clear()
        qtbot.keyClicks(field, text)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)


def test_bad_fields_are_named_next_to_them_and_nothing_is_saved(
    qtbot: QtBot, replica: Replica, qsettings: QSettings
) -> None:
    ui = open_window(qtbot, replica, qsettings)
    dialog = _open_dialog(qtbot, ui)
    _fill(qtbot, dialog, "sync example", "not-an-email", "")
    dialog.device.clear()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "https://sync.example.com" in dialog.errors["server"].text()
    assert dialog.errors["email"].text() == "Give the email address you sign in with."
    assert dialog.errors["password"].text() == "Give your password."
    assert "name" in dialog.errors["device"].text()
    assert dialog.isVisible() and load_credentials(replica.home) is None
    ui.window.close()


def test_a_wrong_password_is_said_under_the_password(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, server: LiveServer
) -> None:
    email = server.new_account()
    ui = open_window(qtbot, replica, qsettings)
    dialog = _open_dialog(qtbot, ui)
    _fill(qtbot, dialog, server.url, email, "not the password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors["password"].isVisible(), timeout=10_000)
    assert "password" in dialog.errors["password"].text().lower()
    assert not dialog.errors["server"].isVisible()
    assert dialog.isVisible() and load_credentials(replica.home) is None
    ui.window.close()


def test_an_address_where_no_server_answers_is_said_under_the_address(
    qtbot: QtBot, replica: Replica, qsettings: QSettings
) -> None:
    ui = open_window(qtbot, replica, qsettings)
    dialog = _open_dialog(qtbot, ui)
    _fill(qtbot, dialog, "http://127.0.0.1:9", "tech@example.com", PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors["server"].isVisible(), timeout=20_000)
    assert dialog.errors["server"].text().startswith("No sync server answers")
    ui.window.close()


def test_signing_in_saves_the_sign_in_and_starts_syncing(
    qtbot: QtBot, replica: Replica, qsettings: QSettings, server: LiveServer
) -> None:
    build_sample(replica)
    email = server.new_account()
    ui = open_window(qtbot, replica, qsettings)
    ui.controller.begin()
    dialog = _open_dialog(qtbot, ui)
    _fill(qtbot, dialog, server.url + "/", email.upper(), PASSWORD)
    dialog.device.clear()
    qtbot.keyClicks(dialog.device, "Tablet 3")
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=20_000) as synced:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert synced.args[0].accepted > 0
    assert not dialog.isVisible()
    saved = load_credentials(replica.home)
    assert saved is not None and saved.server == server.url
    assert qsettings.value("sync/device_name") == "Tablet 3"
    qtbot.waitUntil(
        lambda: ui.controller.status.waiting.text() == "No changes waiting", timeout=15_000
    )
    ui.window.close()


def test_an_ended_sign_in_offers_sign_in_again(
    qtbot: QtBot, qapp: QApplication, replica: Replica, qsettings: QSettings, server: LiveServer
) -> None:
    build_sample(replica)
    email = server.new_account()
    save_credentials(replica.home, Credentials(server.url, email, "expired", "revoked"))
    ui = open_window(qtbot, replica, qsettings)
    ui.controller.begin()
    status = ui.controller.status
    qtbot.waitUntil(lambda: status.sign_in_button.isVisible(), timeout=20_000)
    assert status.error_sentence == "The sync server no longer accepts your sign-in: sign in again."
    assert ui.controller.worker is None  # it stopped trying
    qtbot.mouseClick(status.sign_in_button, Qt.MouseButton.LeftButton)
    dialog = ui.window.findChild(SignInDialog)
    assert isinstance(dialog, SignInDialog) and dialog.email.text() == email
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(ui.controller.sync_did_finish, timeout=20_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert not status.sign_in_button.isVisible() and not status.error.isVisible()
    ui.window.close()
