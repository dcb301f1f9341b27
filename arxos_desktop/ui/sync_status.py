"""The sync part of the status bar: reachable or not, what waits, when, and what went wrong.

Always visible (permanent status-bar widgets), in words rather than icons: a
technician in a plant room should read at a glance that their edits are safe
on the device and will go out later. A long sync shows a progress bar; an
expired sign-in offers the way back ("Sign in again") right where it is said.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: The widest a problem sentence gets in the status bar (all of it is in the tooltip),
#: so the window's own messages on the left keep room.
ERROR_WIDTH_PX = 420
#: A run lasting longer than this shows its progress bar (short ones would only flicker).
PROGRESS_AFTER_MS = 600
_PHASES = {"push": "Sending changes", "pull": "Receiving changes", "files": "Downloading files"}


def changes_waiting(count: int) -> str:
    if count == 0:
        return "No changes waiting"
    return f"{count} change{'s' if count != 1 else ''} waiting"


def synced_ago(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``Synced 2 min ago``: how old the newest successful sync is, in words."""
    if when is None:
        return "Not synced yet"
    seconds = ((now or dt.datetime.now(dt.UTC)) - when).total_seconds()
    if seconds < 60:
        return "Synced just now"
    if seconds < 3600:
        return f"Synced {int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"Synced {int(seconds // 3600)} h ago"
    return f"Synced on {when.astimezone():%d %b %H:%M}"


class SyncStatus(QWidget):
    """Labels and a progress bar the sync controller keeps up to date."""

    #: The user pressed "Sign in again".
    sign_in_was_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sync status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        self.connection = self._label("Connection", "Not signed in")
        self.waiting = self._label("Changes waiting", "")
        self.last_sync = self._label("Last sync", synced_ago(None))
        self.error = self._label("Sync problem", "")
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()
        self.sign_in_button = QPushButton("Sign in again")
        self.sign_in_button.setAccessibleName("Sign in again")
        self.sign_in_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.sign_in_button.clicked.connect(self.sign_in_was_requested)
        self.sign_in_button.hide()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Sync progress")
        self.progress.setMinimumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        for widget in (self.error, self.sign_in_button, self.progress):
            layout.addWidget(widget)
        for widget in (self.connection, self.waiting, self.last_sync):
            layout.addWidget(widget)
        self._last: dt.datetime | None = None
        self._syncing = False
        self._show_progress = QTimer(self)
        self._show_progress.setSingleShot(True)
        self._show_progress.setInterval(PROGRESS_AFTER_MS)
        self._show_progress.timeout.connect(self.progress.show)
        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self._refresh_age)
        self._tick.start()

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        return label

    # -- what the controller tells it ------------------------------------------------------

    def set_connection(self, text: str) -> None:
        self.connection.setText(text)

    def set_waiting(self, count: int) -> None:
        self.waiting.setText(changes_waiting(count))

    def set_last_synced(self, when: dt.datetime | None) -> None:
        self._last = when
        self._refresh_age()

    def show_error(self, sentence: str, *, sign_in: bool = False) -> None:
        metrics = self.error.fontMetrics()
        self.error.setText(
            metrics.elidedText(sentence, Qt.TextElideMode.ElideRight, ERROR_WIDTH_PX)
        )
        self.error.setToolTip(sentence)
        self.error.setAccessibleDescription(sentence)
        self.error.show()
        self.sign_in_button.setVisible(sign_in)

    @property
    def error_sentence(self) -> str:
        """The whole sentence shown (perhaps shortened) in the status bar."""
        return self.error.toolTip() if self.error.isVisible() else ""

    def clear_error(self) -> None:
        self.error.clear()
        self.error.setToolTip("")
        self.error.hide()
        self.sign_in_button.hide()

    def sync_started(self) -> None:
        self._syncing = True
        self.progress.setRange(0, 0)
        self.progress.setFormat("Syncing…")
        self._show_progress.start()

    def sync_progressed(self, phase: str, done: int, total: int) -> None:
        if not self._syncing:
            return
        total = max(total, done, 1)
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(f"{_PHASES.get(phase, phase)} {done}/{total}")

    def sync_ended(self) -> None:
        self._syncing = False
        self._show_progress.stop()
        self.progress.hide()

    def _refresh_age(self) -> None:
        self.last_sync.setText(synced_ago(self._last))
