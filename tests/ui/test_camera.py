"""The camera path: a video file stands in for the camera (real cv2.VideoCapture, MJPG)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.attachments import attachments_for
from arxos_desktop.ui.attachments import AttachmentsPanel
from arxos_desktop.ui.attachments.camera import CameraDialog
from arxos_desktop.ui.attachments.capture import PREVIEW_FPS
from arxos_desktop.ui.attachments.panel import ID_ROLE
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.outbox import read_changes
from tests.conftest import SampleBuilding
from tests.media import make_video
from tests.ui.attachments_demo import demo_panel


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return make_video(tmp_path / "camera.avi")


@pytest.fixture
def panel(
    state: AppState, sample: SampleBuilding, video: Path, qtbot: QtBot
) -> Iterator[AttachmentsPanel]:
    widget = demo_panel(state, camera=video)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.attachments_did_load, timeout=5000):
        widget.show_target("equipment", sample.vav_id, label="VAV-101")
    yield widget
    widget.shutdown()


def open_camera(panel: AttachmentsPanel, qtbot: QtBot) -> CameraDialog:
    qtbot.mouseClick(panel.camera_button, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(CameraDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_a_photo_through_the_camera_path_is_stored_and_gets_a_thumbnail(
    panel: AttachmentsPanel, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    dialog = open_camera(panel, qtbot)
    assert dialog.windowTitle() == "Take a photo of VAV-101"
    qtbot.waitUntil(lambda: dialog.preview.image is not None, timeout=5000)  # live preview
    assert dialog.shutter.isEnabled() and dialog.shutter.height() >= TOUCH_TARGET_PX
    with qtbot.waitSignal(panel.attachment_was_added, timeout=5000) as added:
        qtbot.keyClick(dialog, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("1 photo saved"), timeout=5000)
    dialog.accept()
    qtbot.waitUntil(
        lambda: panel.model.rowCount() == 1 and not panel.model.item(0).icon().isNull(),
        timeout=5000,
    )
    assert panel.model.item(0).data(ID_ROLE) == added.args[0]
    assert panel.model.item(0).icon().availableSizes() == [QSize(160, 120)]  # the photo's
    (photo,) = attachments_for(replica, sample.vav_id)
    assert photo.id == added.args[0] and photo.mime_type == "image/jpeg"
    assert photo.file_name.startswith("photo-") and photo.file_name.endswith(".jpg")
    stored = cv2.imread(str(replica.blobs.get(photo.blob_sha256)))
    assert np.asarray(stored).shape == (240, 320, 3)  # full frame, not the preview
    assert any(c.entity_id == photo.id for c in read_changes(replica.conn))
    assert panel.model.item(0).text() == photo.file_name


def test_enter_and_the_shutter_button_each_take_one_photo(
    panel: AttachmentsPanel, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    dialog = open_camera(panel, qtbot)
    qtbot.waitUntil(dialog.shutter.isEnabled, timeout=5000)
    with qtbot.waitSignal(dialog.photo_was_saved, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.photo_was_saved, timeout=5000):
        qtbot.mouseClick(dialog.shutter, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "2 photos saved. Take another, or press Done."
    dialog.reject()
    assert len(attachments_for(replica, sample.vav_id)) == 2


@pytest.mark.parametrize("how", ["done button", "escape", "window close"])
def test_the_capture_thread_stops_when_the_dialog_closes(
    panel: AttachmentsPanel, qtbot: QtBot, how: str
) -> None:
    dialog = open_camera(panel, qtbot)
    capture = dialog.capture
    qtbot.waitUntil(lambda: dialog.preview.image is not None, timeout=5000)
    assert capture.isRunning()
    if how == "done button":
        qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    elif how == "escape":
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    else:
        dialog.close()
    assert not dialog.isVisible()
    assert capture.isFinished() and not capture.isRunning()


def test_no_camera_is_said_in_words_and_the_shutter_stays_off(
    state: AppState, sample: SampleBuilding, qtbot: QtBot
) -> None:
    widget = demo_panel(state, camera=97)
    qtbot.addWidget(widget)
    widget.show()
    try:
        with qtbot.waitSignal(widget.attachments_did_load, timeout=5000):
            widget.show_target("room", sample.room_id)
        dialog = open_camera(widget, qtbot)
        qtbot.waitUntil(lambda: dialog.preview.text.startswith("No camera found"), timeout=5000)
        assert dialog.status.text() == "No photo can be taken. Press Done to go back."
        assert not dialog.shutter.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_Space)  # nothing to take: nothing happens
        qtbot.waitUntil(dialog.capture.isFinished, timeout=5000)
        dialog.accept()
    finally:
        widget.shutdown()


def test_the_preview_is_offered_at_a_capped_rate_whatever_the_source_delivers(
    state: AppState, sample: SampleBuilding, tmp_path: Path, qtbot: QtBot
) -> None:
    fast = make_video(tmp_path / "fast.avi", frames=40, fps=120.0)
    widget = demo_panel(state, camera=fast)
    qtbot.addWidget(widget)
    widget.show()
    try:
        with qtbot.waitSignal(widget.attachments_did_load, timeout=5000):
            widget.show_target("room", sample.room_id)
        dialog = open_camera(widget, qtbot)
        shown: list[float] = []
        dialog.capture.frame_did_arrive.connect(lambda _image: shown.append(time.monotonic()))
        qtbot.waitUntil(lambda: len(shown) >= 2, timeout=5000)
        qtbot.wait(1000)
        dialog.accept()
        rate = (len(shown) - 1) / (shown[-1] - shown[0])
        assert rate <= PREVIEW_FPS * 1.1, rate
        assert rate >= PREVIEW_FPS / 3, rate  # still a live preview
    finally:
        widget.shutdown()
