"""The work-order board: one column per status, cards dragged between columns.

Dropping a card does not move it on screen: the board asks (by
:attr:`WorkBoard.card_was_dropped`) for the status to change, and shows the card in
its new column when the page re-reads the replica, so the board never shows a
status the replica does not hold. Dragging is hard on some tablets, so the page
also offers "Move to…" for the selected card (and on a long press or right click).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtCore import Signal as _Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store.work_board import WorkOrderCard
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from arxos_desktop.ui.work_order_model import (
    ID_ROLE,
    STATUSES,
    card_summary,
    due_label,
    priority_label,
    status_label,
)

#: What a dragged card carries: the work order's id (UTF-8).
CARD_MIME: Final = "application/x-arxos-work-order"
CARD_ROLE: Final = Qt.ItemDataRole.UserRole + 2
#: A card is at least two fingers high, whatever the font.
CARD_MIN_HEIGHT_PX: Final = 2 * TOUCH_TARGET_PX
_MARGIN = 4
_PAD = 8
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class CardDelegate(QStyledItemDelegate):
    """Paints a card from palette roles only, so it reads in the light and dark palettes:
    the title on up to two lines, then priority and due date, then assignee and equipment."""

    def sizeHint(  # noqa: N802 (Qt's name)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = option.fontMetrics.height()
        height = max(4 * line + 2 * (_PAD + _MARGIN) + 6, CARD_MIN_HEIGHT_PX)
        return QSize(option.rect.width(), height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card = index.data(CARD_ROLE)
        if not isinstance(card, WorkOrderCard):
            return
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect: QRect = option.rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        border = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Mid
        pen = painter.pen()
        pen.setColor(palette.color(border))
        pen.setWidth(3 if selected else 1)
        painter.setPen(pen)
        painter.drawRoundedRect(rect, 6, 6)
        if card.priority in ("high", "urgent"):
            strip = QRect(rect.left() + 1, rect.top() + 6, 4, rect.height() - 12)
            painter.fillRect(strip, palette.color(QPalette.ColorRole.Highlight))
        left, top = rect.left() + _PAD + 4, rect.top() + _PAD
        width = rect.width() - 2 * _PAD - 4
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        metrics = painter.fontMetrics()
        line = metrics.height()
        for text in wrapped(card.title, metrics, width, lines=2):
            painter.drawText(QRect(left, top, width, line), _LEFT, text)
            top += line
        painter.setFont(option.font)
        metrics = painter.fontMetrics()
        top = rect.bottom() - _PAD - 2 * line
        for text in _details(card):
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QRect(left, top, width, line), _LEFT, elided)
            top += line
        painter.restore()


def wrapped(text: str, metrics: QFontMetrics, width: int, *, lines: int) -> list[str]:
    """*text* broken at spaces into at most *lines* lines of *width*; the last elided."""
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines - 1:
        current = words.pop(0)
        while words and metrics.horizontalAdvance(f"{current} {words[0]}") <= width:
            current = f"{current} {words.pop(0)}"
        if metrics.horizontalAdvance(current) > width:
            current = metrics.elidedText(current, Qt.TextElideMode.ElideRight, width)
        out.append(current)
    if words:
        out.append(metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width))
    return out


def _details(card: WorkOrderCard) -> tuple[str, str]:
    first = priority_label(card.priority) + (f" · due {due_label(card.due)}" if card.due else "")
    who = card.assignee or "Unassigned"
    return first, who + (f" · {card.equipment_tag}" if card.equipment_tag else "")


class BoardColumn(QListWidget):
    """One status's cards; a drop of a card from another column asks for this status."""

    card_was_dropped = _Signal(str, str)
    #: Left or Right was pressed: -1 or +1, the neighbouring column should take focus.
    neighbour_was_requested = _Signal(int)

    def __init__(self, status: str) -> None:
        super().__init__()
        self.status = status
        self.setObjectName(f"board-{status}")
        self.setAccessibleName(f"{status_label(status)} work orders")
        self.setItemDelegate(CardDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)

    def set_cards(self, cards: Sequence[WorkOrderCard]) -> None:
        self.clear()
        for card in cards:
            item = QListWidgetItem()
            item.setData(CARD_ROLE, card)
            item.setData(ID_ROLE, card.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, card_summary(card))
            item.setToolTip(card_summary(card))
            self.addItem(item)

    def item_of(self, work_order_id: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item is not None and item.data(ID_ROLE) == work_order_id:
                return item
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: +1}
        if event.key() in steps and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.neighbour_was_requested.emit(steps[Qt.Key(event.key())])
            event.accept()
            return
        super().keyPressEvent(event)

    # -- drag and drop (Qt's names) ----------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [CARD_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:  # noqa: N802
        data = QMimeData()
        if items:
            data.setData(CARD_MIME, str(items[0].data(ID_ROLE)).encode())
        return data

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self._accept_cards(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        self._accept_cards(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Ask for the status change; the card itself moves when the page re-reads."""
        if not event.mimeData().hasFormat(CARD_MIME):
            event.ignore()
            return
        work_order_id = bytes(event.mimeData().data(CARD_MIME).data()).decode()
        # Copy, never Move: a Move would make the source column delete its item.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if self.item_of(work_order_id) is None:
            self.card_was_dropped.emit(work_order_id, self.status)

    @staticmethod
    def _accept_cards(event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CARD_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()


class WorkBoard(QWidget):
    """Columns side by side filling the width, one per status, with their counts."""

    card_was_selected = _Signal(str)
    card_was_activated = _Signal(str)
    card_was_dropped = _Signal(str, str)
    #: A card was long-pressed or right-clicked: (id, where, in board coordinates).
    card_menu_was_requested = _Signal(str, QPoint)

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Work order board")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.columns: dict[str, BoardColumn] = {}
        self._headers: dict[str, QLabel] = {}
        for status in STATUSES:
            column = BoardColumn(status)
            header = QLabel(status_label(status))
            header.setAccessibleName(f"{status_label(status)} column")
            header.setMinimumHeight(TOUCH_TARGET_PX - 8)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(header)
            box.addWidget(column, 1)
            layout.addLayout(box, 1)
            column.itemSelectionChanged.connect(lambda c=column: self._on_selection(c))
            column.itemActivated.connect(
                lambda item: self.card_was_activated.emit(str(item.data(ID_ROLE)))
            )
            column.card_was_dropped.connect(self.card_was_dropped)
            column.neighbour_was_requested.connect(
                lambda step, c=column: self._focus_neighbour(c, step)
            )
            column.customContextMenuRequested.connect(lambda pos, c=column: self._on_menu(c, pos))
            self.columns[status] = column
            self._headers[status] = header

    def set_cards(self, cards: Sequence[WorkOrderCard], selected: str | None) -> None:
        for status, column in self.columns.items():
            mine = [c for c in cards if c.status == status]
            column.blockSignals(True)
            column.set_cards(mine)
            column.blockSignals(False)
            self._headers[status].setText(f"{status_label(status)} ({len(mine)})")
        self.select(selected)

    def select(self, work_order_id: str | None) -> None:
        for column in self.columns.values():
            item = column.item_of(work_order_id) if work_order_id else None
            column.blockSignals(True)
            if item is None:
                column.clearSelection()
                column.setCurrentRow(-1)
            else:
                column.setCurrentItem(item)
                column.scrollToItem(item)
            column.blockSignals(False)

    def column_of(self, work_order_id: str) -> BoardColumn | None:
        for column in self.columns.values():
            if column.item_of(work_order_id) is not None:
                return column
        return None

    def _on_selection(self, column: BoardColumn) -> None:
        items = column.selectedItems()
        if not items:
            return
        work_order_id = str(items[0].data(ID_ROLE))
        for other in self.columns.values():
            if other is not column:
                other.blockSignals(True)
                other.clearSelection()
                other.setCurrentRow(-1)
                other.blockSignals(False)
        self.card_was_selected.emit(work_order_id)

    def _focus_neighbour(self, column: BoardColumn, step: int) -> None:
        """Arrow keys walk across columns (skipping empty ones) at about the same row."""
        order = list(self.columns.values())
        at = order.index(column) + step
        while 0 <= at < len(order) and order[at].count() == 0:
            at += step
        if not 0 <= at < len(order):
            return
        target = order[at]
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        target.setCurrentRow(min(max(column.currentRow(), 0), target.count() - 1))

    def _on_menu(self, column: BoardColumn, pos: QPoint) -> None:
        item = column.itemAt(pos)
        if item is None:
            return
        column.setCurrentItem(item)
        where = column.viewport().mapTo(self, pos)
        self.card_menu_was_requested.emit(str(item.data(ID_ROLE)), where)
