"""After a contractor session ends the window leaves the removed building at once.

Driven like a user would: the pass is scanned and started, records and a
drawing of its building are opened, then File → End contractor session. What
the window shows afterwards (every page's rows, the title, the menus) must hold
nothing of the building that left the device.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from arxos_desktop.access.session import load_session, start_session
from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment
from arxos_desktop.store.rescope import finish_rescope
from arxos_desktop.store.workorders import create_work_order
from arxos_desktop.ui.access.session_controller import AccessController
from arxos_desktop.ui.building_keeper import BEFORE_PASS_KEY, BuildingKeeper
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.equipment_navigator import NODE_ROLE
from arxos_desktop.ui.equipment_page import EquipmentPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.no_building import NO_BUILDING, NoBuildingCover
from arxos_desktop.ui.pages import NEEDS_A_BUILDING, build_pages, building_actions
from arxos_desktop.ui.record_side import RecordSide
from arxos_desktop.ui.scanner import ScanPage
from arxos_desktop.ui.search_palette import SearchPalette
from arxos_desktop.ui.startup import StartOptions, start
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.work_orders_page import WorkOrdersPage
from sync.tokens import issue
from tests.conftest import SampleBuilding, build_sample, make_pdf
from tests.test_access_device import KEY, KID, claims_for
from tests.ui.test_access_pass_view import NOW, forget_sample_changes, pass_for, trust_the_issuer

W = TypeVar("W", bound=QWidget)


def other_building(replica: Replica, name: str) -> str:
    """A building of the device's own user: one unit, one work order, one drawing."""
    building = create_building(replica, name=name).id
    unit = create_equipment(replica, building_id=building, tag="PMP-7", system="plumbing")
    create_work_order(replica, building_id=building, title="Bleed the pump", equipment_id=unit.id)
    sha = replica.blobs.put_bytes(make_pdf(1, text="Pump room"))
    with replica.transaction() as writer:
        writer.insert("document", {"building_id": building, "discipline": "plumbing",
                                   "title": "Pump room", "file_name": "p-1.pdf",
                                   "blob_sha256": sha, "page_count": 1})  # fmt: skip
    return building


def ids_of(replica: Replica, building_id: str) -> set[str]:
    """Every row id of the building (what must not be on screen once it left)."""
    found = {building_id}
    for table in ("floors", "rooms", "equipment", "work_orders", "documents"):
        rows = replica.conn.execute(f"SELECT id FROM {table} WHERE building_id = ?", (building_id,))
        found |= {row[0] for row in rows}
    return found


def ids_on_screen(window: MainWindow) -> set[str]:
    """The record ids every page shows now: tables, the navigator, the drawings, the side."""
    equipment = one(window, EquipmentPage)
    shown = {equipment.model.id_at(row) for row in range(equipment.model.rowCount())}
    tree = equipment.navigator.view.model()
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(tree.rowCount(parent)):
            index = tree.index(row, 0, parent)
            shown.add(str(index.data(NODE_ROLE)).partition(":")[2])
            stack.append(index)
    for combo in (equipment.navigator.buildings, equipment.filters.floor):
        shown |= {str(combo.itemData(i) or "") for i in range(combo.count())}
    work = one(window, WorkOrdersPage)
    shown |= {card.id for card in work.model.cards()}
    for column in work.board.columns.values():
        shown |= {str(column.item(row).data(Qt.ItemDataRole.UserRole))
                  for row in range(column.count())}  # fmt: skip
    shown |= {entry.id for entry in one(window, DrawingsPage).library.entries()}
    for side in window.findChildren(RecordSide):
        shown |= {side.record_id or "", side.notes.target_id or "", side.dictation.target_id or ""}
        shown.add(side.photos.target[1] if side.photos.target else "")
    shown.add(one(window, EquipmentDetail).equipment_id or "")
    return shown - {""}


def one(window: MainWindow, kind: type[W]) -> W:
    (found,) = window.findChildren(kind)
    return found


