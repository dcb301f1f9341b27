"""The side panel of the selected markup: who made it and when, its words, its review
status, and delete. Changes go through the store like every markup edit, so they
sync and undo; a markup imported from another PDF program is shown but locked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import edit_annotation_text, set_review_status
from arxos_desktop.store.undo import Edit
from arxos_desktop.ui.drawings.markup.items import Shown
from arxos_desktop.ui.drawings.markup.layer import MarkupLayer
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.schema import ReviewStatus

NOTHING_SELECTED = "Tap a markup with the Select tool to see who made it and review it."


class MarkupPanel(QWidget):
    """Shows and edits :attr:`MarkupLayer.selected`."""

    def __init__(self, layer: MarkupLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setAccessibleName("Selected markup")
        self.setMinimumWidth(220)
        self.about = QLabel(NOTHING_SELECTED)
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.about.setAccessibleName("Markup author and date")
        self.text = QLineEdit()
        self.text.setPlaceholderText("Words on the markup")
        self.text.setAccessibleName("Markup text")
        self.text.setMinimumHeight(TOUCH_TARGET_PX)
        self.text.editingFinished.connect(self._text_finished)
        self.status = QComboBox()
        self.status.addItems([s.value for s in ReviewStatus])
        self.status.setAccessibleName("Review status")
        self.status.setMinimumHeight(TOUCH_TARGET_PX)
        self.status.activated.connect(self._status_chosen)
        self.delete = QPushButton("Delete markup")
        self.delete.setAccessibleName("Delete markup")
        self.delete.setToolTip("Delete the selected markup (Del)")
        self.delete.setMinimumHeight(TOUCH_TARGET_PX)
        self.delete.clicked.connect(lambda _c=False: layer.delete_selected())
        column = QVBoxLayout(self)
        column.addWidget(self.about)
        column.addWidget(QLabel("Text"))
        column.addWidget(self.text)
        column.addWidget(QLabel("Review status"))
        column.addWidget(self.status)
        column.addWidget(self.delete)
        column.addSpacing(TOUCH_TARGET_PX // 2)
        for caption, widget in layer.toolbar.choices():
            column.addWidget(QLabel(caption))
            column.addWidget(widget)
        column.addStretch(1)
        layer.selection_did_change.connect(self.show_markup)
        self.show_markup(None)

    def show_markup(self, shown: Shown | None) -> None:
        editable = shown is not None and not shown.read_only
        for widget in (self.text, self.status, self.delete):
            widget.setEnabled(editable)
        if shown is None:
            self.about.setText(NOTHING_SELECTED)
            self.text.clear()
            return
        lock = (
            "\nImported from another PDF program: shown, not editable." if shown.read_only else ""
        )
        self.about.setText(shown.describe() + lock)
        self.text.setText(str(shown.record.text or ""))
        self.text.setCursorPosition(0)  # the start of long words shows, not their end
        self.status.setCurrentText(str(shown.record.review_status))

    def _text_finished(self) -> None:
        shown, text = self.layer.selected, self.text.text()
        if shown is None or text == (shown.record.text or ""):
            return

        def job(replica: Replica) -> Edit | None:
            return edit_annotation_text(replica, shown.id, text)

        self.layer.save(job)

    def _status_chosen(self, _index: int) -> None:
        shown, status = self.layer.selected, self.status.currentText()
        if shown is None or status == shown.record.review_status:
            return

        def job(replica: Replica) -> Edit | None:
            return set_review_status(replica, shown.id, status)

        self.layer.save(job)
