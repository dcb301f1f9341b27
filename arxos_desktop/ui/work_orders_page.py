"""The "Work orders" tab: the building's work orders as a list or a board, and their notes.

The page reads every work order of the building again after each edit and each
pull (:attr:`AppState.data_did_change`); the selection is kept by id, so it
survives re-reads and switching between the list and the board.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QPoint, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.work_board import WorkOrderCard, work_order_cards
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.record_side import RecordSide
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from arxos_desktop.ui.work_board import WorkBoard
from arxos_desktop.ui.work_order_dialog import WorkOrderDialog
from arxos_desktop.ui.work_order_model import (
    ID_ROLE,
    SORT_ROLE,
    STATUSES,
    WorkOrderTableModel,
    status_label,
)


class WorkOrdersPage(QWidget):
    """List or board of the open building's work orders, with the selected one's notes."""

    #: The record kinds this page shows (the search names work orders ``workorder``).
    ENTITIES: Final = ("work_order", "workorder")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setAccessibleName("Work orders")
        self.selected_id: str | None = None
        self._cards: dict[str, WorkOrderCard] = {}
        self._generation = 0
        self._page_actions: list[QAction] = []
        self.dialog: WorkOrderDialog | None = None

        self.new_button = self._button("New work order", "Create a work order (Ctrl+N)")
        self.edit_button = self._button("Edit…", "Edit the selected work order (Ctrl+E)")
        self.move_button = QToolButton()
        self.move_button.setText("Move to…")
        self.move_button.setAccessibleName("Move to status")
        self.move_button.setToolTip("Move the selected work order to another status (Ctrl+M)")
        self.move_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.move_menu = QMenu(self.move_button)
        self.move_menu.setAccessibleName("Statuses")
        # Menus are outside the theme's touch sizes; this one is used with a finger on the board.
        self.move_menu.setStyleSheet(
            f"QMenu::item {{ min-height: {TOUCH_TARGET_PX - 8}px; padding: 4px 28px 4px 16px; }}"
        )
        self.move_actions: dict[str, QAction] = {}
        for status in STATUSES:
            action = self.move_menu.addAction(status_label(status))
            action.triggered.connect(lambda _c=False, s=status: self.move_selected(s))
            self.move_actions[status] = action
        self.move_button.setMenu(self.move_menu)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Work order count")
        self.list_button = self._button("List", "Show work orders as a list (Ctrl+B toggles)")
        self.board_button = self._button("Board", "Show work orders as a board (Ctrl+B toggles)")
        for button in (self.list_button, self.board_button):
            button.setCheckable(True)
        bar = QHBoxLayout()
        for widget in (self.new_button, self.edit_button, self.move_button):
            bar.addWidget(widget)
        bar.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignCenter)
        bar.addWidget(self.list_button)
        bar.addWidget(self.board_button)

        self.model = WorkOrderTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setAccessibleName("Work order list")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.board = WorkBoard()
        self.views = QStackedWidget()
        self.views.addWidget(self.table)
        self.views.addWidget(self.board)
        self.views.setCurrentWidget(self.board)

        self.side = RecordSide(state)
        self.notes = self.side.notes
        self.detail = QLabel()
        self.detail.setAccessibleName("Selected work order")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(self.detail)
        side_layout.addWidget(self.side, 1)
        splitter = QSplitter()
        splitter.addWidget(self.views)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([960, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.new_button.clicked.connect(self.new_work_order)
        self.edit_button.clicked.connect(self.edit_selected)
        self.list_button.clicked.connect(lambda: self.show_board(False))
        self.board_button.clicked.connect(lambda: self.show_board(True))
        self.table.selectionModel().selectionChanged.connect(self._table_selected)
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.board.card_was_selected.connect(self.select)
        self.board.card_was_activated.connect(lambda _id: self.edit_selected())
        self.board.card_was_dropped.connect(self.change_status)
        self.board.card_menu_was_requested.connect(self._card_menu)
        state.data_did_change.connect(self.reload)
        state.building_did_change.connect(lambda _id: self.reload())
        state.record_was_requested.connect(self._record_requested)
        self.show_board(True)
        self._show_selection()
        self.reload()

    def install_actions(self, window: MainWindow) -> None:
        """Shortcuts in the window's menus, live only while this page is on screen
        (so other pages may use the same keys for their own "new")."""
        for menu, text, keys, slot in (
            (window.file_menu, "New work order…", "Ctrl+N", self.new_work_order),
            (window.edit_menu, "Edit work order…", "Ctrl+E", self.edit_selected),
            (window.edit_menu, "Move work order to…", "Ctrl+M", self.show_move_menu),
            (None, "Work orders as list or board", "Ctrl+B", self.toggle_view),
        ):
            action = window.add_action(menu, text, keys, slot)
            action.setEnabled(self.isVisible())
            self._page_actions.append(action)

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        generation, building_id = self._generation, self.state.building_id
        if building_id is None:
            self._show_cards([])
            return
        self.state.ops.run(
            lambda replica: work_order_cards(replica, building_id),
            success=lambda cards: self._show_if_current(generation, cards),
            owner=self,
        )

    def _show_if_current(self, generation: int, cards: list[WorkOrderCard]) -> None:
        if generation == self._generation:
            self._show_cards(cards)

    def _show_cards(self, cards: list[WorkOrderCard]) -> None:
        self._cards = {c.id: c for c in cards}
        if self.selected_id not in self._cards:
            self.selected_id = None
        self.model.set_cards(cards)
        self.board.set_cards(cards, self.selected_id)
        self._select_in_table(self.selected_id)
        self.count_label.setText(
            f"{len(cards)} work order{'' if len(cards) == 1 else 's'}"
            if cards
            else "No work orders yet"
        )
        self._show_selection()

    # -- selection -------------------------------------------------------------------

    def select(self, work_order_id: str | None) -> None:
        """Make *work_order_id* the selected work order in both views."""
        if work_order_id is not None and work_order_id not in self._cards:
            work_order_id = None
        if work_order_id == self.selected_id:
            return
        self.selected_id = work_order_id
        self.board.select(work_order_id)
        self._select_in_table(work_order_id)
        self._show_selection()

    def selected_card(self) -> WorkOrderCard | None:
        return self._cards.get(self.selected_id) if self.selected_id else None

    def _table_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.select(str(rows[0].data(ID_ROLE)))

    def _select_in_table(self, work_order_id: str | None) -> None:
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        row = self.model.row_of(work_order_id) if work_order_id else None
        if row is None:
            self.table.clearSelection()
        else:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.table.selectRow(index.row())
            self.table.scrollTo(index)
        selection.blockSignals(False)
        self.table.viewport().update()

    def _show_selection(self) -> None:
        card = self.selected_card()
        self.edit_button.setEnabled(card is not None)
        self.move_button.setEnabled(card is not None)
        for status, action in self.move_actions.items():
            action.setEnabled(card is not None and card.status != status)
        if card is None:
            self.detail.setText("Select a work order to see its notes.")
            self.side.show_record("work_order", None)
            return
        lines = [card.title, card.description.strip()]
        self.detail.setText("\n".join(line for line in lines if line))
        self.side.show_record("work_order", card.id, label=card.title)

    def _record_requested(self, entity: str, record_id: str) -> None:
        if entity not in self.ENTITIES:
            return
        if record_id in self._cards:
            self.select(record_id)
        else:  # not read yet (just created or pulled): select it once it is
            self.selected_id = record_id
            self.reload()

    # -- actions ---------------------------------------------------------------------

    def show_board(self, board: bool) -> None:
        self.views.setCurrentWidget(self.board if board else self.table)
        for button, shown in ((self.board_button, board), (self.list_button, not board)):
            button.setChecked(shown)
            font = button.font()
            font.setBold(shown)  # a checked button barely differs in the dark palette
            button.setFont(font)

    def toggle_view(self) -> None:
        self.show_board(self.views.currentWidget() is not self.board)

    def new_work_order(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        card = self.selected_card()
        if card is not None:
            self._open_dialog(card)

    def _open_dialog(self, card: WorkOrderCard | None) -> None:
        building_id = self.state.building_id
        if building_id is None:
            self.state.post("Open a building first: work orders belong to a building.")
            return
        dialog = WorkOrderDialog(self.state, building_id=building_id, card=card, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.work_order_did_save.connect(self._saved)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: WorkOrderDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _saved(self, work_order_id: str) -> None:
        self.selected_id = work_order_id
        self.reload()

    def show_move_menu(self) -> None:
        if self.selected_card() is not None:
            self.move_menu.popup(self.move_button.mapToGlobal(self.move_button.rect().bottomLeft()))

    def _card_menu(self, work_order_id: str, where: QPoint) -> None:
        self.select(work_order_id)
        self.move_menu.popup(self.board.mapToGlobal(where))

    def move_selected(self, status: str) -> None:
        if self.selected_id is not None:
            self.change_status(self.selected_id, status)

    def change_status(self, work_order_id: str, status: str) -> None:
        """Change a work order's status (a drop on the board, or "Move to…")."""
        card = self._cards.get(work_order_id)
        if card is None or card.status == status:
            return
        self.selected_id = work_order_id

        def job(replica: Replica) -> object:
            from arxos_desktop.store.workorders import update_work_order

            return update_work_order(replica, work_order_id, {"status": status})

        self.state.ops.run(
            job,
            success=lambda _changed: self.state.post(
                f"{card.title}: moved to {status_label(status)}."
            ),
            failure=lambda error: self.state.post(plain_words(error)),
            writes=True,
            owner=self,
        )

    # -- page visibility (Qt's names) --------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        for action in self._page_actions:
            action.setEnabled(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        for action in self._page_actions:
            action.setEnabled(False)
        super().hideEvent(event)

    @staticmethod
    def _button(text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        return button
