"""File → Sign in…: server address, email, password and this device's name.

Signing in is a network call, so it runs off the UI thread while the dialog says
"Signing in…"; what goes wrong is said next to the field it is about (a wrong
address under the address, a wrong password under the password), and nothing
is saved until the server said yes.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.account import InvalidServerUrlError, normalize_server_url
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.client import OfflineError, SignInRequiredError, TooManyRequestsError

if TYPE_CHECKING:
    from arxos_desktop.ui.sync_controller import SyncController

DEVICE_NAME_KEY = "sync/device_name"
SERVER_KEY = "sync/server"


class SignInDialog(QDialog):
    """Asks for a sign-in and hands the saved credentials to the sync controller."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from arxos_desktop.ui.sync_controller import sign_in_and_save

        self._sign_in_and_save = sign_in_and_save
        self.controller = controller
        self.setWindowTitle("Sign in to a sync server")
        self.setAccessibleName("Sign in")
        self.setMinimumWidth(520)
        settings = controller.window.settings
        previous = controller.credentials
        self.server = self._field("Server address", "https://sync.example.com")
        self.server.setText(
            previous.server if previous else str(settings.value(SERVER_KEY, "") or "")
        )
        self.email = self._field("Email", "you@example.com")
        self.email.setText(previous.email if previous else "")
        self.password = self._field("Password", "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.device = self._field("Device name", "e.g. Tablet 3")
        self.device.setText(str(settings.value(DEVICE_NAME_KEY, "") or socket.gethostname()))
        self.errors = {name: self._error_label(name) for name in ("server", "email", "password")}
        self.errors["device"] = self._error_label("device")
        self.general = self._error_label("general")
        form = QFormLayout()
        for label, field, name in (
            ("Server address", self.server, "server"),
            ("Email", self.email, "email"),
            ("Password", self.password, "password"),
            ("Device name", self.device, "device"),
        ):
            form.addRow(label, field)
            form.addRow("", self.errors[name])
        buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        for button in (self.sign_in_button, self.cancel_button):
            button.setMinimumHeight(TOUCH_TARGET_PX)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        (self.password if self.email.text() else self.server).setFocus()

    @classmethod
    def ask(cls, controller: SyncController) -> SignInDialog:
        """Open the dialog over the window (not blocking the event loop)."""
        dialog = cls(controller, controller.window)
        dialog.open()
        return dialog

    def _field(self, name: str, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setPlaceholderText(placeholder)
        field.setMinimumHeight(TOUCH_TARGET_PX)
        return field

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setAccessibleName(f"Problem with {name}")
        label.setWordWrap(True)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.hide()
        return label

    def _say(self, where: str, sentence: str) -> None:
        self.errors.get(where, self.general).setText(sentence)
        self.errors.get(where, self.general).show()

    def _clear(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.clear()
            label.hide()

    def submit(self) -> None:
        """Check the fields here, then sign in off the UI thread."""
        self._clear()
        try:
            server = normalize_server_url(self.server.text())
        except InvalidServerUrlError:
            self._say("server", "Give the server's address, like https://sync.example.com.")
            server = ""
        email = self.email.text().strip()
        if "@" not in email.strip("@") or any(c.isspace() for c in email):
            self._say("email", "Give the email address you sign in with.")
        if not self.password.text():
            self._say("password", "Give your password.")
        if not self.device.text().strip():
            self._say("device", "Give this device a name, so you can tell your devices apart.")
        if any(label.text() for label in self.errors.values()):
            return
        self.sign_in_button.setEnabled(False)
        self.general.setText("Signing in…")
        self.general.show()
        home, password = self.controller.home, self.password.text()
        device_id = self.controller.state.replica.device_id
        self.controller.run_net(
            lambda: self._sign_in_and_save(
                home, server=server, email=email, password=password, device_id=device_id
            ),
            self._answered,
        )

    def _answered(self, credentials: Any, error: Exception | None) -> None:
        self._clear()
        self.sign_in_button.setEnabled(True)
        if error is None:
            settings = self.controller.window.settings
            settings.setValue(DEVICE_NAME_KEY, self.device.text().strip())
            settings.setValue(SERVER_KEY, credentials.server)
            self.controller.use_credentials(credentials)
            self.controller.state.post(f"Signed in to {credentials.server} as {credentials.email}.")
            self.accept()
        elif isinstance(error, OfflineError):
            self._say("server", "No sync server answers at this address; check it and the network.")
        elif isinstance(error, TooManyRequestsError):
            self._say("general", plain_words(error))
        elif isinstance(error, SignInRequiredError):
            self._say("password", f"{str(error).rstrip('.')}.")
        elif isinstance(error, KeyError | TypeError | ValueError):
            self._say("server", "This address answers, but not as an ArxOS sync server.")
        else:
            self._say("general", plain_words(error))
