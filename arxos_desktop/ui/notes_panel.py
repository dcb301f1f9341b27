"""Notes on one equipment, room or work order: read them newest first, add one.

Reusable: the work-order page, the equipment detail and the room view each hold
one and point it at their record with :meth:`NotesPanel.show_target`. A note that
the store refuses stays in the box with the reason under it, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.note_feed import NoteEntry, note_feed
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: The panel's entity names → the schema's note target kinds (search says "workorder").
TARGET_KINDS: Final = {
    "equipment": "equipment",
    "room": "room",
    "work_order": "workorder",
    "workorder": "workorder",
}


def note_byline(entry: NoteEntry) -> str:
    """``this device · 30 Nov 2026 14:05`` (local time), ``dictated`` when it was."""
    who = "this device" if entry.by_this_device else f"device {entry.device[:12]}"
    when = entry.written_at.astimezone()
    parts = [who, f"{when.day} {when:%b %Y %H:%M}"]
    if entry.source != "typed":
        parts.append(entry.source)
    return " · ".join(parts)


class NotesPanel(QWidget):
    """The notes on the record it is pointed at, and a box to add one (Ctrl+Enter)."""

    #: A note was saved in the replica: its id.
    note_did_add = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.entity: str | None = None
        self.target_id: str | None = None
        self._generation = 0
        self._adding = False
        self.setAccessibleName("Notes")
        self.heading = QLabel("Notes")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAccessibleName("Notes heading")
        self.notes = QListWidget()
        self.notes.setAccessibleName("Notes, newest first")
        self.notes.setWordWrap(True)
        self.notes.setAlternatingRowColors(True)
        self.notes.setSpacing(2)
        self.notes.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.notes.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.box = QPlainTextEdit()
        self.box.setAccessibleName("New note")
        self.box.setPlaceholderText("Add a note… (Ctrl+Enter adds it)")
        self.box.setTabChangesFocus(True)
        self.box.setFixedHeight(3 * TOUCH_TARGET_PX)
        self.add_button = QPushButton("Add note")
        self.add_button.setAccessibleName("Add note")
        self.add_button.setToolTip("Add the note (Ctrl+Enter)")
        self.add_button.clicked.connect(self.add_note)
        self.error = QLabel()
        self.error.setAccessibleName("Note error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.box.installEventFilter(self)
        row = QHBoxLayout()
        row.addWidget(self.error, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.box)
        layout.addLayout(row)
        state.data_did_change.connect(self.reload)
        self._set_enabled()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Ctrl+Enter in the box adds the note (Enter alone starts a new line)."""
        if (
            watched is self.box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.add_note()
            return True
        return super().eventFilter(watched, event)

    def show_target(self, entity: str, target_id: str | None) -> None:
        """Show the notes on *target_id*, an ``equipment``, ``room`` or ``work_order``
        (``None``: nothing chosen, the panel is empty and adding is off)."""
        if entity not in TARGET_KINDS:
            raise ValueError(f"notes are kept on {', '.join(TARGET_KINDS)}, not on {entity!r}")
        if (entity, target_id) == (self.entity, self.target_id):
            return  # already shown; edits and pulls re-read through data_did_change
        self.entity, self.target_id = entity, target_id
        self.notes.clear()
        self.error.hide()
        self._set_enabled()
        self.reload()

    def reload(self) -> None:
        """Re-read the notes (after any edit or pull); answers to older reads are dropped."""
        self._generation += 1
        generation, target_id = self._generation, self.target_id
        if target_id is None:
            self._show([])
            return
        self.state.ops.run(
            lambda replica: note_feed(replica, target_id),
            success=lambda entries: self._shown_if_current(generation, entries),
            owner=self,
        )

    def add_note(self) -> None:
        text = self.box.toPlainText().strip()
        entity, target_id = self.entity, self.target_id
        if entity is None or target_id is None or self._adding:
            return  # nothing to add to, or Ctrl+Enter pressed again while it saves
        if not text:
            self._show_error("Type the note first.")
            return
        self._adding = True
        self.add_button.setEnabled(False)
        kind = TARGET_KINDS[entity]

        def job(replica: Replica) -> str:
            from arxos_desktop.store.notes import add_note

            return add_note(replica, target_kind=kind, target_id=target_id, text=text).id

        self.state.ops.run(
            job,
            success=lambda note_id: self._added(text, note_id),
            failure=self._refused,
            writes=True,
            owner=self,
        )

    def _added(self, text: str, note_id: str) -> None:
        self._adding = False
        self._set_enabled()
        if self.box.toPlainText().strip() == text:  # not if the user typed on meanwhile
            self.box.clear()
        self.error.hide()
        self.state.post("Note added.")
        self.note_did_add.emit(note_id)

    def _refused(self, error: Exception) -> None:
        self._adding = False
        self._set_enabled()
        self._show_error(plain_words(error))

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _set_enabled(self) -> None:
        on = self.target_id is not None
        self.box.setEnabled(on)
        self.add_button.setEnabled(on and not self._adding)
        if not on:
            self.heading.setText("Notes")
            self.box.setPlaceholderText("Choose a record to see and add its notes")
        else:
            self.box.setPlaceholderText("Add a note… (Ctrl+Enter adds it)")

    def _shown_if_current(self, generation: int, entries: list[NoteEntry]) -> None:
        if generation == self._generation:
            self._show(entries)

    def _show(self, entries: list[NoteEntry]) -> None:
        self.notes.clear()
        for entry in entries:
            item = QListWidgetItem(f"{entry.text}\n— {note_byline(entry)}")
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{entry.text}, by {note_byline(entry)}"
            )
            self.notes.addItem(item)
        if self.target_id is not None:
            self.heading.setText(f"Notes ({len(entries)})" if entries else "Notes (none yet)")
