"""The notes panel: newest first with who and when, Ctrl+Enter adds, a refusal keeps the text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store.notes import add_note, notes_for
from arxos_desktop.ui.notes_panel import NotesPanel
from arxos_desktop.ui.state import AppState
from sync.outbox import Op, read_changes
from tests.conftest import SampleBuilding, build_sample


@pytest.fixture
def sample(state: AppState) -> SampleBuilding:
    return build_sample(state.replica)


@pytest.fixture
def panel(qtbot: QtBot, state: AppState) -> Iterator[NotesPanel]:
    widget = NotesPanel(state)
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.show()
    yield widget
    qtbot.waitUntil(lambda: not state.ops.busy)


def shown(panel: NotesPanel) -> list[str]:
    return [panel.notes.item(row).text() for row in range(panel.notes.count())]


def test_the_notes_on_equipment_show_with_their_device_and_time(
    qtbot: QtBot, panel: NotesPanel, sample: SampleBuilding
) -> None:
    panel.show_target("equipment", sample.ahu_id)
    qtbot.waitUntil(lambda: panel.notes.count() == 1)
    text = shown(panel)[0]
    assert text.startswith("Belt squeals at start-up\n— this device · ")
    assert panel.heading.text() == "Notes (1)"
    panel.show_target("room", sample.room_id)
    qtbot.waitUntil(lambda: bool(shown(panel)) and "Door code" in shown(panel)[0])


def test_ctrl_enter_adds_a_note_that_shows_first_and_is_queued(
    qtbot: QtBot, panel: NotesPanel, state: AppState, sample: SampleBuilding
) -> None:
    add_note(state.replica, target_kind="workorder", target_id=sample.work_order_id, text="Older")
    panel.show_target("work_order", sample.work_order_id)
    qtbot.waitUntil(lambda: panel.notes.count() == 1)
    qtbot.keyClicks(panel.box, "Filters are in plant room B")
    qtbot.keyClick(panel.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(panel.box, "bring the 24x24 ones")
    with qtbot.waitSignal(panel.note_did_add) as added:
        qtbot.keyClick(panel.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.notes.count() == 2)
    assert shown(panel)[0].startswith("Filters are in plant room B\nbring the 24x24 ones\n— ")
    assert shown(panel)[1].startswith("Older\n")
    assert panel.box.toPlainText() == ""
    (note_id,) = added.args
    stored = {n.id: n for n in notes_for(state.replica, sample.work_order_id)}
    assert stored[note_id].text == "Filters are in plant room B\nbring the 24x24 ones"
    assert stored[note_id].target_kind == "workorder"
    (change,) = [c for c in read_changes(state.replica.conn) if c.entity_id == note_id]
    assert change.op is Op.INSERT and change.entity == "note"


def test_a_refused_note_keeps_its_text_and_says_why(
    qtbot: QtBot, panel: NotesPanel, state: AppState, sample: SampleBuilding
) -> None:
    panel.show_target("equipment", sample.vav_id)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.error.isVisible() and panel.error.text() == "Type the note first."
    too_long = "x" * 50_001
    panel.box.setPlainText(too_long)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "50000 characters" in panel.error.text())
    assert panel.box.toPlainText() == too_long
    assert panel.add_button.isEnabled()
    assert notes_for(state.replica, sample.vav_id) == []


def test_with_no_target_the_panel_is_empty_and_adding_is_off(
    qtbot: QtBot, panel: NotesPanel, sample: SampleBuilding
) -> None:
    panel.show_target("equipment", sample.ahu_id)
    qtbot.waitUntil(lambda: panel.notes.count() == 1)
    panel.show_target("equipment", None)
    assert panel.notes.count() == 0
    assert not panel.box.isEnabled() and not panel.add_button.isEnabled()
    with pytest.raises(ValueError, match="not on 'floor'"):
        panel.show_target("floor", sample.floor_id)


def test_notes_added_elsewhere_show_after_a_data_change(
    qtbot: QtBot, panel: NotesPanel, state: AppState, sample: SampleBuilding
) -> None:
    panel.show_target("room", sample.room_id)
    qtbot.waitUntil(lambda: panel.notes.count() == 1)
    state.ops.run(
        lambda r: add_note(r, target_kind="room", target_id=sample.room_id, text="Pulled note"),
        writes=True,
    )
    qtbot.waitUntil(lambda: panel.notes.count() == 2)
    assert shown(panel)[0].startswith("Pulled note\n")


def test_the_work_order_page_shows_the_selected_orders_notes(
    qtbot: QtBot, state: AppState, sample: SampleBuilding
) -> None:
    from arxos_desktop.ui.work_orders_page import WorkOrdersPage

    state.set_building(sample.building_id)
    page = WorkOrdersPage(state)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.notes.target_id is None and not page.notes.box.isEnabled()
    page.select(sample.work_order_id)
    assert page.notes.target_id == sample.work_order_id
    qtbot.keyClicks(page.notes.box, "Done by Friday")
    qtbot.mouseClick(page.notes.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.notes.notes.count() == 1)
    assert [n.text for n in notes_for(state.replica, sample.work_order_id)] == ["Done by Friday"]
    qtbot.waitUntil(lambda: not state.ops.busy)  # the page's own re-read, before shutdown


def test_ctrl_enter_twice_while_saving_adds_the_note_once(
    qtbot: QtBot, panel: NotesPanel, state: AppState, sample: SampleBuilding
) -> None:
    panel.show_target("equipment", sample.vav_id)
    qtbot.keyClicks(panel.box, "Damper sticks")
    qtbot.keyClick(panel.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.notes.count() == 1)
    qtbot.waitUntil(lambda: not state.ops.busy)
    assert [n.text for n in notes_for(state.replica, sample.vav_id)] == ["Damper sticks"]
    assert panel.add_button.isEnabled() and panel.box.toPlainText() == ""
