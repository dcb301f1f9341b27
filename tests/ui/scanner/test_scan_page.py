"""The Scan page fed by a video file standing in for the camera (real cv2.VideoCapture)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from arxos_desktop.scanner.decode import Code
from arxos_desktop.scanner.routing import Route
from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, find_by_tag
from arxos_desktop.store.rescope import finish_rescope
from arxos_desktop.ui.attachments.panel import CAMERA_ENV
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.scanner import ScanPage
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from tests.conftest import SampleBuilding
from tests.scan_images import linear_image, on_canvas, qr_image
from tests.ui.test_access_pass_view import forget_sample_changes

TOKEN = "eyJ0eXAiOiJhcnhvcy1hY2Nlc3Mrand0IiwiYWxnIjoiRWREU0EifQ.eyJiIjoxfQ.c2lnbmF0dXJl"


def qr_video(path: Path, text: str) -> Path:
    """An MJPG .avi whose every frame shows the code (it loops, as a camera keeps seeing)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (480, 360))
    assert writer.isOpened()
    frame = cv2.cvtColor(
        on_canvas(qr_image(text, module_px=3), size=(480, 360)), cv2.COLOR_GRAY2BGR
    )
    for _ in range(6):
        writer.write(frame)
    writer.release()
    return path


def window_with_pages(state: AppState, qsettings: QSettings, qtbot: QtBot) -> MainWindow:
    window = MainWindow(qsettings)
    qtbot.addWidget(window)
    window.attach(state)
    build_pages(window, state)
    window.show()
    qtbot.waitExposed(window)
    return window


def scan_page_of(window: MainWindow) -> ScanPage:
    (page,) = window.findChildren(ScanPage)
    return page


