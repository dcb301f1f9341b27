"""File → Settings…: the local demo server switch and the colour scheme.

Both are kept in QSettings and take effect at once: the theme is applied to the
running app, and the demo server starts or stops (in a ``--demo`` session).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.ui.theme import TOUCH_TARGET_PX, Theme, apply_theme

if TYPE_CHECKING:
    from arxos_desktop.ui.sync_controller import SyncController

THEME_KEY = "ui/theme"
_THEME_NAMES = {Theme.SYSTEM: "Follow the system", Theme.LIGHT: "Light", Theme.DARK: "Dark"}


class SettingsDialog(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from arxos_desktop.ui.sync_controller import LOCAL_SERVER_KEY, local_server_enabled

        self._key = LOCAL_SERVER_KEY
        self.controller = controller
        self.settings = controller.window.settings
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(520)
        self.local_server = QCheckBox("Run a local demo sync server (arxos --demo)")
        self.local_server.setAccessibleName("Local demo server")
        self.local_server.setMinimumHeight(TOUCH_TARGET_PX)
        self.local_server.setChecked(local_server_enabled(self.settings))
        hint = QLabel(
            "With it, the demo building syncs to a server on this computer, so you can"
            " try sync without an account."
        )
        hint.setWordWrap(True)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Colour scheme")
        self.theme.setMinimumHeight(TOUCH_TARGET_PX)
        for theme, name in _THEME_NAMES.items():
            self.theme.addItem(name, theme.value)
        current = str(self.settings.value(THEME_KEY, Theme.SYSTEM.value))
        self.theme.setCurrentIndex(max(0, self.theme.findData(current)))
        form = QFormLayout()
        form.addRow(self.local_server)
        form.addRow(hint)
        form.addRow("Colour scheme", self.theme)
        buttons = QDialogButtonBox()
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save")
        self.save_button.setDefault(True)
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel")
        for button in (self.save_button, cancel):
            button.setMinimumHeight(TOUCH_TARGET_PX)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, controller: SyncController) -> SettingsDialog:
        dialog = cls(controller, controller.window)
        dialog.open()
        return dialog

    def save(self) -> None:
        enabled = self.local_server.isChecked()
        self.settings.setValue(self._key, "true" if enabled else "false")
        theme = Theme(self.theme.currentData())
        self.settings.setValue(THEME_KEY, theme.value)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.controller.set_local_server(enabled)
        self.accept()
