"""The Scan page: point the tablet at a label or a pass, or pick a photo or PDF of one.

The camera runs only while the page is on screen (a camera left on drains the
battery and blocks other apps): it starts when the page is shown and is released
when another page is, or when the window closes. Frames are read on the capture
thread and decoded on the decoder thread; the page only draws and lists. Each
code read is routed on the replica worker: equipment (an ``arxos://`` link or a
tag of this replica) opens at once; an access pass is handed on through
:attr:`ScanPage.access_token_was_read`, for the access service to verify.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.scanner.decode import Code
from arxos_desktop.scanner.files import scan_file
from arxos_desktop.scanner.frames import SourceSpec, parse_source
from arxos_desktop.scanner.routing import Route
from arxos_desktop.store import Replica
from arxos_desktop.ui.attachments.capture import CaptureThread
from arxos_desktop.ui.attachments.panel import CAMERA_ENV
from arxos_desktop.ui.drawings.show_on_drawing import ShowOnDrawingButton
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.net_task import NetTask
from arxos_desktop.ui.scanner.decode_thread import DecodeThread
from arxos_desktop.ui.scanner.outcome import ScanOutcome, route_code
from arxos_desktop.ui.scanner.overlay import CodePreview
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: What "Scan a file…" offers (the scanner reads these; it tells them by content).
FILE_FILTER = "Photos, videos and PDFs (*.jpg *.jpeg *.png *.bmp *.pdf *.avi *.mp4 *.mkv)"
#: The list keeps this many reads (newest first).
MAX_ROWS = 50
#: Routes whose answer depends on what the replica holds (see ``ScanPage.reroute_listed``).
_REROUTED = frozenset({Route.EQUIPMENT_LINK, Route.ASSET_TAG, Route.UNKNOWN})
#: Width of the side column: the list's lines must fit without clipping.
SIDE_WIDTH = 380

_OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1


class ScanPage(QWidget):
    """Live camera scanning and file scanning, with the list of what was read."""

    #: An access pass was scanned (the token text, not yet verified): the access service's hook.
    access_token_was_read = Signal(str)
    #: A scanned code was routed (a :class:`ScanOutcome`), whatever it turned out to be.
    code_was_routed = Signal(object)

    def __init__(
        self, state: AppState, *, camera: SourceSpec | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.camera = (
            camera if camera is not None else parse_source(os.environ.get(CAMERA_ENV, "0"))
        )
        self.capture: CaptureThread | None = None
        self.decoder: DecodeThread | None = None
        self.file_task: NetTask | None = None
        self.preview = CodePreview()
        self.preview.text = "The camera starts when this page is shown."
        self.status = QLabel("Point the camera at a QR code or barcode.")
        self.status.setAccessibleName("Scanner status")
        self.status.setWordWrap(True)
        self.camera_button = self._button("Stop camera", "Start or stop the camera", self.toggle)
        self.file_button = self._button("Scan a file…", "Scan a photo or PDF", self.choose_file)
        self.results = QListWidget()
        self.results.setAccessibleName("Codes read")
        self.results.setWordWrap(True)
        self.results.setSpacing(4)  # two-line rows, apart enough to tap one
        self.results.itemActivated.connect(self._open_item)
        self.results.currentItemChanged.connect(lambda *_: self._update_open_button())
        self.open_button = self._button(
            "Open equipment", "Open the selected equipment", self.open_selected
        )
        self.open_button.setEnabled(False)
        # An equipment code also leads to where the equipment is drawn, when it is pinned.
        self.pin_button = ShowOnDrawingButton(state, self)
        heading = QLabel("Codes read")
        heading.setAccessibleName("Codes read heading")
        side = QVBoxLayout()
        side.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addWidget(self.camera_button)
        buttons.addWidget(self.file_button)
        side.addLayout(buttons)
        side.addWidget(heading)
        side.addWidget(self.results, 1)
        opening = QHBoxLayout()
        opening.addWidget(self.open_button)
        opening.addWidget(self.pin_button)
        side.addLayout(opening)
        holder = QWidget()
        holder.setLayout(side)
        holder.setFixedWidth(SIDE_WIDTH)
        layout = QHBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(holder)
        self._wanted = True  # the camera runs while shown unless the user stopped it
        self._reading_file = False  # until the file's outcome is shown (not the thread's end)
        state.building_did_change.connect(lambda _: self.reroute_listed())
        state.data_did_change.connect(self.reroute_listed)

    # -- the camera ---------------------------------------------------------------------

    @property
    def camera_running(self) -> bool:
        return self.capture is not None

    def start_camera(self) -> None:
        """Open the camera and start decoding its frames (no-op when running)."""
        if self.capture is not None:
            return
        self.preview.show_text("Opening the camera…")
        self.preview.show_codes([], (0, 0))
        # No Qt parent: each start makes new threads, freed with their last reference.
        capture = CaptureThread(self.camera)
        decoder = DecodeThread(capture)
        capture.capture_did_start.connect(self._on_camera_started)
        capture.capture_did_fail.connect(self._on_camera_failed)
        capture.frame_did_arrive.connect(self.preview.show_image)
        decoder.frame_was_decoded.connect(self.preview.show_codes)
        decoder.code_was_read.connect(self.route)
        decoder.decode_did_fail.connect(self._on_camera_failed)
        self.capture, self.decoder = capture, decoder
        capture.start()
        decoder.start()
        self.camera_button.setText("Stop camera")

    def stop_camera(self) -> None:
        """Stop decoding and release the camera (no-op when stopped)."""
        decoder, capture = self.decoder, self.capture
        self.decoder = self.capture = None
        if decoder is not None:
            decoder.stop()
        if capture is not None:
            capture.stop()
        self.camera_button.setText("Start camera")
        self.preview.show_codes([], (0, 0))

    def toggle(self) -> None:
        self._wanted = not self.camera_running
        if self._wanted:
            self.start_camera()
        else:
            self.stop_camera()
            self.preview.show_text("The camera is off. Press Start camera to scan.")
            self.status.setText("The camera is off.")

    def shutdown(self) -> None:
        """The window closes: release the camera and wait for a file scan in progress."""
        self.stop_camera()
        if self.file_task is not None:
            self.file_task.wait()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._wanted:
            self.start_camera()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        self.stop_camera()
        super().hideEvent(event)

    def _on_camera_started(self) -> None:
        self.status.setText("Point the camera at a QR code or barcode.")

    def _on_camera_failed(self, message: str) -> None:
        self.stop_camera()
        self.preview.show_text(message)
        self.status.setText(f"{message} You can still scan a photo or PDF with “Scan a file…”.")

    # -- files --------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask for a photo, video or PDF and scan it off the UI thread."""
        name, _ = QFileDialog.getOpenFileName(self, "Scan a file", "", FILE_FILTER)
        if name:
            self.scan_path(Path(name))

    def scan_path(self, path: Path) -> None:
        """Scan *path* through the camera's pipeline on a worker thread."""
        if self._reading_file:
            self.status.setText("Still reading the previous file…")
            return
        self._reading_file = True
        self.status.setText(f"Reading {path.name}…")
        self.file_button.setEnabled(False)

        def done(codes: Any, error: Exception | None) -> None:
            self._reading_file = False
            self.file_button.setEnabled(True)
            if error is not None:
                self.status.setText(plain_words(error))
                return
            found: list[Code] = codes
            noun = "code" if len(found) == 1 else "codes"
            self.status.setText(
                f"{len(found)} {noun} found in {path.name}."
                if found
                else f"No code found in {path.name}."
            )
            for code in found:
                self.route(code)

        self.file_task = NetTask(lambda: scan_file(path), done, self).start()

    # -- what was read ------------------------------------------------------------------

    def route(self, code: Code) -> None:
        """Find what *code* is for on the replica worker, then list it (and act on it)."""
        building_id = self.state.building_id

        def job(replica: Replica) -> ScanOutcome:
            return route_code(replica, code, building_id=building_id)

        self.state.ops.run(job, success=self._on_routed, owner=self)

    def _on_routed(self, outcome: ScanOutcome) -> None:
        item = QListWidgetItem(f"{outcome.sentence()}\n{outcome.code.format_label}")
        item.setData(_OUTCOME_ROLE, outcome)
        item.setToolTip(outcome.sentence())
        self.results.insertItem(0, item)
        while self.results.count() > MAX_ROWS:
            self.results.takeItem(self.results.count() - 1)
        self.results.setCurrentItem(item)
        self.code_was_routed.emit(outcome)
        if outcome.routed.route is Route.ACCESS_TOKEN and outcome.routed.text:
            self.access_token_was_read.emit(outcome.routed.text)
        if outcome.equipment_id is not None:
            self.status.setText(f"Opening equipment {outcome.tag}.")
            self.state.show_record("equipment", outcome.equipment_id)
        elif outcome.routed.route is Route.ACCESS_TOKEN:
            self.status.setText("Access pass read.")
        else:
            self.status.setText(outcome.sentence())

    def reroute_listed(self) -> None:
        """Read the listed equipment codes again against what the replica holds now.

        Equipment leaves the device (a pass ends, a grant is withdrawn, a sync deletes
        it) and arrives with a sync: a line must neither open equipment that is gone
        nor stay "unknown" once its tag is here. Passes and refusals do not change.
        """
        building_id = self.state.building_id
        listed = [
            item
            for item in (self.results.item(row) for row in range(self.results.count()))
            if item is not None
            and isinstance(outcome := item.data(_OUTCOME_ROLE), ScanOutcome)
            and outcome.routed.route in _REROUTED
        ]
        if not listed:
            return
        codes = [item.data(_OUTCOME_ROLE).code for item in listed]

        def job(replica: Replica) -> list[ScanOutcome]:
            return [route_code(replica, code, building_id=building_id) for code in codes]

        def relist(outcomes: list[ScanOutcome]) -> None:
            for item, outcome in zip(listed, outcomes, strict=True):
                if self.results.row(item) < 0:
                    continue  # dropped from the list meanwhile
                item.setText(f"{outcome.sentence()}\n{outcome.code.format_label}")
                item.setData(_OUTCOME_ROLE, outcome)
                item.setToolTip(outcome.sentence())
            self._update_open_button()

        self.state.ops.run(job, success=relist, owner=self)

    def open_selected(self) -> None:
        """Open the equipment of the selected line again."""
        item = self.results.currentItem()
        if item is not None:
            self._open_item(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        outcome = item.data(_OUTCOME_ROLE)
        if isinstance(outcome, ScanOutcome) and outcome.equipment_id is not None:
            self.state.show_record("equipment", outcome.equipment_id)

    def _update_open_button(self) -> None:
        item = self.results.currentItem()
        outcome = item.data(_OUTCOME_ROLE) if item is not None else None
        opens = isinstance(outcome, ScanOutcome) and outcome.opens_equipment
        self.open_button.setEnabled(opens)
        self.pin_button.set_equipment(outcome.equipment_id if opens else None)

    def _button(self, text: str, accessible: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button
