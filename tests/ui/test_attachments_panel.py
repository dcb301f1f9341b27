"""The attachments panel: add from a file, thumbnails off the UI thread, the viewer."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.attachments import attach_photo, attachments_for
from arxos_desktop.ui.attachments import AttachmentsPanel
from arxos_desktop.ui.attachments.panel import SHA_ROLE
from arxos_desktop.ui.attachments.viewer import ViewerDialog
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.outbox import read_changes
from tests.conftest import SampleBuilding
from tests.media import make_jpeg
from tests.ui.attachments_demo import demo_panel
from tests.ui.stall_probe import StallProbe


@pytest.fixture
def panel(state: AppState, qtbot: QtBot) -> Iterator[AttachmentsPanel]:
    widget = demo_panel(state)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()


def choose_files(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """The file dialog answers with *paths*, as if the technician had picked them."""
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        lambda *args, **kwargs: ([str(p) for p in paths], "All files (*)"),
    )


def tiles(panel: AttachmentsPanel) -> dict[str, bool]:
    """File name → whether its tile shows a thumbnail (or an icon) yet."""
    model = panel.model
    return {
        model.item(row).text(): not model.item(row).icon().isNull()
        for row in range(model.rowCount())
    }


def show(qtbot: QtBot, panel: AttachmentsPanel, entity: str, target_id: str) -> None:
    with qtbot.waitSignal(panel.attachments_did_load, timeout=5000):
        panel.show_target(entity, target_id)


def test_a_photo_added_from_a_file_gets_a_thumbnail_and_its_row_and_change(
    panel: AttachmentsPanel,
    replica: Replica,
    sample: SampleBuilding,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    photo = tmp_path / "filter-bank.jpg"
    photo.write_bytes(make_jpeg(1200, 900))
    show(qtbot, panel, "workorder", sample.work_order_id)
    assert panel.status.text() == "No photos or files yet. Add a file, or take a photo."
    choose_files(monkeypatch, photo)
    with qtbot.waitSignal(panel.attachment_was_added, timeout=5000) as added:
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tiles(panel) == {"filter-bank.jpg": True}, timeout=5000)
    icon = panel.model.item(0).icon()
    assert icon.availableSizes() and icon.availableSizes()[0].width() == 160
    (row,) = attachments_for(replica, sample.work_order_id)
    assert (row.id, row.file_name, row.mime_type) == (added.args[0], photo.name, "image/jpeg")
    assert replica.blobs.get(row.blob_sha256).read_bytes() == photo.read_bytes()
    (change,) = [c for c in read_changes(replica.conn) if c.entity_id == row.id]
    assert change.entity == "attachment" and change.fields["target_id"] == sample.work_order_id
    assert (
        replica.home / "thumbnails" / row.blob_sha256[:2] / f"{row.blob_sha256}-160.png"
    ).is_file()
    assert not panel.progress.isVisible() and not panel.status.isVisible()


def test_tiles_show_their_names_first_and_a_damaged_photo_gets_a_file_icon(
    panel: AttachmentsPanel, sample: SampleBuilding, qtbot: QtBot
) -> None:
    release = threading.Event()
    make = panel.previews.cache.thumbnail

    def slow_thumbnail(sha256: str, mime_type: str, size: int) -> Path:
        release.wait(10)
        return make(sha256, mime_type, size)

    panel.previews.cache.thumbnail = slow_thumbnail  # type: ignore[method-assign]
    show(qtbot, panel, "equipment", sample.ahu_id)
    assert tiles(panel) == {"nameplate.png": False}  # its name, while its thumbnail is made
    with qtbot.waitSignal(panel.tile_did_change, timeout=5000):
        release.set()
    assert tiles(panel) == {"nameplate.png": True}
    assert "damaged" in panel.model.item(0).toolTip()


def test_a_file_that_cannot_be_read_is_refused_in_words(
    panel: AttachmentsPanel,
    replica: Replica,
    sample: SampleBuilding,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    show(qtbot, panel, "room", sample.room_id)
    before = len(read_changes(replica.conn))
    choose_files(monkeypatch, tmp_path / "gone.jpg")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "was not attached" in panel.status.text(), timeout=5000)
    assert panel.status.text().startswith("gone.jpg was not attached: Cannot read gone.jpg")
    assert not panel.progress.isVisible()
    assert len(read_changes(replica.conn)) == before


def test_a_big_file_is_copied_with_progress_and_the_screen_keeps_painting(
    panel: AttachmentsPanel,
    sample: SampleBuilding,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    video = tmp_path / "walkthrough.mp4"
    video.write_bytes(b"\0" * (48 << 20))
    show(qtbot, panel, "room", sample.room_id)
    choose_files(monkeypatch, video)
    values: list[int] = []
    panel.progress.valueChanged.connect(values.append)
    with (
        StallProbe().running() as probe,
        qtbot.waitSignal(panel.attachment_was_added, timeout=20000),
    ):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
        assert panel.progress.isVisible()
        assert panel.status.text() == "Adding walkthrough.mp4…"
    assert values and values[-1] == 1000 and len(values) > 3
    assert probe.longest_ms < 250, probe.longest_ms
    qtbot.waitUntil(lambda: tiles(panel) == {"walkthrough.mp4": True}, timeout=5000)


def test_enter_opens_the_viewer_fitted_and_ctrl_plus_minus_zoom(
    panel: AttachmentsPanel, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    attach_photo(
        replica,
        target_kind="room",
        target_id=sample.room_id,
        jpeg=make_jpeg(2400, 1800),
        file_name="riser.jpg",
    )
    show(qtbot, panel, "room", sample.room_id)
    panel.grid.setFocus()
    panel.grid.setCurrentIndex(panel.model.index(0, 0))
    qtbot.keyClick(panel.grid, Qt.Key.Key_Return)
    viewer = panel.findChild(ViewerDialog)
    assert viewer is not None and viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.has_picture, timeout=5000)
    assert viewer.status.text() == "riser.jpg — 2400 × 1800"
    fitted = viewer.scale
    assert 0 < fitted < 1  # the whole 2400 px photo fits the window
    qtbot.keyClick(viewer, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.scale == pytest.approx(fitted * 1.25)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.scale == pytest.approx(fitted / 1.25)
    qtbot.keyClick(viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.scale == pytest.approx(fitted)
    viewer.close()


def test_double_click_opens_a_pdf_by_its_first_page(
    panel: AttachmentsPanel, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    from arxos_desktop.store.attachments import attach_file
    from tests.conftest import make_pdf

    pdf = replica.home / "wiring.pdf"
    pdf.write_bytes(make_pdf(2))
    attach_file(replica, target_kind="equipment", target_id=sample.vav_id, source=pdf)
    show(qtbot, panel, "equipment", sample.vav_id)
    qtbot.waitUntil(lambda: tiles(panel) == {"wiring.pdf": True}, timeout=5000)
    rect = panel.grid.visualRect(panel.model.index(0, 0))
    # A real double-click: Qt's item views need the press of the first click too.
    qtbot.mouseClick(panel.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = panel.findChild(ViewerDialog)
    assert viewer is not None
    qtbot.waitUntil(lambda: viewer.has_picture, timeout=5000)
    assert viewer.item.pixmap().width() == 2400
    viewer.close()


def test_controls_are_touch_sized_and_named(
    panel: AttachmentsPanel, sample: SampleBuilding, qtbot: QtBot
) -> None:
    show(qtbot, panel, "equipment", sample.ahu_id)
    for button in (panel.add_button, panel.camera_button):
        assert button.height() >= TOUCH_TARGET_PX and button.accessibleName()
    assert panel.grid.accessibleName() == "Photos and files"
    assert isinstance(panel.model.item(0).data(SHA_ROLE), str)


def test_a_photo_whose_file_arrives_after_its_row_gets_its_thumbnail_then(
    panel: AttachmentsPanel, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    jpeg = make_jpeg(shade=200)
    sha = hashlib.sha256(jpeg).hexdigest()
    with replica.transaction() as writer:  # as a pull delivers it: the row before the file
        writer.insert(
            "attachment",
            {
                "building_id": sample.building_id,
                "target_kind": "room",
                "target_id": sample.room_id,
                "blob_sha256": sha,
                "mime_type": "image/jpeg",
                "file_name": "from-the-office.jpg",
            },
        )
    show(qtbot, panel, "room", sample.room_id)
    qtbot.waitUntil(lambda: "not stored on this device yet" in panel.model.item(0).toolTip())
    assert panel.model.item(0).icon().availableSizes() != [QSize(160, 120)]
    replica.blobs.put_bytes(jpeg)  # the sync's download
    with qtbot.waitSignal(panel.tile_did_change, timeout=5000):
        panel.state.data_did_change.emit()  # what the sync worker announces
    assert panel.model.item(0).icon().availableSizes() == [QSize(160, 120)]