def action(window: MainWindow, text: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def controller_of(window: MainWindow) -> AccessController:
    found = window.findChild(AccessController)
    assert found is not None
    return found


@pytest.fixture
def window(state: AppState, qsettings: QSettings, qtbot: QtBot) -> Iterator[MainWindow]:
    main = MainWindow(qsettings)
    qtbot.addWidget(main)
    main.attach(state)
    build_pages(main, state)
    main.resize(1280, 800)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


def start_pass_session(window: MainWindow, qtbot: QtBot, building_id: str) -> None:
    """Scan a pass for *building_id* and tap Start, as the contractor does."""
    controller = controller_of(window)
    with qtbot.waitSignal(controller.pass_was_checked, timeout=5000):
        one(window, ScanPage).access_token_was_read.emit(
            pass_for(building_id, permissions=("read", "write"))
        )
    with qtbot.waitSignal(controller.session_did_start, timeout=5000):
        qtbot.mouseClick(controller.view.start_button, Qt.MouseButton.LeftButton)


def settle(qtbot: QtBot, state: AppState) -> None:
    qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)
    qtbot.wait(20)  # callbacks of the last ops may queue one more read
    qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)


def test_ending_a_session_goes_back_to_the_building_shown_before_with_nothing_of_the_pass(
    window: MainWindow, state: AppState, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    create_building(replica, name="Alder Court")  # first by name: not where the user was
    harbour = other_building(replica, "Harbour Depot")
    forget_sample_changes(replica)
    trust_the_issuer(replica, sample.building_id)
    state.set_building(harbour)
    settle(qtbot, state)
    assert window.windowTitle() == "Harbour Depot — ArxOS Field"

    start_pass_session(window, qtbot, sample.building_id)
    assert state.building_id == sample.building_id
    gone = ids_of(replica, sample.building_id)
    # The contractor opens the unit, its drawing, and searches for it.
    equipment = one(window, EquipmentPage)
    qtbot.waitUntil(lambda: equipment.model.rowCount() == 2, timeout=5000)
    equipment.table.selectRow(equipment.model.row_of(sample.ahu_id))
    detail = one(window, EquipmentDetail)
    qtbot.waitUntil(lambda: detail.equipment_id == sample.ahu_id, timeout=5000)
    drawings = one(window, DrawingsPage)
    window.pages.setCurrentWidget(drawings)
    qtbot.waitUntil(lambda: bool(drawings.library.entries()), timeout=5000)
    drawings.library.drawing_was_chosen.emit(drawings.library.entries()[0])
    qtbot.waitUntil(lambda: drawings.viewer.tiles.preview_complete, timeout=10_000)
    palette = one(window, SearchPalette)
    palette.open_over_window()
    with qtbot.waitSignal(palette.results_did_show, timeout=5000):
        qtbot.keyClicks(palette.box, "AHU")
    assert palette.results.count() >= 1
    assert ids_on_screen(window) & gone

    with qtbot.waitSignal(controller_of(window).session_did_end, timeout=10_000):
        action(window, "End contractor session").trigger()
    qtbot.waitUntil(lambda: state.building_id == harbour, timeout=5000)
    settle(qtbot, state)

    assert window.windowTitle() == "Harbour Depot — ArxOS Field"
    assert "the building's data has left this device" in window.statusBar().currentMessage()
    on_screen = ids_on_screen(window)
    assert not on_screen & gone
    assert harbour in on_screen
    assert {equipment.model.id_at(r) for r in range(equipment.model.rowCount())} == set(
        replica.conn.execute(
            "SELECT id FROM equipment WHERE building_id = ?", (harbour,)
        ).fetchone()
    )
    assert drawings.viewer.bridge is None and drawings.viewer.entry is None
    assert drawings.viewer.title.text() == ""
    assert all(palette.hit_at(r).building_id != sample.building_id
               for r in range(palette.results.count()))  # fmt: skip
    assert not any(c.isVisible() for c in window.findChildren(NoBuildingCover))
    assert action(window, "New work order…").isEnabled() is False  # not its page
    window.pages.setCurrentWidget(one(window, WorkOrdersPage))
    assert action(window, "New work order…").isEnabled()
    assert window.settings.value(BEFORE_PASS_KEY) is None  # back: nothing to return to


def test_with_no_other_building_every_page_says_so_and_building_actions_are_off(
    window: MainWindow, state: AppState, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    forget_sample_changes(replica)
    trust_the_issuer(replica, sample.building_id)
    start_pass_session(window, qtbot, sample.building_id)
    work = one(window, WorkOrdersPage)
    qtbot.waitUntil(lambda: work.model.rowCount() == 1, timeout=5000)
    assert action(window, "Filter equipment").isEnabled()

    with qtbot.waitSignal(controller_of(window).session_did_end, timeout=10_000):
        action(window, "End contractor session").trigger()
    keeper = window.findChild(BuildingKeeper)
    assert keeper is not None
    qtbot.waitUntil(lambda: state.building_id is None, timeout=5000)
    settle(qtbot, state)

    assert ids_on_screen(window) == set()
    assert window.windowTitle() == "ArxOS Field"
    # The whole sentence stays on screen until read (the status bar cuts it).
    notice = window.findChild(QMessageBox, "sessionEndedNotice")
    assert notice is not None and notice.isVisible()
    assert notice.text().startswith("Your pass has ended")
    notice.accept()
    for page in (one(window, EquipmentPage), work, one(window, DrawingsPage)):
        window.pages.setCurrentWidget(page)
        (cover,) = page.findChildren(NoBuildingCover)
        assert cover.isVisible() and cover.geometry() == page.rect()
        assert cover.sentence.text() == NO_BUILDING
        assert cover.scan_button.height() >= 40 and cover.sign_in_button.accessibleName()
    # The work orders page switches its actions on when shown: without a building they stay off.
    window.pages.setCurrentWidget(work)
    for text in ("New work order…", "Filter equipment", "&Save equipment", "Find on drawing",
                 "Take a p&hoto…", "&Dictate a note"):  # fmt: skip
        assert not action(window, text).isEnabled(), text
    assert action(window, "Search…").isEnabled()
    named = {a.text() for a in building_actions(window)}
    assert named >= set(NEEDS_A_BUILDING) and "Zoom in" in named  # no name went stale
    # The cover's way out: the Scan page, to scan another pass.
    cover = work.findChildren(NoBuildingCover)[0]
    qtbot.mouseClick(cover.scan_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is one(window, ScanPage)

    # Signed in again, a sync brings a building: the window opens it, the covers go.
    state.ops.run(lambda rep: create_building(rep, name="Quay Works").id, writes=True)
    qtbot.waitUntil(lambda: state.building_id is not None, timeout=5000)
    settle(qtbot, state)
    assert window.windowTitle() == "Quay Works — ArxOS Field"
    assert not any(c.isVisible() for c in window.findChildren(NoBuildingCover))
    assert action(window, "Filter equipment").isEnabled()


def test_a_revoked_grant_that_takes_the_building_away_through_sync_moves_the_window_too(
    window: MainWindow, state: AppState, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    harbour = other_building(replica, "Harbour Depot")
    forget_sample_changes(replica)
    state.set_building(sample.building_id)
    equipment = one(window, EquipmentPage)
    qtbot.waitUntil(lambda: equipment.model.rowCount() == 3, timeout=5000)
    gone = ids_of(replica, sample.building_id)

    # What the sync loop does when the pull's grant list no longer names the building.
    state.ops.run(lambda rep: finish_rescope(rep, sample.building_id, set(), None), writes=True)
    qtbot.waitUntil(lambda: state.building_id == harbour, timeout=5000)
    settle(qtbot, state)
    assert not ids_on_screen(window) & gone
    assert window.windowTitle() == "Harbour Depot — ArxOS Field"


def test_a_session_found_over_at_start_up_never_opens_its_building(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    qsettings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    replica = Replica.open(home)
    try:
        sample = build_sample(replica)
        harbour = other_building(replica, "Harbour Depot")
        create_building(replica, name="Alder Court")
        forget_sample_changes(replica)
        trust_the_issuer(replica, sample.building_id)
        # The pass ran out while the app was closed.
        began = int(NOW.timestamp()) - 3 * 3600
        claims = claims_for(sample.building_id, not_before=began, expires=began + 3600)
        start_session(replica, issue(claims, KEY, KID), now=NOW - dt.timedelta(hours=2))
        gone = ids_of(replica, sample.building_id)
    finally:
        replica.close()
    qsettings.setValue("session/building", sample.building_id)  # open when the app closed
    qsettings.setValue(BEFORE_PASS_KEY, harbour)
    opened: list[str | None] = []
    original = AppState.set_building

    def recording(self: AppState, building_id: str | None) -> None:
        original(self, building_id)
        opened.append(self.building_id)

    monkeypatch.setattr(AppState, "set_building", recording)
    window = start(qapp, StartOptions(home=home), qsettings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.state is not None and window.state.building_id == harbour,
                    timeout=10_000)  # fmt: skip
    state = window.state
    assert state is not None
    settle(qtbot, state)
    assert sample.building_id not in opened
    assert load_session(home) is None
    assert not ids_on_screen(window) & gone
    assert window.windowTitle() == "Harbour Depot — ArxOS Field"
    assert "Your pass has ended" in window.statusBar().currentMessage()
    window.close()
