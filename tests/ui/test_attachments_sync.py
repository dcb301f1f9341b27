"""Photos taken in the panel reach the server and a second device, byte for byte, and
no photo leaves this device before the server has it.

The second device is a plain replica and sync client, as another technician's
tablet would be after its next sync; the server is real, on loopback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.attachments import attachments_for
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.store.rescope import discard_unreferenced_files
from arxos_desktop.ui.attachments import AttachmentsPanel
from arxos_desktop.ui.attachments.camera import CameraDialog
from arxos_desktop.ui.state import AppState
from sync.client import RefreshingAuth, SyncClient, sign_in
from sync.outbox import count_changes, read_changes
from sync.protocol import ChangeResult, ResultStatus
from tests.conftest import SampleBuilding, build_sample
from tests.media import make_jpeg, make_video
from tests.server import conftest as live
from tests.server.conftest import Account
from tests.ui.attachments_demo import demo_panel

# The live server's fixtures (a fresh server database and app, served on loopback).
database_url = live.database_url
settings = live.settings
app = live.app
client = live.client
user_factory = live.user_factory
base_url = live.base_url
tech = live.tech
fast_password_hashing = live.fast_password_hashing


def sync_client(base_url: str, replica: Replica, account: Account) -> SyncClient:
    tokens = sign_in(
        base_url, email=account.email, password=account.password, device_id=replica.device_id
    )
    auth = RefreshingAuth(tokens, refresh_url=f"{base_url}/v1/auth/refresh")
    return SyncClient(base_url, target=ReplicaSyncTarget(replica), auth=auth)


@pytest.fixture
def panel(
    state: AppState, replica: Replica, tmp_path: Path, qtbot: QtBot
) -> Iterator[tuple[AttachmentsPanel, SampleBuilding]]:
    sample = build_sample(replica)
    widget = demo_panel(state, camera=make_video(tmp_path / "camera.avi"))
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.attachments_did_load, timeout=5000):
        widget.show_target("equipment", sample.ahu_id, label="AHU-1")
    yield widget, sample
    widget.shutdown()


def add_photos(panel: AttachmentsPanel, state: AppState, qtbot: QtBot, folder: Path) -> None:
    """One photo from a file, one through the camera; waits for both thumbnails."""
    photo = folder / "belt-guard.jpg"
    photo.write_bytes(make_jpeg(800, 600))
    with qtbot.waitSignal(panel.attachment_was_added, timeout=5000):
        panel.add_files([photo])
    qtbot.mouseClick(panel.camera_button, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(CameraDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.shutter.isEnabled, timeout=5000)
    with qtbot.waitSignal(dialog.photo_was_saved, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Space)
    dialog.accept()
    # The sample's own attachment (a damaged PNG) gets a file icon; the two photos thumbnails.
    qtbot.waitUntil(
        lambda: (
            panel.model.rowCount() == 3
            and all(not panel.model.item(r).icon().isNull() for r in range(3))
        ),
        timeout=5000,
    )
    qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)


def shown(replica: Replica, target_id: str) -> dict[str, tuple[str, str, str]]:
    """What a technician sees of each attachment: id → (name, file, kind)."""
    return {
        a.id: (a.file_name, a.blob_sha256, a.mime_type) for a in attachments_for(replica, target_id)
    }


def age(replica: Replica, shas: set[str]) -> None:
    """Make the files look stored long ago, past the sweep's grace period."""
    old = time.time() - 3600
    for sha in shas:
        os.utime(replica.blobs.get(sha), (old, old))


def test_photos_from_a_file_and_the_camera_reach_a_second_device_byte_for_byte(
    panel: tuple[AttachmentsPanel, SampleBuilding],
    state: AppState,
    replica: Replica,
    base_url: str,
    tech: Account,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    widget, sample = panel
    add_photos(widget, state, qtbot, tmp_path)
    ours = shown(replica, sample.ahu_id)
    report = sync_client(base_url, replica, tech).sync_once()
    assert report.rejected == 0 and count_changes(replica.conn) == 0
    assert report.blobs_uploaded == 4  # the sample's drawing and nameplate, and both photos

    second = Replica.open(tmp_path / "second-device")
    try:
        pulled = sync_client(base_url, second, tech).sync_once()
        assert pulled.blobs_downloaded == 4
        theirs = shown(second, sample.ahu_id)
        assert theirs == ours
        names = sorted(name for name, _sha, _mime in theirs.values())
        assert names[0] == "belt-guard.jpg" and names[2].startswith("photo-")
        for name, sha, _mime in theirs.values():
            assert second.blobs.get(sha).read_bytes() == replica.blobs.get(sha).read_bytes(), name
    finally:
        second.close()


def test_an_attachments_file_survives_the_sweep_before_and_after_the_server_has_it(
    panel: tuple[AttachmentsPanel, SampleBuilding],
    state: AppState,
    replica: Replica,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    widget, sample = panel
    add_photos(widget, state, qtbot, tmp_path)
    shas = {a.blob_sha256 for a in attachments_for(replica, sample.ahu_id)}
    age(replica, shas)
    # Not yet sent: the rows and their pending changes cite the files.
    assert discard_unreferenced_files(replica, shas) == 0
    # The server acknowledges every change (as record_push does after a push) …
    changes = read_changes(replica.conn)
    results = [
        ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED, seq=n)
        for n, c in enumerate(changes, 1)
    ]
    ReplicaSyncTarget(replica).record_push(changes, results)
    assert count_changes(replica.conn) == 0
    # … and the files stay, because the rows still cite them.
    assert discard_unreferenced_files(replica, shas) == 0
    assert all(replica.blobs.has(sha) for sha in shas)
    # The sweep does delete what nothing cites (so the checks above could fail).
    stray = replica.blobs.put_bytes(make_jpeg(shade=10))
    age(replica, {stray})
    assert discard_unreferenced_files(replica, shas | {stray}) == 1
    assert not replica.blobs.has(stray)