def test_a_scanned_equipment_link_shows_in_the_list_and_opens_that_equipment(
    state: AppState,
    sample: SampleBuilding,
    qsettings: QSettings,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    video = qr_video(tmp_path / "camera.avi", f"arxos://equipment/{sample.ahu_id}")
    monkeypatch.setenv(CAMERA_ENV, str(video))
    window = window_with_pages(state, qsettings, qtbot)
    page = scan_page_of(window)
    assert not page.camera_running  # not on screen: the camera stays off
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(page.code_was_routed, timeout=10_000) as routed:
        qtbot.keyClick(
            window,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert window.pages.currentWidget() is page and page.camera_running
    outcome = routed.args[0]
    assert outcome.routed.route is Route.EQUIPMENT_LINK
    assert outcome.equipment_id == sample.ahu_id
    assert page.results.item(0).text().startswith("Equipment AHU-1")
    # The equipment opened on its own page, and leaving the Scan page released the camera.
    qtbot.waitUntil(lambda: window.pages.tabText(window.pages.currentIndex()) == "Equipment")
    detail = window.findChild(EquipmentDetail)
    assert detail is not None
    qtbot.waitUntil(lambda: detail.title.text().startswith("AHU-1"), timeout=5000)
    assert not page.camera_running
    window.close()


def test_the_preview_outlines_the_code_and_reads_it_once(
    state: AppState, sample: SampleBuilding, qtbot: QtBot, tmp_path: Path
) -> None:
    page = ScanPage(state, camera=qr_video(tmp_path / "camera.avi", "AHU-1"))
    qtbot.addWidget(page)
    routed: list[object] = []
    page.code_was_routed.connect(routed.append)
    page.resize(1000, 600)
    page.show()
    qtbot.waitUntil(
        lambda: page.preview.image is not None and bool(page.preview.codes), timeout=10_000
    )
    (code,) = page.preview.codes
    assert code.text == "AHU-1" and len(code.polygon) == 4
    assert page.preview.frame_size == (480, 360)
    qtbot.waitUntil(lambda: len(routed) == 1, timeout=5000)
    qtbot.wait(600)  # the looping video shows the same code again and again
    assert len(routed) == 1 and page.results.count() == 1
    assert page.results.item(0).text().startswith("Equipment AHU-1")
    assert page.open_button.isEnabled() and page.open_button.height() >= TOUCH_TARGET_PX
    with qtbot.waitSignal(state.record_was_requested) as opened:
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == ["equipment", sample.ahu_id]
    qtbot.mouseClick(page.camera_button, Qt.MouseButton.LeftButton)
    assert not page.camera_running and page.camera_button.text() == "Start camera"
    page.shutdown()


def test_no_camera_is_said_in_words_and_a_file_can_still_be_scanned(
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = ScanPage(state, camera=97)  # no such device
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: "No camera found" in page.status.text(), timeout=5000)
    assert "No camera found" in page.preview.text and not page.camera_running

    label = tmp_path / "label.png"
    assert cv2.imwrite(str(label), on_canvas(linear_image("VAV-101", "code128"), size=(480, 320)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(label), ""))
    with qtbot.waitSignal(state.record_was_requested, timeout=5000) as opened:
        qtbot.mouseClick(page.file_button, Qt.MouseButton.LeftButton)
    assert opened.args == ["equipment", find_by_tag(replica, sample.building_id, "VAV-101").id]
    assert page.results.item(0).text() == "Equipment VAV-101\nCode 128"

    garbage = tmp_path / "pass.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    page.scan_path(garbage)
    qtbot.waitUntil(lambda: page.file_button.isEnabled(), timeout=5000)
    assert page.status.text() == "This picture is damaged: its header gives no size."
    assert page.results.count() == 1
    page.shutdown()


def test_an_access_pass_is_handed_to_the_access_service_unverified(
    state: AppState, sample: SampleBuilding, qtbot: QtBot, tmp_path: Path
) -> None:
    page = ScanPage(state, camera=97)
    qtbot.addWidget(page)
    photo = tmp_path / "pass.png"
    picture = on_canvas(qr_image(TOKEN, module_px=3), size=(480, 360))
    assert cv2.imwrite(str(photo), np.asarray(picture))
    with qtbot.waitSignal(page.access_token_was_read, timeout=5000) as handed:
        page.scan_path(photo)
    assert handed.args == [TOKEN]
    assert page.results.item(0).text() == "Access pass\nQR code"
    page.shutdown()


def test_a_scanned_equipment_code_leads_to_its_pin_on_the_drawing(
    state: AppState,
    sample: SampleBuilding,
    qsettings: QSettings,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from arxos_desktop.ui.drawings.page import DrawingsPage

    video = qr_video(tmp_path / "camera.avi", f"arxos://equipment/{sample.ahu_id}")
    monkeypatch.setenv(CAMERA_ENV, str(video))
    window = window_with_pages(state, qsettings, qtbot)
    page = scan_page_of(window)
    assert not page.pin_button.isEnabled()
    with qtbot.waitSignal(page.code_was_routed, timeout=10_000):
        window.pages.setCurrentWidget(page)
    # The read opened the equipment (and the camera stopped); the read stays listed.
    page.results.setCurrentRow(0)
    assert page.pin_button.isEnabled()
    drawings = window.findChild(DrawingsPage)
    assert drawings is not None
    with qtbot.waitSignal(drawings.pin_focus.pin_did_show, timeout=10_000) as shown:
        page.pin_button.click()
    assert window.pages.currentWidget() is drawings
    assert drawings.viewer.entry is not None and drawings.viewer.entry.id == sample.document_id
    assert isinstance(shown.args[0], str)
    window.close()


def test_a_listed_code_stops_opening_equipment_that_left_the_device(
    state: AppState, sample: SampleBuilding, qsettings: QSettings, qtbot: QtBot
) -> None:
    window = window_with_pages(state, qsettings, qtbot)
    state.set_building(sample.building_id)
    page = scan_page_of(window)
    with qtbot.waitSignal(page.code_was_routed, timeout=5000):
        page.route(Code(b"AHU-1", "QRCODE", "pyzbar", ()))
    with qtbot.waitSignal(page.code_was_routed, timeout=5000):
        page.route(Code(b"PMP-9", "CODE128", "pyzbar", ()))  # not on this device yet
    assert page.results.item(1).text().startswith("Equipment AHU-1")
    page.results.setCurrentRow(1)
    assert page.open_button.isEnabled()

    # The building leaves the device (as when a pass ends): the line no longer opens it.
    forget_sample_changes(state.replica)  # as if synced: nothing holds its rows back
    state.ops.run(lambda rep: finish_rescope(rep, sample.building_id, set(), None), writes=True)
    qtbot.waitUntil(lambda: not page.open_button.isEnabled(), timeout=5000)
    assert not page.results.item(1).text().startswith("Equipment")

    # A sync brings PMP-9 in another building: its line now opens it.
    def bring(rep: Replica) -> str:
        building = create_building(rep, name="Quay Works").id
        return create_equipment(rep, building_id=building, tag="PMP-9", system="plumbing").id

    made: list[str] = []
    state.ops.run(bring, success=made.append, writes=True)
    qtbot.waitUntil(lambda: bool(made), timeout=5000)
    qtbot.waitUntil(
        lambda: page.results.item(0).data(Qt.ItemDataRole.UserRole + 1).equipment_id == made[0],
        timeout=5000,
    )
    assert page.results.item(0).text().startswith("Equipment PMP-9")
    window.close()
