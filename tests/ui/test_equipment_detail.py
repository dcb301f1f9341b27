"""The equipment detail panel, driven like a technician would: type, pick, tap, switch rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.queries import get_row
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.outbox import Op, count_changes, read_changes
from tests.conftest import SampleBuilding, build_sample


@pytest.fixture
def sample(replica: Replica) -> SampleBuilding:
    return build_sample(replica)


@pytest.fixture
def posted(state: AppState) -> list[str]:
    messages: list[str] = []
    state.message_was_posted.connect(messages.append)
    return messages


@pytest.fixture
def panel(qtbot: QtBot, state: AppState, sample: SampleBuilding) -> Iterator[EquipmentDetail]:
    widget = EquipmentDetail(state)
    qtbot.addWidget(widget)
    widget.resize(560, 900)
    widget.show()
    yield widget
    qtbot.waitUntil(lambda: not state.ops.busy)


def is_(equipment_id: str) -> Callable[[str], bool]:
    """A check for :attr:`EquipmentDetail.view_did_load`: that equipment is on screen now."""
    return lambda shown: shown == equipment_id


def show(qtbot: QtBot, panel: EquipmentDetail, equipment_id: str) -> None:
    with qtbot.waitSignal(panel.view_did_load, timeout=5000, check_params_cb=is_(equipment_id)):
        panel.show_equipment(equipment_id)


def settle(qtbot: QtBot, state: AppState) -> None:
    qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)


def line(panel: EquipmentDetail, name: str) -> QLineEdit:
    editor = panel.fields[name].editor
    assert isinstance(editor, QLineEdit)
    return editor


def retype(qtbot: QtBot, editor: QLineEdit, text: str, *, enter: bool = True) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)
    if enter:
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def stored(replica: Replica, equipment_id: str, field: str) -> Any:
    return getattr(get_row(replica, "equipment", equipment_id), field)


def test_panel_shows_every_field_of_the_row(
    qtbot: QtBot, panel: EquipmentDetail, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    assert panel.title.text() == "AHU-1 — Air handling unit 1"
    values = {name: field.value() for name, field in panel.fields.items()}
    assert values == {
        "tag": "AHU-1",
        "name": "Air handling unit 1",
        "system": "hvac",
        "type": "air_handler",
        "status": "operational",
        "floor_id": sample.floor_id,
        "room_id": sample.room_id,
        "manufacturer": "Trane",
        "model": "CSAA012",
        "serial": "K12345",
        "install_date": "2014-05-01",
        "properties": {"cfm": 12000, "voltage": "480V"},
        "position": {"x": 2.5, "y": 1.0},
    }
    room = panel.fields["room_id"].editor
    assert isinstance(room, QComboBox) and room.currentText() == "Room 101 — Mechanical Room"
    assert "not on the server yet" in panel.record_line.text()
    assert sample.ahu_id in panel.record_line.text()
    assert all(f.editor.accessibleName() for f in panel.fields.values())


def test_enter_saves_the_field_into_the_row_and_the_outbox(
    qtbot: QtBot, panel: EquipmentDetail, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        retype(qtbot, line(panel, "name"), "Supply fan 1")
    assert stored(replica, sample.ahu_id, "name") == "Supply fan 1"
    last = read_changes(replica.conn)[-1]
    assert (last.op, last.entity_id, last.fields) == (
        Op.UPDATE,
        sample.ahu_id,
        {"name": "Supply fan 1"},
    )
    status = panel.fields["status"].editor
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        status.setFocus()
        qtbot.keyClick(status, Qt.Key.Key_Down)  # operational → needs service
    assert stored(replica, sample.ahu_id, "status") == "needs_service"
    assert read_changes(replica.conn)[-1].fields == {"status": "needs_service"}
    settle(qtbot, state)
    assert panel.title.text() == "AHU-1 — Supply fan 1"


def test_picking_a_room_moves_the_floor_with_it(
    qtbot: QtBot, panel: EquipmentDetail, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    rtu = find_by_tag(replica, sample.building_id, "RTU-9").id
    show(qtbot, panel, rtu)
    room = panel.fields["room_id"].editor
    assert isinstance(room, QComboBox) and room.currentText() == "No room"
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        room.setFocus()
        qtbot.keyClick(room, Qt.Key.Key_Down)  # the first room of the building
    assert stored(replica, rtu, "room_id") == sample.room_id
    assert stored(replica, rtu, "floor_id") == sample.floor_id
    assert panel.fields["floor_id"].value() == sample.floor_id
    assert read_changes(replica.conn)[-1].fields == {
        "room_id": sample.room_id,
        "floor_id": sample.floor_id,
    }


def test_a_refused_value_is_shown_under_its_field_and_kept(
    qtbot: QtBot,
    panel: EquipmentDetail,
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    posted: list[str],
) -> None:
    show(qtbot, panel, sample.ahu_id)
    before = count_changes(replica.conn)
    tag = panel.fields["tag"]
    retype(qtbot, line(panel, "tag"), "vav-101")
    settle(qtbot, state)
    qtbot.waitUntil(tag.error.isVisible)
    assert "already used" in tag.error.text()
    assert tag.error.accessibleName() == "Tag: problem"

    def under_the_tag() -> bool:
        top = tag.error.mapTo(panel, QPoint(0, 0)).y()
        return top >= tag.editor.mapTo(panel, QPoint(0, 0)).y() + tag.editor.height()

    qtbot.waitUntil(under_the_tag, timeout=2000)  # once the layout made room for it
    assert line(panel, "tag").text() == "vav-101"
    assert not panel.fields["name"].error.isVisible()
    assert stored(replica, sample.ahu_id, "tag") == "AHU-1"
    assert count_changes(replica.conn) == before
    assert any("Not saved" in m for m in posted)

    properties = panel.fields["properties"]
    editor = properties.editor
    assert isinstance(editor, QPlainTextEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, '{"cfm": oops')
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert properties.error.isVisible() and "not valid JSON" in properties.error.text()
    assert editor.toPlainText() == '{"cfm": oops'
    settle(qtbot, state)
    assert count_changes(replica.conn) == before

    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        retype(qtbot, line(panel, "tag"), "AHU-1A")
    assert not tag.error.isVisible()
    assert stored(replica, sample.ahu_id, "tag") == "AHU-1A"


def test_connections_walk_both_ways(
    qtbot: QtBot, panel: EquipmentDetail, state: AppState, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    assert panel.fed_by.entries() == ["Nothing feeds it."]
    assert panel.feeds.entries() == ["VAV-101 · feeds"]
    feeds: QListWidget = panel.feeds.list
    spot = feeds.visualItemRect(feeds.item(0)).center()
    with (
        qtbot.waitSignal(state.record_was_requested, timeout=5000) as asked,
        qtbot.waitSignal(panel.view_did_load, timeout=5000, check_params_cb=is_(sample.vav_id)),
    ):
        qtbot.mouseClick(feeds.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert asked.args == ["equipment", sample.vav_id]
    assert panel.equipment_id == sample.vav_id
    assert panel.title.text() == "VAV-101"
    assert panel.fed_by.entries() == ["AHU-1 — Air handling unit 1 · feeds"]
    assert panel.feeds.entries() == ["Room 101 — Mechanical Room · serves"]

    fed_by = panel.fed_by.list
    fed_by.setFocus()
    fed_by.setCurrentRow(0)
    with qtbot.waitSignal(panel.view_did_load, timeout=5000, check_params_cb=is_(sample.ahu_id)):
        qtbot.keyClick(fed_by, Qt.Key.Key_Return)
    assert panel.equipment_id == sample.ahu_id

    with qtbot.waitSignal(state.record_was_requested, timeout=5000) as asked:
        panel.show_equipment(sample.vav_id)
        qtbot.waitUntil(lambda: panel.equipment_id == sample.vav_id)
        room_link = panel.feeds.list
        qtbot.mouseClick(
            room_link.viewport(),
            Qt.MouseButton.LeftButton,
            pos=room_link.visualItemRect(room_link.item(0)).center(),
        )
    assert asked.args == ["room", sample.room_id]
    assert panel.equipment_id == sample.vav_id  # a room is shown by its own page


def test_switching_rows_saves_the_unsaved_typing_first(
    qtbot: QtBot, panel: EquipmentDetail, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    name = line(panel, "name")
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Belt drive unit")  # no Enter: still unsaved
    with qtbot.waitSignal(panel.view_did_load, timeout=5000, check_params_cb=is_(sample.vav_id)):
        panel.show_equipment(sample.vav_id)
    assert panel.equipment_id == sample.vav_id
    assert stored(replica, sample.ahu_id, "name") == "Belt drive unit"
    assert line(panel, "name").text() == ""


def test_switching_waits_while_the_unsaved_value_is_refused(
    qtbot: QtBot,
    panel: EquipmentDetail,
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    posted: list[str],
) -> None:
    show(qtbot, panel, sample.ahu_id)
    tag = line(panel, "tag")
    tag.setFocus()
    tag.selectAll()
    qtbot.keyClicks(tag, "VAV-101")
    panel.show_equipment(sample.vav_id)
    settle(qtbot, state)
    assert panel.equipment_id == sample.ahu_id
    assert tag.text() == "VAV-101"
    assert "already used" in panel.fields["tag"].error.text()
    assert any("Still showing AHU-1" in m for m in posted)
    with qtbot.waitSignal(panel.view_did_load, timeout=5000, check_params_cb=is_(sample.vav_id)):
        retype(qtbot, tag, "AHU-2")  # fixed: saved, then the panel moves on
    assert panel.equipment_id == sample.vav_id
    assert stored(replica, sample.ahu_id, "tag") == "AHU-2"

    retype(qtbot, line(panel, "tag"), "AHU-2", enter=False)
    panel.show_equipment(sample.ahu_id)
    settle(qtbot, state)
    assert panel.equipment_id == sample.vav_id
    with qtbot.waitSignal(panel.view_did_load, timeout=5000, check_params_cb=is_(sample.ahu_id)):
        qtbot.keyClick(line(panel, "tag"), Qt.Key.Key_Escape)  # revert: dropped, moves on
    assert panel.equipment_id == sample.ahu_id
    assert stored(replica, sample.vav_id, "tag") == "VAV-101"


def test_a_reread_updates_fields_but_not_the_one_being_typed(
    qtbot: QtBot, panel: EquipmentDetail, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    name = line(panel, "name")
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Half typed")
    update_equipment(replica, sample.ahu_id, {"name": "From the office", "serial": "Z-9"})
    with qtbot.waitSignal(panel.view_did_load, timeout=5000):
        state.data_did_change.emit()  # what a sync that pulled the row announces
    assert line(panel, "serial").text() == "Z-9"
    assert name.text() == "Half typed"
    assert panel.title.text() == "AHU-1 — From the office"


def test_dates_and_json_save_as_the_store_expects(
    qtbot: QtBot, panel: EquipmentDetail, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    date = panel.fields["install_date"]
    clear = date.cell.findChild(QToolButton)
    assert clear is not None and clear.accessibleName() == "Clear installed on"
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert stored(replica, sample.ahu_id, "install_date") is None
    assert read_changes(replica.conn)[-1].fields == {"install_date": None}
    editor = date.editor
    assert isinstance(editor, QDateEdit) and editor.text() == "No date"
    settle(qtbot, state)
    editor.setFocus()
    editor.setDate(QDate(2019, 3, 7))
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert str(stored(replica, sample.ahu_id, "install_date")) == "2019-03-07"

    properties = panel.fields["properties"].editor
    assert isinstance(properties, QPlainTextEdit)
    properties.setFocus()
    properties.selectAll()
    qtbot.keyClicks(properties, '{"cfm": 9000, "belt": "B-48"}')
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        line(panel, "serial").setFocus()  # leaving the box saves it
    assert stored(replica, sample.ahu_id, "properties") == {"cfm": 9000, "belt": "B-48"}


def test_save_button_saves_every_unsaved_field_as_one_edit(
    qtbot: QtBot,
    panel: EquipmentDetail,
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    posted: list[str],
) -> None:
    show(qtbot, panel, sample.ahu_id)
    for name, text in (("manufacturer", "Carrier"), ("model", "39M")):
        editor = line(panel, name)  # typed into without focus moving (focus-out would save)
        editor.selectAll()
        qtbot.keyClicks(editor, text)
    before = count_changes(replica.conn)
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert count_changes(replica.conn) == before + 1
    assert read_changes(replica.conn)[-1].fields == {"manufacturer": "Carrier", "model": "39M"}
    assert len(state.undo_history) == 1
    assert posted[-1] == "Saved the manufacturer and model of AHU-1."
    settle(qtbot, state)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert posted[-1].startswith("Nothing to save")


def test_every_control_has_a_name_and_a_finger_sized_target(
    qtbot: QtBot, panel: EquipmentDetail, sample: SampleBuilding
) -> None:
    show(qtbot, panel, sample.ahu_id)
    controls = [f.editor for f in panel.fields.values()]
    controls += [panel.save_button, panel.revert_button, panel.fed_by.list, panel.feeds.list]
    controls.append(panel.fields["install_date"].cell.findChild(QToolButton))
    for control in controls:
        assert control.accessibleName(), control
        assert control.height() >= TOUCH_TARGET_PX, control.accessibleName()


def test_an_edit_saved_after_its_panel_closed_can_still_be_undone(
    qtbot: QtBot, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    closing = EquipmentDetail(state)
    with qtbot.waitSignal(closing.view_did_load, timeout=5000):
        closing.show_equipment(sample.ahu_id)
    retype(qtbot, line(closing, "serial"), "SN-1")  # queued...
    closing.deleteLater()  # ...and the panel goes before the answer comes back
    qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)
    assert stored(replica, sample.ahu_id, "serial") == "SN-1"
    assert len(state.undo_history) == 1
