"""The Equipment page: navigator | filters and the equipment table | the detail panel.

The page owns the table's query: the navigator's node, the filter bar and the
header's sort together make one :class:`EquipmentQuery`. Requests to show a
record (from search, links, conflicts) arrive as ``state.record_was_requested``
and land on a visible, selected row or navigator node.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store.equipment_table import (
    EquipmentQuery,
    FilterChoices,
    filter_choices,
    reveal,
)
from arxos_desktop.store.records import read_row
from arxos_desktop.ui.equipment_filters import EquipmentFilters
from arxos_desktop.ui.equipment_model import COLUMNS, ID_ROLE, EquipmentTableModel
from arxos_desktop.ui.equipment_navigator import LocationNavigator
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: Starting widths of the table's columns (the name column takes what is left).
_WIDTHS = {"tag": 80, "system": 85, "type": 110, "status": 110, "floor": 85, "room": 115}


class EquipmentPage(QWidget):
    """Browse a building's equipment by location, filter and order; select one to see it."""

    #: The user selected a piece of equipment (its id).
    equipment_was_selected = Signal(str)
    #: The filter boxes were refilled from the data (tests wait on it).
    choices_did_load = Signal()

    def __init__(
        self, state: AppState, detail: QWidget | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("equipmentPage")
        self._state = state
        self._room_id: str | None = None
        self._scroll_to_kept = False
        self._keep_scroll: int | None = None
        self.navigator = LocationNavigator(state)
        self.filters = EquipmentFilters()
        self.model = EquipmentTableModel(state.ops, self)
        self.table = self._make_table()
        self.summary = QLabel()
        self.summary.setAccessibleName("Equipment shown")
        self.detail = detail

        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filters)
        column.addWidget(self.table, 1)
        column.addWidget(self.summary)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(centre)
        sizes = [270, 1000]
        if detail is not None:
            self.splitter.addWidget(detail)
            sizes = [190, 680, 410]
        self.splitter.setSizes(sizes)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        self.filters.filters_did_change.connect(self._filters_changed)
        self.navigator.location_was_chosen.connect(self._location_chosen)
        self.model.rows_did_reload.connect(self._rows_reloaded)
        self.model.rows_did_fetch.connect(self._show_summary)
        self.model.loading_did_change.connect(lambda _loading: self._show_summary())
        self.model.load_did_fail.connect(state.post)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        state.building_did_change.connect(self._building_changed)
        state.data_did_change.connect(self._data_changed)
        state.record_was_requested.connect(self._record_requested)
        if state.building_id is not None:
            self._building_changed(state.building_id)
        self._show_summary()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("equipmentTable")  # bench/startup_bench.py waits for its rows
        table.setAccessibleName("Equipment")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(TOUCH_TARGET_PX)
        header = table.horizontalHeader()
        header.setMinimumHeight(TOUCH_TARGET_PX)
        header.setHighlightSections(False)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        for number, (key, _title) in enumerate(COLUMNS):
            if key == "name":
                header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
            else:
                table.setColumnWidth(number, _WIDTHS[key])
            if key == "type":  # shown in the detail panel; the table's width goes to the name
                table.setColumnHidden(number, True)
        table.setSortingEnabled(True)
        return table

    def add_actions(self, window: MainWindow) -> None:
        """The page's shortcuts, in the window's menus (they bring the page forward)."""

        def filter_now() -> None:
            window.pages.setCurrentWidget(self)
            self.focus_filter()

        def clear_now() -> None:
            window.pages.setCurrentWidget(self)
            self.clear_filters()

        window.add_action(window.edit_menu, "Filter equipment", "Ctrl+F", filter_now)
        window.add_action(window.edit_menu, "Clear equipment filters", "Ctrl+Shift+F", clear_now)

    def focus_filter(self) -> None:
        self.filters.text.setFocus()
        self.filters.text.selectAll()

    def clear_filters(self) -> None:
        self._room_id = None
        if self._state.building_id is not None:
            self.navigator.select("building", self._state.building_id, announce=False)
        self.filters.clear()

    # -- the query ---------------------------------------------------------------

    def _query(self) -> EquipmentQuery | None:
        building_id = self._state.building_id
        if building_id is None:
            return None
        current = self.model.query
        same = current is not None and current.building_id == building_id
        return EquipmentQuery(
            building_id,
            system=self.filters.system_value,
            status=self.filters.status_value,
            floor_id=self.filters.floor_value,
            room_id=self._room_id,
            text=self.filters.text_value,
            sort=current.sort if same and current else "tag",
            descending=bool(same and current and current.descending),
        )

    def _apply(self) -> None:
        """Show the query the controls now say; the selected row is kept and scrolled to."""
        self._scroll_to_kept = True
        self.model.set_query(self._query())

    def _filters_changed(self) -> None:
        floor = self.filters.floor_value
        tree = self.navigator.tree
        room_floor = tree.floor_of_room(self._room_id) if tree and self._room_id else None
        if room_floor is None or room_floor.id != floor:
            self._room_id = None
        building_id = self._state.building_id
        if self._room_id is None and building_id is not None:
            kind, node = ("floor", floor) if floor else ("building", building_id)
            if self.navigator.chosen != (kind, node):
                self.navigator.select(kind, node, announce=False)
        self._apply()

    def _location_chosen(self, kind: str, node_id: str) -> None:
        tree = self.navigator.tree
        if kind == "room":
            floor = tree.floor_of_room(node_id) if tree else None
            self._room_id = node_id
            self.filters.set_floor(floor.id if floor else None)
        else:
            self._room_id = None
            self.filters.set_floor(node_id if kind == "floor" else None)
        self._apply()

    # -- selection ---------------------------------------------------------------

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        equipment_id = current.data(ID_ROLE)
        if isinstance(equipment_id, str) and equipment_id != self.model.current_id:
            self.model.current_id = equipment_id
            self.equipment_was_selected.emit(equipment_id)

    def _rows_reloaded(self, kept: int) -> None:
        scroll = self.table.verticalScrollBar()
        selection = self.table.selectionModel()
        if kept >= 0:
            index = self.model.index(kept, 0)
            selection.setCurrentIndex(
                index,
                selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows,
            )
        if self._keep_scroll is not None:
            scroll.setValue(self._keep_scroll)
        elif kept >= 0 and self._scroll_to_kept:
            self.table.scrollTo(
                self.model.index(kept, 0), QAbstractItemView.ScrollHint.PositionAtCenter
            )
        self._keep_scroll = None
        self._scroll_to_kept = False
        self._show_summary()

    def _show_summary(self) -> None:
        model, tree = self.model, self.navigator.tree
        if model.query is None:
            text = "No building open."
        elif model.loading and model.rowCount() == 0:
            text = "Reading equipment…"
        else:
            everything = tree.equipment if tree else model.total
            text = f"{model.total:,} equipment"
            if model.total != everything:
                text = f"{model.total:,} of {everything:,} equipment"
            if model.loading:
                text += " · reading…"
        self.summary.setText(text)

    # -- what the app tells the page ---------------------------------------------

    def _building_changed(self, building_id: str) -> None:
        self._room_id = None
        self.model.current_id = None
        self.filters.set_values(system=None, status=None, floor_id=None, text="")
        if building_id:
            self._load_choices(building_id)
        else:
            self.filters.set_choices(FilterChoices(systems=[], statuses=[], floors=[]))
        self._apply()

    def _data_changed(self) -> None:
        if self._state.building_id is None:
            return
        self._keep_scroll = self.table.verticalScrollBar().value()
        self.model.reload()
        self._load_choices(self._state.building_id)

    def _load_choices(self, building_id: str) -> None:
        def loaded(choices: FilterChoices) -> None:
            if building_id == self._state.building_id:
                self.filters.set_choices(choices)
                self.choices_did_load.emit()

        self._state.ops.run(
            lambda replica: filter_choices(replica, building_id),
            success=loaded,
            failure=lambda error: self._state.post(plain_words(error)),
            owner=self,
        )

    def _record_requested(self, entity: str, record_id: str) -> None:
        if entity == "equipment":
            self._show_equipment(record_id)
        elif entity in ("floor", "room"):
            self._show_location(entity, record_id)

    def _show_equipment(self, equipment_id: str) -> None:
        # With no building open yet, any query will do: the equipment's own building opens.
        current = self._query() or EquipmentQuery("")

        def revealed(query: EquipmentQuery) -> None:
            if query.building_id != self._state.building_id:
                self._state.set_building(query.building_id)
            self.filters.set_values(
                system=query.system, status=query.status, floor_id=query.floor_id, text=query.text
            )
            self._room_id = query.room_id
            kind, node = (
                ("room", query.room_id)
                if query.room_id
                else ("floor", query.floor_id)
                if query.floor_id
                else ("building", query.building_id)
            )
            self.navigator.select(kind, node, announce=False)
            self.model.current_id = equipment_id
            self._scroll_to_kept = True
            if query == self.model.query:
                self.model.reload()
            else:
                self.model.set_query(query)
            self.equipment_was_selected.emit(equipment_id)

        self._state.ops.run(
            lambda replica: reveal(replica, current, equipment_id),
            success=revealed,
            failure=lambda error: self._state.post(plain_words(error)),
            owner=self,
        )

    def _show_location(self, kind: str, node_id: str) -> None:
        if self.navigator.select(kind, node_id):
            return

        def found(building_id: str) -> None:
            if building_id != self._state.building_id:
                self._state.set_building(building_id)
            self.navigator.select(kind, node_id)

        self._state.ops.run(
            lambda replica: str(read_row(replica, kind, node_id).building_id),
            success=found,
            failure=lambda error: self._state.post(plain_words(error)),
            owner=self,
        )
