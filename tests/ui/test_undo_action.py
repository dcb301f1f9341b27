"""Edit ▸ Undo (Ctrl+Z): the last saved edit comes back as a new queued change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.queries import get_row
from arxos_desktop.ui.edits import install_undo
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.state import AppState
from sync.outbox import Op, count_changes, read_changes
from tests.conftest import SampleBuilding, build_sample


@pytest.fixture
def window(
    qtbot: QtBot, qsettings: QSettings, state: AppState, replica: Replica
) -> Iterator[tuple[MainWindow, EquipmentDetail, SampleBuilding]]:
    sample = build_sample(replica)
    main = MainWindow(qsettings)
    qtbot.addWidget(main)
    main.attach(state)
    panel = EquipmentDetail(state)
    main.add_page(panel, "Equipment", entities=("equipment",))
    install_undo(main, state)
    panel.attach_to(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    with qtbot.waitSignal(panel.view_did_load, timeout=5000):
        panel.show_equipment(sample.ahu_id)
    yield main, panel, sample
    qtbot.waitUntil(lambda: not state.ops.busy)


def _action(main: MainWindow, text: str) -> object:
    return next(a for a in main.edit_menu.actions() if a.text() == text)


def _name(replica: Replica, equipment_id: str) -> str:
    return str(get_row(replica, "equipment", equipment_id).name)  # type: ignore[attr-defined]


def _settle(qtbot: QtBot, state: AppState) -> None:
    qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)


def _save_name(qtbot: QtBot, panel: EquipmentDetail, text: str) -> None:
    editor = panel.fields["name"].editor
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_undo_puts_the_previous_value_back_as_a_queued_change(
    qtbot: QtBot,
    window: tuple[MainWindow, EquipmentDetail, SampleBuilding],
    state: AppState,
    replica: Replica,
) -> None:
    main, panel, sample = window
    _save_name(qtbot, panel, "First")
    _save_name(qtbot, panel, "Second")
    assert len(state.undo_history) == 2
    undo = _action(main, "&Undo last edit")
    assert undo.shortcut().toString() == "Ctrl+Z"  # type: ignore[attr-defined]
    undo.trigger()  # type: ignore[attr-defined]
    _settle(qtbot, state)
    assert _name(replica, sample.ahu_id) == "First"
    last = read_changes(replica.conn)[-1]
    assert (last.op, last.fields) == (Op.UPDATE, {"name": "First"})
    assert panel.fields["name"].value() == "First"
    assert "Undid the edit of name of AHU-1" in main.statusBar().currentMessage()
    undo.trigger()  # type: ignore[attr-defined]
    _settle(qtbot, state)
    assert _name(replica, sample.ahu_id) == "Air handling unit 1"
    assert read_changes(replica.conn)[-1].fields == {"name": "Air handling unit 1"}
    undo.trigger()  # type: ignore[attr-defined]
    assert "Nothing to undo" in main.statusBar().currentMessage()


def test_ctrl_z_in_a_saved_field_undoes_the_saved_edit(
    qtbot: QtBot,
    window: tuple[MainWindow, EquipmentDetail, SampleBuilding],
    state: AppState,
    replica: Replica,
) -> None:
    _main, panel, sample = window
    _save_name(qtbot, panel, "Typed and saved")
    editor = panel.fields["name"].editor
    assert editor.hasFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot, state)
    assert _name(replica, sample.ahu_id) == "Air handling unit 1"
    assert panel.fields["name"].value() == "Air handling unit 1"


def test_undo_does_not_overwrite_a_newer_value(
    qtbot: QtBot,
    window: tuple[MainWindow, EquipmentDetail, SampleBuilding],
    state: AppState,
    replica: Replica,
) -> None:
    main, panel, sample = window
    _save_name(qtbot, panel, "Mine")
    update_equipment(replica, sample.ahu_id, {"name": "Newer"})  # e.g. pulled by a sync
    before = count_changes(replica.conn)
    _action(main, "&Undo last edit").trigger()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Did not undo" in main.statusBar().currentMessage(), timeout=5000)
    assert _name(replica, sample.ahu_id) == "Newer"
    assert count_changes(replica.conn) == before
    assert len(state.undo_history) == 0


def test_typing_left_unconfirmed_is_saved_when_the_window_closes(
    qtbot: QtBot,
    window: tuple[MainWindow, EquipmentDetail, SampleBuilding],
    state: AppState,
    replica: Replica,
) -> None:
    main, panel, sample = window
    editor = panel.fields["serial"].editor
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "SN-778")  # no Enter, focus never left
    main.close()
    assert str(get_row(replica, "equipment", sample.ahu_id).serial) == "SN-778"  # type: ignore[attr-defined]
    assert read_changes(replica.conn)[-1].fields == {"serial": "SN-778"}
