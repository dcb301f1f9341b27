"""The navigator: building → floor → room, with how much equipment each holds.

Choosing a node narrows the equipment table to it. The tree is read off the UI
thread (one grouped count over the building) whenever the building or its rows
change, and the node the user chose stays chosen across those reloads.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHeaderView, QTreeView, QVBoxLayout, QWidget

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import list_buildings
from arxos_desktop.store.locations import LocationTree, location_tree
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState

#: "kind:id" of a node: kind is "building", "floor" or "room".
NODE_ROLE = Qt.ItemDataRole.UserRole


def _row(text: str, count: int, kind: str, node_id: str) -> list[QStandardItem]:
    name, number = QStandardItem(text), QStandardItem(f"{count:,}")
    number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    for item in (name, number):
        item.setEditable(False)
        item.setData(f"{kind}:{node_id}", NODE_ROLE)
    name.setData(f"{text}, {count} equipment", Qt.ItemDataRole.AccessibleTextRole)
    name.setToolTip(text)
    return [name, number]


class LocationNavigator(QWidget):
    """A building picker (when the replica holds several) over the location tree."""

    #: The user (or :meth:`select`) chose a node: (kind, id), kind building/floor/room.
    location_was_chosen = Signal(str, str)
    #: The tree was read again (tests and the page wait on it).
    tree_did_load = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.tree: LocationTree | None = None
        self._chosen: tuple[str, str] | None = None
        self._loading = False
        self._again = False
        self._announce_when_loaded = False
        self.buildings = QComboBox()
        self.buildings.setAccessibleName("Building")
        self.buildings.setToolTip("The building to show")
        self.buildings.activated.connect(self._building_picked)
        self.buildings.hide()
        self._model = QStandardItemModel(0, 2, self)
        self._model.setHorizontalHeaderLabels(["Location", "Equipment"])
        self.view = QTreeView()
        self.view.setAccessibleName("Locations")
        self.view.setModel(self._model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.buildings)
        layout.addWidget(self.view)
        state.building_did_change.connect(self._building_changed)
        state.data_did_change.connect(self.reload)
        if state.building_id is not None:
            self.reload()

    @property
    def chosen(self) -> tuple[str, str] | None:
        return self._chosen

    def select(self, kind: str, node_id: str, *, announce: bool = True) -> bool:
        """Choose the node (kind, id) as if tapped; ``False`` if this tree does not hold it.

        A choice the tree cannot show yet (it is still loading) is kept and made
        when it has loaded. Without *announce*, only the tree shows it (the caller
        has already applied it).
        """
        self._chosen = (kind, node_id)
        index = self._find(kind, node_id)
        if index is None:
            self._announce_when_loaded = announce and self._loading
            return self._loading
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        if announce:
            self.location_was_chosen.emit(kind, node_id)
        return True

    def reload(self) -> None:
        """Read the building's tree and the list of buildings again."""
        building_id = self._state.building_id
        if building_id is None:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True

        def job(replica: Replica) -> tuple[LocationTree, list[tuple[str, str]]]:
            buildings = [(b.id, b.name) for b in list_buildings(replica)]
            return location_tree(replica, building_id), buildings

        self._state.ops.run(
            job,
            success=self._loaded,
            failure=lambda error: self._failed(building_id, error),
            owner=self,
        )

    def _loaded(self, result: tuple[LocationTree, list[tuple[str, str]]]) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
            return
        tree, buildings = result
        if tree.building_id != self._state.building_id:
            self.reload()
            return
        self._show_buildings(buildings, tree.building_id)
        self._show_tree(tree)
        self.tree_did_load.emit()

    def _failed(self, building_id: str, error: Exception) -> None:
        self._loading = False
        if self._again or building_id != self._state.building_id:
            # Asked again meanwhile, or that building has gone (the window moved off it):
            # only the newer read's answer counts.
            self._again = False
            self.reload()
            return
        self._state.post(plain_words(error))

    def _show_buildings(self, buildings: list[tuple[str, str]], current: str) -> None:
        self.buildings.clear()
        for building_id, name in buildings:
            self.buildings.addItem(name, building_id)
        self.buildings.setCurrentIndex(self.buildings.findData(current))
        self.buildings.setVisible(len(buildings) > 1)

    def _show_tree(self, tree: LocationTree) -> None:
        self.tree = tree
        expanded = {
            self._model.index(row, 0, self._model.index(0, 0)).data(NODE_ROLE)
            for row in range(self._model.rowCount(self._model.index(0, 0)))
            if self.view.isExpanded(self._model.index(row, 0, self._model.index(0, 0)))
        }
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        self._model.removeRows(0, self._model.rowCount())
        root = _row(tree.building_name, tree.equipment, "building", tree.building_id)
        for floor in tree.floors:
            floor_row = _row(floor.name, floor.equipment, "floor", floor.id)
            for room in floor.rooms:
                floor_row[0].appendRow(_row(room.label, room.equipment, "room", room.id))
            root[0].appendRow(floor_row)
        self._model.appendRow(root)
        self.view.expand(self._model.index(0, 0))
        for row in range(self._model.rowCount(self._model.index(0, 0))):
            index = self._model.index(row, 0, self._model.index(0, 0))
            if index.data(NODE_ROLE) in expanded:
                self.view.expand(index)
        kind, node_id = self._chosen or ("building", tree.building_id)
        found = self._find(kind, node_id)
        if found is None:  # the chosen floor or room is gone: show the whole building
            self._chosen = ("building", tree.building_id)
            selection.blockSignals(False)
            self.view.setCurrentIndex(self._model.index(0, 0))
            self.location_was_chosen.emit("building", tree.building_id)
            return
        self.view.setCurrentIndex(found)
        selection.blockSignals(False)
        self.view.scrollTo(found)
        if self._announce_when_loaded:
            self._announce_when_loaded = False
            self.location_was_chosen.emit(kind, node_id)

    def _find(self, kind: str, node_id: str) -> QModelIndex | None:
        matches = self._model.match(
            self._model.index(0, 0),
            NODE_ROLE,
            f"{kind}:{node_id}",
            1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        return matches[0] if matches else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = current.data(NODE_ROLE)
        if not isinstance(node, str):
            return
        kind, _, node_id = node.partition(":")
        if current.column() != 0:
            self.view.selectionModel().setCurrentIndex(
                current.siblingAtColumn(0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        if self._chosen == (kind, node_id):
            return
        self._chosen = (kind, node_id)
        self.location_was_chosen.emit(kind, node_id)

    def _building_changed(self, building_id: str) -> None:
        self._chosen = None
        if not building_id:  # no building left to show: nothing of the last one stays
            self.tree = None
            self._model.removeRows(0, self._model.rowCount())
            self.buildings.clear()
            self.buildings.hide()
            return
        self.reload()

    def _building_picked(self, index: int) -> None:
        building_id = self.buildings.itemData(index)
        if isinstance(building_id, str):
            self._state.set_building(building_id)
