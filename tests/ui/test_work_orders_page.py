"""The work-order page: create, edit, move on the board (drag or "Move to…"), list/board."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from arxos_desktop.store.workorders import create_work_order, list_work_orders
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.work_board import CARD_MIME, BoardColumn
from arxos_desktop.ui.work_order_dialog import WorkOrderDialog
from arxos_desktop.ui.work_orders_page import WorkOrdersPage
from sync.outbox import Op, read_changes
from tests.conftest import SampleBuilding, build_sample


@pytest.fixture
def sample(state: AppState) -> SampleBuilding:
    return build_sample(state.replica)


@pytest.fixture
def window(
    qtbot: QtBot, state: AppState, sample: SampleBuilding, qsettings: QSettings
) -> Iterator[MainWindow]:
    main = MainWindow(qsettings)
    qtbot.addWidget(main)
    main.attach(state)
    build_pages(main, state)
    main.pages.setCurrentWidget(work_orders_page(main))
    state.set_building(sample.building_id)
    main.show()
    qtbot.waitExposed(main)
    page = work_orders_page(main)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    yield main
    main.close()


def work_orders_page(window: MainWindow) -> WorkOrdersPage:
    for index in range(window.pages.count()):
        page = window.pages.widget(index)
        if isinstance(page, WorkOrdersPage):
            return page
    raise AssertionError("no work-order page in the window")


def settle(qtbot: QtBot, state: AppState) -> None:
    qtbot.waitUntil(lambda: not state.ops.busy)


def open_new_dialog(qtbot: QtBot, window: MainWindow) -> WorkOrderDialog:
    page = work_orders_page(window)
    window.pages.setCurrentWidget(page)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    assert page.dialog is not None
    return page.dialog


def test_ctrl_n_creates_a_work_order_that_shows_as_a_row_and_is_queued(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    dialog = open_new_dialog(qtbot, window)
    assert dialog.windowTitle() == "New work order"
    qtbot.keyClicks(dialog.title_edit, "Grease pump bearings")
    qtbot.keyClicks(dialog.description_edit, "Both ends, lithium grease")
    qtbot.waitUntil(lambda: dialog.equipment_combo.count() == 4)  # none + 3 pieces
    dialog.equipment_combo.setCurrentIndex(dialog.equipment_combo.findText("VAV-101"))
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData("urgent"))
    qtbot.mouseClick(dialog.due_check, Qt.MouseButton.LeftButton)
    dialog.due_edit.setDate(dialog.due_edit.date().fromString("2026-12-24", "yyyy-MM-dd"))
    qtbot.keyClicks(dialog.assignee_edit, "J. Chen")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.dialog is None  # closed once saved
    (created,) = [
        o
        for o in list_work_orders(state.replica, sample.building_id)
        if o.id != sample.work_order_id
    ]
    assert (created.title, created.description) == (
        "Grease pump bearings",
        "Both ends, lithium grease",
    )
    assert (created.equipment_id, created.priority, created.assignee) == (
        sample.vav_id,
        "urgent",
        "J. Chen",
    )
    assert created.due is not None and created.due.isoformat() == "2026-12-24"
    row = page.model.row_of(created.id)
    assert row is not None
    shown = [page.model.index(row, c).data() for c in range(page.model.columnCount())]
    assert shown == [
        created.id[-8:],
        "Grease pump bearings",
        "Open",
        "Urgent",
        "J. Chen",
        "24 Dec 2026",
        "VAV-101",
    ]
    assert page.selected_id == created.id
    (change,) = [c for c in read_changes(state.replica.conn) if c.entity_id == created.id]
    assert change.op is Op.INSERT and change.entity == "workorder"
    assert change.fields["title"] == "Grease pump bearings"


def test_a_refused_work_order_shows_why_beside_each_field_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    queued = len(read_changes(state.replica.conn))
    dialog = open_new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.assignee_edit, "x" * 201)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    title_error = dialog.errors["title"]
    qtbot.waitUntil(title_error.isVisible)
    assert "at least 1 character" in title_error.text()
    assert "at most 200 characters" in dialog.errors["assignee"].text()
    assert dialog.errors["assignee"].isVisible()
    assert not dialog.errors["priority"].isVisible()
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert dialog.assignee_edit.text() == "x" * 201  # nothing typed is lost
    assert len(read_changes(state.replica.conn)) == queued
    assert len(list_work_orders(state.replica, sample.building_id)) == 1
    assert page.model.rowCount() == 1

    dialog.assignee_edit.setText("K. Okafor")
    qtbot.keyClicks(dialog.title_edit, "Check fan belts")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.dialog is None


def test_editing_changes_only_what_was_changed(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    page.select(sample.work_order_id)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.card is not None
    qtbot.waitUntil(lambda: dialog.equipment_combo.count() == 4)
    assert dialog.equipment_combo.currentData() == sample.ahu_id
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("on_hold"))
    qtbot.keyClicks(dialog.assignee_edit, "M. Alvarez")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.card(0).status == "on_hold")
    (order,) = list_work_orders(state.replica, sample.building_id)
    assert (order.status, order.assignee, order.priority) == ("on_hold", "M. Alvarez", "high")
    (change,) = [
        c for c in read_changes(state.replica.conn) if c.entity == "workorder" and c.op is Op.UPDATE
    ]
    assert change.fields == {"status": "on_hold", "assignee": "M. Alvarez"}


def _drop(column: BoardColumn, data: QMimeData) -> QDropEvent:
    """Deliver enter, move and drop to the column's viewport, as a drag over it does."""
    where = QPointF(column.viewport().width() / 2, 20)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, actions, data, buttons, mods)
    QApplication.sendEvent(column.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(where, actions, data, buttons, mods)
    QApplication.sendEvent(column.viewport(), move)
    assert move.isAccepted()
    drop = QDropEvent(where, actions, data, buttons, mods)
    QApplication.sendEvent(column.viewport(), drop)
    return drop


def test_dragging_a_card_to_another_column_changes_its_status(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    board = page.board
    source, target = board.columns["open"], board.columns["done"]
    item = source.item_of(sample.work_order_id)
    assert item is not None and target.count() == 0
    data = source.mimeData([item])  # what the column's own startDrag puts on the drag
    drop = _drop(target, data)
    assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.CopyAction

    qtbot.waitUntil(lambda: target.item_of(sample.work_order_id) is not None)
    assert source.count() == 0
    (order,) = list_work_orders(state.replica, sample.building_id)
    assert order.status == "done"
    (change,) = [
        c for c in read_changes(state.replica.conn) if c.entity == "workorder" and c.op is Op.UPDATE
    ]
    assert change.fields == {"status": "done"}


def test_a_drop_of_anything_but_a_card_is_refused(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    column = work_orders_page(window).board.columns["cancelled"]
    data = QMimeData()
    data.setText(sample.work_order_id)
    enter = QDragEnterEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(column.viewport(), enter)
    assert not enter.isAccepted()
    card = QMimeData()
    card.setData(CARD_MIME, sample.work_order_id.encode())
    _drop(column, card)
    settle(qtbot, state)
    (order,) = list_work_orders(state.replica, sample.building_id)
    assert order.status == "cancelled"  # the same drop with a card does move it


def test_move_to_changes_the_selected_cards_status_without_dragging(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    assert not page.move_button.isEnabled()
    column = page.board.columns["open"]
    item = column.item_of(sample.work_order_id)
    assert item is not None
    rect = column.visualItemRect(item)
    qtbot.mouseClick(column.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.selected_id == sample.work_order_id
    assert page.move_button.isEnabled()
    assert not page.move_actions["open"].isEnabled()  # already there
    page.move_actions["in_progress"].trigger()
    qtbot.waitUntil(
        lambda: page.board.columns["in_progress"].item_of(sample.work_order_id) is not None
    )
    assert list_work_orders(state.replica, sample.building_id)[0].status == "in_progress"
    assert page.selected_id == sample.work_order_id  # still selected in its new column
    assert page.board.columns["in_progress"].currentItem() is not None


def test_list_and_board_show_the_same_selection_and_ctrl_b_toggles(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    assert page.views.currentWidget() is page.board
    qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.table
    assert page.list_button.isChecked() and not page.board_button.isChecked()
    assert page.list_button.font().bold() and not page.board_button.font().bold()
    page.table.selectRow(0)
    assert page.selected_id == sample.work_order_id
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert page.views.currentWidget() is page.board
    current = page.board.columns["open"].currentItem()
    assert current is not None and page.board_button.isChecked()
    assert page.notes.target_id == sample.work_order_id


def test_a_requested_work_order_is_selected_even_before_it_was_read(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    state.show_record("workorder", sample.work_order_id)
    assert page.selected_id == sample.work_order_id
    order = create_work_order(state.replica, building_id=sample.building_id, title="Pulled")
    state.show_record("work_order", order.id)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.selected_id == order.id
    assert page.board.columns["open"].currentItem() is page.board.columns["open"].item_of(order.id)
    assert window.pages.currentWidget() is page


def test_the_page_rereads_when_data_changes_elsewhere(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    state.ops.run(
        lambda r: create_work_order(r, building_id=sample.building_id, title="From sync"),
        writes=True,
    )
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.count_label.text() == "2 work orders"
    assert page.board.columns["open"].count() == 2


def test_page_shortcuts_are_off_while_another_page_shows(
    qtbot: QtBot, window: MainWindow, state: AppState
) -> None:
    from PySide6.QtWidgets import QLabel

    page = work_orders_page(window)
    window.add_page(QLabel("Elsewhere"), "Other")
    window.pages.setCurrentIndex(window.pages.count() - 1)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.dialog is None
    window.pages.setCurrentWidget(page)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.dialog is not None)


def test_arrow_keys_walk_across_columns_and_select_as_they_go(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    page = work_orders_page(window)
    late = create_work_order(
        state.replica, building_id=sample.building_id, title="Late", status="on_hold"
    )
    state.data_did_change.emit()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    open_column = page.board.columns["open"]
    open_column.setFocus()
    open_column.setCurrentRow(0)
    assert page.selected_id == sample.work_order_id
    qtbot.keyClick(open_column, Qt.Key.Key_Right)  # "In progress" is empty: skipped
    assert page.selected_id == late.id
    assert page.board.columns["on_hold"].hasFocus() or not window.isActiveWindow()
    qtbot.keyClick(page.board.columns["on_hold"], Qt.Key.Key_Left)
    assert page.selected_id == sample.work_order_id


def test_every_control_is_big_enough_for_a_finger_and_has_a_name(
    qtbot: QtBot, window: MainWindow, sample: SampleBuilding
) -> None:
    from arxos_desktop.ui.theme import TOUCH_TARGET_PX, Theme, apply_theme

    apply_theme(QApplication.instance(), Theme.LIGHT)  # type: ignore[arg-type]
    page = work_orders_page(window)
    page.select(sample.work_order_id)
    qtbot.wait(10)
    buttons = (page.new_button, page.edit_button, page.move_button)
    for button in (*buttons, page.list_button, page.board_button):
        assert button.height() >= TOUCH_TARGET_PX, button.text()
        assert button.accessibleName()
    column = page.board.columns["open"]
    item = column.item_of(sample.work_order_id)
    assert item is not None
    assert column.visualItemRect(item).height() >= 2 * TOUCH_TARGET_PX
    assert column.visualItemRect(item).width() >= column.viewport().width() - 2
    widths = [c.width() for c in page.board.columns.values()]
    assert max(widths) - min(widths) <= 2  # the columns share the width evenly
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.move_menu.isVisible)
    for action in page.move_menu.actions():
        assert page.move_menu.actionGeometry(action).height() >= TOUCH_TARGET_PX
    page.move_menu.close()
