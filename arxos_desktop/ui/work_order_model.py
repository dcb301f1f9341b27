"""Work orders as table rows, and the words the list, the board and the dialog share.

The store hands out wire values (``in_progress``, ``2026-12-01``); everything a
technician reads goes through :func:`status_label`, :func:`priority_label` and
:func:`due_label` so the list, the cards and the dialog say the same thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from arxos_desktop.store.work_board import WorkOrderCard
from sync.schema import Priority, WorkOrderStatus

#: Board columns, left to right: the schema's statuses in the order work moves.
STATUSES: Final = tuple(s.value for s in WorkOrderStatus)
PRIORITIES: Final = tuple(p.value for p in Priority)
#: Role with the value a column sorts by (priority by urgency, undated last).
SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
ID_ROLE: Final = Qt.ItemDataRole.UserRole

_Index = QModelIndex | QPersistentModelIndex


def status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()


def priority_label(priority: str) -> str:
    return priority.capitalize()


def due_label(due: str | None) -> str:
    """``1 Dec 2026``, or ``""`` for no due date."""
    if not due:
        return ""
    day = dt.date.fromisoformat(due)
    return f"{day.day} {day:%b %Y}"


def short_ref(work_order_id: str) -> str:
    """The id's last 8 characters, as ``arx workorder`` prints and accepts them."""
    return work_order_id[-8:]


def card_summary(card: WorkOrderCard) -> str:
    """One sentence for screen readers: what a card or a row shows."""
    parts = [
        card.title,
        f"{status_label(card.status)}",
        f"{priority_label(card.priority)} priority",
    ]
    if card.due:
        parts.append(f"due {due_label(card.due)}")
    if card.assignee:
        parts.append(f"assigned to {card.assignee}")
    if card.equipment_tag:
        parts.append(f"for {card.equipment_tag}")
    return ", ".join(parts)


class WorkOrderTableModel(QAbstractTableModel):
    """The building's work orders as rows (ref, title, status, priority, assignee, due,
    equipment); replaced whole on every re-read, since a building has hundreds, not millions."""

    HEADERS: Final = ("Ref", "Title", "Status", "Priority", "Assignee", "Due", "Equipment")

    def __init__(self) -> None:
        super().__init__()
        self._cards: list[WorkOrderCard] = []

    def set_cards(self, cards: list[WorkOrderCard]) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self.endResetModel()

    def cards(self) -> list[WorkOrderCard]:
        return list(self._cards)

    def card(self, row: int) -> WorkOrderCard:
        return self._cards[row]

    def row_of(self, work_order_id: str) -> int | None:
        for row, card in enumerate(self._cards):
            if card.id == work_order_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's API)
        return 0 if parent.isValid() else len(self._cards)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's API)
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802 (Qt's name)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        card = self._cards[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(card, column)
        if role == SORT_ROLE:
            return self._sort_key(card, column)
        if role == ID_ROLE:
            return card.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return card_summary(card) if column == 1 else self._display(card, column)
        return None

    @staticmethod
    def _display(card: WorkOrderCard, column: int) -> str:
        values = (
            short_ref(card.id),
            card.title,
            status_label(card.status),
            priority_label(card.priority),
            card.assignee,
            due_label(card.due),
            card.equipment_tag,
        )
        return values[column]

    @staticmethod
    def _sort_key(card: WorkOrderCard, column: int) -> Any:
        if column == 2:
            return STATUSES.index(card.status) if card.status in STATUSES else len(STATUSES)
        if column == 3:
            return PRIORITIES.index(card.priority) if card.priority in PRIORITIES else -1
        if column == 5:
            return card.due or "9999-12-31"
        return WorkOrderTableModel._display(card, column).casefold()
