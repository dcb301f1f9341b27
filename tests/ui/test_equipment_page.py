"""The Equipment page on the demo building: navigator, filters, sorting, selection, go-to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox
from pytestqt.qtbot import QtBot

from arxos_desktop.demo.loading import load_demo_building
from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, find_by_tag, list_equipment
from arxos_desktop.store.locations import location_tree
from arxos_desktop.ui.equipment_navigator import NODE_ROLE
from arxos_desktop.ui.equipment_page import EquipmentPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.state import AppState


@pytest.fixture
def demo_id(replica: Replica) -> str:
    return load_demo_building(replica).building_id


def _settled(page: EquipmentPage) -> bool:
    return (
        page.model.query is not None
        and not page.model.loading
        and page.navigator.tree is not None
        and not page.filters.typing
        and not page._state.ops.busy
    )


@pytest.fixture
def page(qtbot: QtBot, state: AppState, demo_id: str) -> Iterator[EquipmentPage]:
    view = EquipmentPage(state)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    state.set_building(demo_id)
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() > 0)
    yield view


def _wait(qtbot: QtBot, page: EquipmentPage) -> None:
    qtbot.waitUntil(lambda: _settled(page))


def _tags(page: EquipmentPage) -> list[str]:
    return [str(page.model.index(row, 0).data()) for row in range(page.model.rowCount())]


def _column(page: EquipmentPage, column: int) -> list[str]:
    return [str(page.model.index(row, column).data()) for row in range(page.model.rowCount())]


def _choose(qtbot: QtBot, combo: QComboBox, label: str) -> None:
    """Pick *label* with the keyboard, as a user without a mouse would."""
    index = combo.findText(label)
    assert index >= 0, f"{label!r} is not offered"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == label


def _click_node(qtbot: QtBot, page: EquipmentPage, text: str) -> None:
    tree = page.navigator.view
    found = tree.model().match(
        tree.model().index(0, 0), Qt.ItemDataRole.DisplayRole, text, 1, Qt.MatchFlag.MatchRecursive
    )
    assert found, text
    tree.scrollTo(found[0])
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(found[0]).center()
    )


def _selected_tag(page: EquipmentPage) -> str | None:
    rows = page.table.selectionModel().selectedRows()
    return str(rows[0].data()) if rows else None


def test_the_navigator_counts_the_demo_building_by_floor_and_room(
    qtbot: QtBot, page: EquipmentPage, replica: Replica, demo_id: str
) -> None:
    tree_model = page.navigator.view.model()
    root = tree_model.index(0, 0)
    assert root.data().startswith("Harbor View") and tree_model.index(0, 1).data() == "154"
    floors = [
        (tree_model.index(row, 0, root).data(), tree_model.index(row, 1, root).data())
        for row in range(tree_model.rowCount(root))
    ]
    assert floors == [
        ("Ground Floor", "74"),
        ("Level 1", "24"),
        ("Level 2", "21"),
        ("Level 3", "32"),
    ]
    assert len(list_equipment(replica, demo_id)) == 154
    assert page.summary.text() == "154 equipment"

    _click_node(qtbot, page, "Level 3")
    _wait(qtbot, page)
    assert page.model.rowCount() == 32 and set(_column(page, 5)) == {"Level 3"}
    assert page.filters.floor.currentText() == "Level 3"
    assert page.summary.text() == "32 of 154 equipment"

    page.navigator.view.expand(page.navigator.view.currentIndex())
    _click_node(qtbot, page, "301 Mechanical Room")
    _wait(qtbot, page)
    room_id = str(page.navigator.view.currentIndex().data(NODE_ROLE)).split(":")[1]
    expected = [e.tag for e in list_equipment(replica, demo_id, room_id=room_id)]
    assert _tags(page) == expected and len(expected) == 9
    assert set(_column(page, 6)) == {"301 Mechanical Room"}

    _click_node(qtbot, page, str(root.data()))
    _wait(qtbot, page)
    assert page.model.rowCount() == 154 and page.filters.floor.currentText() == "All floors"


def test_each_filter_narrows_the_table_to_what_the_replica_holds(
    qtbot: QtBot, page: EquipmentPage, replica: Replica, demo_id: str
) -> None:
    assert page.filters.system.findText("Fire") > 0 and page.filters.system.findText("HVAC") > 0
    _choose(qtbot, page.filters.system, "Fire")
    _wait(qtbot, page)
    fire = [e.tag for e in list_equipment(replica, demo_id, system="fire")]
    assert _tags(page) == fire and 0 < len(fire) < 154
    assert set(_column(page, 2)) == {"Fire"}

    _choose(qtbot, page.filters.system, "All systems")
    _choose(qtbot, page.filters.status, "Needs service")
    _wait(qtbot, page)
    needs = [e.tag for e in list_equipment(replica, demo_id, status="needs_service")]
    assert _tags(page) == needs and len(needs) > 0

    _choose(qtbot, page.filters.floor, "Level 2")
    _wait(qtbot, page)
    floor_id = page.filters.floor_value
    both = [
        e.tag for e in list_equipment(replica, demo_id, status="needs_service", floor_id=floor_id)
    ]
    assert _tags(page) == both
    assert page.navigator.chosen == ("floor", floor_id)


def test_the_quick_filter_applies_after_a_pause_in_typing(
    qtbot: QtBot, page: EquipmentPage, replica: Replica, demo_id: str
) -> None:
    qtbot.keyClicks(page.filters.text, "pump")
    assert page.model.query is not None and page.model.query.text == ""  # not per key
    assert page.model.rowCount() == 154
    qtbot.waitUntil(lambda: page.model.query is not None and page.model.query.text == "pump")
    _wait(qtbot, page)
    expected = [
        e.tag
        for e in list_equipment(replica, demo_id)
        if "pump" in e.tag.casefold() or "pump" in e.name.casefold()
    ]
    assert _tags(page) == expected and 0 < len(expected) < 154

    page.filters.text.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 154)


def test_clicking_a_header_sorts_in_the_replica_both_ways(
    qtbot: QtBot, page: EquipmentPage, replica: Replica, demo_id: str
) -> None:
    header = page.table.horizontalHeader()
    status_column = 4
    where = QPoint(header.sectionViewportPosition(status_column) + 20, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    _wait(qtbot, page)
    rows = list_equipment(replica, demo_id)
    up = sorted(rows, key=lambda e: (e.status.value, e.tag.casefold(), e.id))
    assert _tags(page) == [e.tag for e in up]
    assert page.model.query is not None and page.model.query.sort == "status"

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    _wait(qtbot, page)
    assert _tags(page) == [e.tag for e in reversed(up)]
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_the_selection_survives_rows_changing_under_it(
    qtbot: QtBot, page: EquipmentPage, state: AppState, replica: Replica, demo_id: str
) -> None:
    row = _tags(page).index("AHU-2")
    rect = page.table.visualRect(page.model.index(row, 0))
    with qtbot.waitSignal(page.equipment_was_selected) as selected:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    ahu2 = find_by_tag(replica, demo_id, "AHU-2")
    assert selected.args == [ahu2.id]
    announced: list[str] = []
    page.equipment_was_selected.connect(announced.append)

    def add(r: Replica) -> None:
        create_equipment(r, building_id=demo_id, tag="AAA-0", name="Added elsewhere")

    with qtbot.waitSignal(page.model.rows_did_reload):
        state.ops.run(add, writes=True)
    _wait(qtbot, page)
    assert _tags(page)[0] == "AAA-0" and page.model.rowCount() == 155
    assert _selected_tag(page) == "AHU-2"
    assert page.table.currentIndex().row() == row + 1
    assert announced == []  # the same equipment: the detail panel is not told again
    assert page.navigator.view.model().index(0, 1).data() == "155"


def test_a_request_for_equipment_selects_its_row_clearing_only_the_filters_that_hide_it(
    qtbot: QtBot, page: EquipmentPage, state: AppState, replica: Replica, demo_id: str
) -> None:
    ahu1 = find_by_tag(replica, demo_id, "AHU-1")  # hvac, needs service
    _choose(qtbot, page.filters.status, "Needs service")
    _choose(qtbot, page.filters.system, "Fire")
    _wait(qtbot, page)
    assert "AHU-1" not in _tags(page)
    with qtbot.waitSignal(page.equipment_was_selected) as selected:
        state.show_record("equipment", ahu1.id)
    assert selected.args == [ahu1.id]
    qtbot.waitUntil(lambda: _selected_tag(page) == "AHU-1")
    assert page.filters.system.currentText() == "All systems"
    assert page.filters.status.currentText() == "Needs service"
    assert set(_column(page, 4)) == {"Needs service"}


def test_a_request_for_a_room_or_floor_selects_it_in_the_navigator(
    qtbot: QtBot, page: EquipmentPage, state: AppState, replica: Replica, demo_id: str
) -> None:
    tree = location_tree(replica, demo_id)
    level1 = tree.floors[1]
    room = next(r for r in level1.rooms if r.equipment > 1)
    state.show_record("room", room.id)
    _wait(qtbot, page)
    assert page.navigator.view.currentIndex().data() == room.label
    assert page.filters.floor.currentText() == level1.name
    assert page.model.rowCount() == room.equipment
    assert set(_column(page, 6)) == {room.label}

    state.show_record("floor", tree.floors[3].id)
    _wait(qtbot, page)
    assert page.navigator.view.currentIndex().data() == tree.floors[3].name
    assert page.model.rowCount() == tree.floors[3].equipment


def test_a_second_building_brings_a_picker_that_switches_buildings(
    qtbot: QtBot, page: EquipmentPage, state: AppState, replica: Replica, demo_id: str
) -> None:
    assert page.navigator.buildings.isHidden()
    with qtbot.waitSignal(page.navigator.tree_did_load):
        state.ops.run(lambda r: create_building(r, name="Annex"), writes=True)
    picker = page.navigator.buildings
    assert not picker.isHidden() and picker.count() == 2
    with qtbot.waitSignal(state.building_did_change):
        _choose(qtbot, picker, "Annex")
    _wait(qtbot, page)
    assert state.building_id != demo_id
    assert page.model.rowCount() == 0 and page.summary.text() == "0 equipment"


def test_the_page_is_the_first_tab_and_receives_go_to_requests(
    qtbot: QtBot, state: AppState, qsettings: QSettings, demo_id: str, replica: Replica
) -> None:
    window = MainWindow(qsettings)
    qtbot.addWidget(window)
    window.attach(state)
    build_pages(window, state)
    page = window.pages.widget(0)
    assert isinstance(page, EquipmentPage) and window.pages.tabText(0) == "Equipment"
    state.set_building(demo_id)
    qtbot.waitUntil(lambda: _settled(page) and page.model.rowCount() == 154)
    table = window.findChild(QAbstractItemView, "equipmentTable")  # what the start-up bench finds
    assert table is page.table
    ahu3 = find_by_tag(replica, demo_id, "AHU-3")
    state.show_record("equipment", ahu3.id)
    qtbot.waitUntil(lambda: _selected_tag(page) == "AHU-3")
    assert window.pages.currentWidget() is page
    menu_texts = [a.text() for a in window.edit_menu.actions()]
    assert "Filter equipment" in menu_texts
