"""What feeds a piece of equipment and what it feeds, each entry a way to walk there.

A technician tracing a fault follows the chain upstream ("Fed by") and
downstream ("Feeds"); a tap (or Enter) on an entry asks the app to show that
record, so the chain can be walked both ways without searching.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from arxos_desktop.store.equipment_view import Link
from arxos_desktop.ui.theme import TOUCH_TARGET_PX


class ConnectionList(QWidget):
    """One direction of connections; :attr:`record_was_chosen` (entity, id) on tap or Enter."""

    record_was_chosen = Signal(str, str)

    def __init__(self, title: str, empty: str) -> None:
        super().__init__()
        self._empty = empty
        self.title = QLabel(f"<b>{title}</b>")
        self.list = QListWidget()
        self.list.setAccessibleName(title)
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.title.setBuddy(self.list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self.list.itemClicked.connect(self._choose)
        self.list.itemActivated.connect(self._choose)

    def show_links(self, links: list[Link]) -> None:
        self.list.clear()
        for link in links:
            text = f"{link.label} · {link.kind}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (link.other_kind, link.other_id))
            item.setSizeHint(item.sizeHint().expandedTo(self._row_size()))
            item.setToolTip(text)
            self.list.addItem(item)
        if not links:
            placeholder = QListWidgetItem(self._empty)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            placeholder.setSizeHint(self._row_size())
            self.list.addItem(placeholder)
        rows = max(len(links), 1)
        self.list.setFixedHeight(min(rows, 4) * TOUCH_TARGET_PX + 2 * self.list.frameWidth())

    def entries(self) -> list[str]:
        """The texts shown, placeholder included (what a user reads)."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _row_size(self) -> QSize:
        return QSize(0, TOUCH_TARGET_PX)

    def _choose(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if target:
            kind, record_id = target
            self.record_was_chosen.emit(kind, record_id)
