"""The detail panel against a real sync server: an edit reaches a second device, and an undo
never overwrites the newer value another device synced since.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.ui.edits import install_undo
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.state import AppState
from sync.client import RefreshingAuth, SyncClient, sign_in
from sync.outbox import count_changes
from tests.conftest import build_sample
from tests.server.conftest import (  # noqa: F401 (fixtures used by name)
    Account,
    app,
    base_url,
    client,
    database_url,
    fast_password_hashing,
    settings,
    tech,
    user_factory,
)


def _syncer(base: str, replica: Replica, account: Account) -> SyncClient:
    tokens = sign_in(
        base, email=account.email, password=account.password, device_id=replica.device_id
    )
    auth = RefreshingAuth(tokens, refresh_url=f"{base}/v1/auth/refresh")
    return SyncClient(base, target=ReplicaSyncTarget(replica), auth=auth)


def test_an_edit_syncs_and_undo_keeps_the_other_devices_newer_value(
    qtbot: QtBot,
    qsettings: QSettings,
    state: AppState,
    replica: Replica,
    base_url: str,  # noqa: F811
    tech: Account,  # noqa: F811
    tmp_path: Path,
) -> None:
    sample = build_sample(replica)
    other = Replica.open(tmp_path / "office")
    here, there = _syncer(base_url, replica, tech), _syncer(base_url, other, tech)
    here.sync_once()
    there.sync_once()

    window = MainWindow(qsettings)
    qtbot.addWidget(window)
    window.attach(state)
    panel = EquipmentDetail(state)
    window.add_page(panel, "Equipment", entities=("equipment",))
    undo = install_undo(window, state)
    window.show()
    with qtbot.waitSignal(panel.view_did_load, timeout=5000):
        panel.show_equipment(sample.ahu_id)
    name = panel.fields["name"].editor
    assert isinstance(name, QLineEdit)
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Supply fan 1")
    with qtbot.waitSignal(panel.edit_did_save, timeout=5000):
        qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not state.ops.busy)  # the panel's re-read after its save

    assert here.sync_once().accepted == 1
    there.sync_once()
    assert find_by_tag(other, sample.building_id, "AHU-1").name == "Supply fan 1"

    update_equipment(other, sample.ahu_id, {"name": "Supply fan 1 (belt drive)"})
    there.sync_once()
    here.sync_once()  # what the app's sync worker does, then it announces the change
    state.data_did_change.emit()
    qtbot.waitUntil(lambda: name.text() == "Supply fan 1 (belt drive)", timeout=5000)

    waiting = count_changes(replica.conn)
    undo.trigger()
    qtbot.waitUntil(lambda: "Did not undo" in window.statusBar().currentMessage(), timeout=5000)
    assert count_changes(replica.conn) == waiting
    here.sync_once()
    there.sync_once()
    for device in (replica, other):
        assert find_by_tag(device, sample.building_id, "AHU-1").name == "Supply fan 1 (belt drive)"
    qtbot.waitUntil(lambda: not state.ops.busy)
    other.close()
