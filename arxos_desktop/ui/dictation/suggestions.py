"""The changes a dictated note suggests, one row each, with Apply and Dismiss.

Nothing here writes: Apply asks (:attr:`SuggestionList.apply_was_requested`) and the
panel writes through the store; the row then says it was applied. A technician who
ignores the list changes nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from arxos_desktop.voice.parse_update import Suggestion


class SuggestionRow(QFrame):
    def __init__(self, suggestion: Suggestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion = suggestion
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(suggestion.label)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(f"Suggested: {suggestion.label}")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setAccessibleName(f"Apply: {suggestion.label}")
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName(f"Dismiss: {suggestion.label}")
        for button in (self.apply_button, self.dismiss_button):
            button.setMinimumSize(2 * TOUCH_TARGET_PX, TOUCH_TARGET_PX)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.apply_button)
        row.addWidget(self.dismiss_button)

    def mark_applied(self) -> None:
        self.label.setText(f"{self.suggestion.label} — applied")
        self.apply_button.hide()
        self.dismiss_button.hide()

    def mark_busy(self, busy: bool) -> None:
        self.apply_button.setEnabled(not busy)
        self.dismiss_button.setEnabled(not busy)


class SuggestionList(QWidget):
    """Rows for the current note's suggestions; :meth:`show_suggestions` replaces them."""

    #: The technician confirmed one: the :class:`SuggestionRow` to apply.
    apply_was_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Suggested updates")
        self.heading = QLabel()
        self.heading.setAccessibleName("Suggested updates heading")
        self.heading.setWordWrap(True)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.heading)
        self._layout.addStretch(1)
        self.rows: list[SuggestionRow] = []
        self.show_suggestions(None, [])

    def show_suggestions(self, tag: str | None, found: list[Suggestion]) -> None:
        kept = {r.suggestion: r for r in self.rows if r.suggestion in found}
        for row in self.rows:
            if row.suggestion not in kept:
                row.deleteLater()
        self.rows = [kept.get(s) or self._new_row(s) for s in found]
        for index, row in enumerate(self.rows):
            self._layout.insertWidget(index + 1, row)
        if not found:
            self.heading.setText("No updates suggested by this note.")
        else:
            about = f" for {tag}" if tag else ""
            self.heading.setText(f"Suggested updates{about} — nothing changes until you apply:")

    def _new_row(self, suggestion: Suggestion) -> SuggestionRow:
        row = SuggestionRow(suggestion, self)
        row.apply_button.clicked.connect(lambda: self.apply_was_requested.emit(row))
        row.dismiss_button.clicked.connect(lambda: self._dismiss(row))
        return row

    def _dismiss(self, row: SuggestionRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        if not self.rows:
            self.heading.setText("No updates suggested by this note.")
