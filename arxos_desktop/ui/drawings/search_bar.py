"""Find text on a drawing: a field, previous/next buttons and "3 of 12"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from arxos_desktop.pdf.text_search import SearchHit
from arxos_desktop.ui.theme import TOUCH_TARGET_PX


class SearchBar(QWidget):
    """Holds the hits of the last search and which one is current."""

    #: The user asked to search for this text (already trimmed, not empty).
    search_was_requested = Signal(str)
    #: The current hit changed (the viewer shows it).
    hit_was_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []
        self.current = -1
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find on this drawing (tag, room number…)")
        self.field.setAccessibleName("Find on drawing")
        self.field.setClearButtonEnabled(True)
        self.field.returnPressed.connect(self._search)
        self.previous_button = _button("Previous", "Previous match")
        self.next_button = _button("Next", "Next match")
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.count = QLabel("")
        self.count.setAccessibleName("Matches")
        self.count.setMinimumWidth(140)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.count)
        self._enable()

    def focus(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def show_hits(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        self.current = 0 if hits else -1
        self._update()

    def say(self, sentence: str) -> None:
        """A short answer where the count goes ("Searching…", why a search was refused)."""
        self.count.setText(sentence)

    def clear(self) -> None:
        self.hits = []
        self.current = -1
        self.field.clear()
        self.count.setText("")
        self._enable()

    def next(self) -> None:
        if self.hits:
            self.current = (self.current + 1) % len(self.hits)
            self._update()

    def previous(self) -> None:
        if self.hits:
            self.current = (self.current - 1) % len(self.hits)
            self._update()

    def _search(self) -> None:
        text = " ".join(self.field.text().split())
        if not text:
            self.say("Type the text to find.")
            return
        self.say("Searching…")
        self.search_was_requested.emit(text)

    def _update(self) -> None:
        self._enable()
        if not self.hits:
            self.count.setText("Not on this drawing")
            return
        self.count.setText(f"{self.current + 1} of {len(self.hits)}")
        self.hit_was_chosen.emit(self.hits[self.current])

    def _enable(self) -> None:
        several = len(self.hits) > 1
        self.previous_button.setEnabled(several)
        self.next_button.setEnabled(several)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setMinimumHeight(TOUCH_TARGET_PX)
    return button
