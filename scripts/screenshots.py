"""Draw the app's main views on a virtual 1280x800 screen into docs/screenshots/.

Run by ``make screenshots``. Starts under Xvfb (re-running itself through
``xvfb-run`` when there is no display), opens the app on the demo building with
its local demo sync server exactly as ``make run`` does, then walks the views a
technician sees and grabs the whole screen for each, as ``import -window root``
would. A second device, signed in to the same local server, makes the edit that
conflicts with the app's, so the conflicts view shows a real conflict.

Usage: python scripts/screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCREEN = "1280x800x24"


def ensure_display() -> None:
    if os.environ.get("DISPLAY"):
        return
    if shutil.which("xvfb-run") is None:
        sys.exit("screenshots need Xvfb: install the xvfb package (make sysdeps does)")
    command = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, *sys.argv]
    sys.exit(subprocess.call(command))


def main() -> int:
    ensure_display()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    sys.path.insert(0, str(ROOT))
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="arxos-shots-") as tmp:
        Shooter(Path(tmp), out).run()
    return 0


class Shooter:
    def __init__(self, tmp: Path, out: Path) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        self.tmp, self.out = tmp, out
        self.app = QApplication(sys.argv[:1])
        self.app.setOrganizationName("ArxOS")
        self.app.setApplicationName("ArxOS Field")
        self.settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        self.settings.setValue("ui/theme", "light")

    def wait(self, ready: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self, seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def shoot(self, name: str) -> None:
        self.settle()
        picture = self.app.primaryScreen().grabWindow(0)
        path = self.out / f"{name}.png"
        if not picture.save(str(path)):
            raise SystemExit(f"screenshots: could not write {path}")
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def pass_video(self) -> Path:
        """A short video standing in for the camera on the Scan page (it loops)."""
        import cv2

        path = self.tmp / "camera.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (1280, 720))
        for frame in _pass_frames():
            writer.write(frame)
        writer.release()
        return path

    def run(self) -> None:
        from arxos_desktop.store.equipment import find_by_tag, update_equipment
        from arxos_desktop.ui.access.session_controller import AccessController
        from arxos_desktop.ui.conflicts_page import ConflictsPage
        from arxos_desktop.ui.scanner import ScanPage
        from arxos_desktop.ui.startup import StartOptions, start
        from arxos_desktop.ui.sync_controller import SyncController
        from arxos_desktop.ui.theme import Theme, apply_theme
        from arxos_desktop.ui.work_orders_page import WorkOrdersPage

        os.environ["ARXOS_CAMERA"] = str(self.pass_video())
        window = start(self.app, StartOptions(home=self.tmp / "home", demo=True), self.settings)
        window.setGeometry(0, 0, 1280, 800)
        self.wait(lambda: window.state is not None and window.state.building_id, "the demo")
        state = window.state
        assert state is not None
        controller = window.findChild(SyncController)
        assert controller is not None
        synced: list[object] = []
        controller.sync_did_finish.connect(synced.append)
        self.wait(
            lambda: bool(synced) and controller.waiting == 0 and not state.ops.busy,
            "the first sync",
            180,
        )
        window.statusBar().clearMessage()
        ahu = find_by_tag(state.replica, state.building_id or "", "AHU-1")

        self.shoot("main-window")
        state.show_record("equipment", ahu.id)
        self.shoot("equipment-detail")

        board = window.findChild(WorkOrdersPage)
        assert board is not None
        window.pages.setCurrentWidget(board)
        board.show_board(True)
        self.shoot("work-order-board")

        other = SecondDevice(self.tmp / "tablet", controller)
        other.sync()  # has the building, at the same version as the app
        done = state.ops.run(
            lambda r: update_equipment(r, ahu.id, {"status": "out_of_service"}), writes=True
        )
        runs = len(synced)
        self.wait(done.done, "the app's edit")
        self.wait(
            lambda: len(synced) > runs and controller.waiting == 0, "the app's edit to sync", 60
        )
        other.edit_and_sync(ahu.id, {"status": "operational"})
        conflicts = window.findChild(ConflictsPage)
        assert conflicts is not None
        window.pages.setCurrentWidget(conflicts)
        self.wait(
            lambda: "Conflicts (" in window.pages.tabText(window.pages.indexOf(conflicts)),
            "a conflict",
            60,
        )
        self.shoot("conflicts")

        access = window.findChild(AccessController)
        assert access is not None
        checked: list[object] = []
        access.pass_was_checked.connect(checked.append)
        scan = window.findChild(ScanPage)
        assert scan is not None
        window.pages.setCurrentWidget(scan)
        self.wait(lambda: scan.results.count() > 0 and bool(scan.preview.codes), "a scanned pass")
        self.wait(lambda: bool(checked), "the scanned pass's check")
        access.view.close()  # the scanner shot shows the page itself
        self.shoot("scanner")
        token = self.shoot_passes(window, access, checked, synced)

        self.drawing_markups(window, state, ahu.id)

        window.pages.setCurrentIndex(0)
        if controller.local_server is not None:
            controller.local_server.stop()
        controller.sync_now()  # the next run finds the server gone
        self.wait(lambda: controller.status.connection.text().startswith("Offline"), "offline", 90)
        done = state.ops.run(
            lambda r: update_equipment(r, ahu.id, {"model": "39M-2400"}), writes=True
        )
        self.wait(done.done, "an offline edit")
        self.shoot("offline-status")

        apply_theme(self.app, Theme.DARK)
        self.shoot("dark-palette")
        apply_theme(self.app, Theme.LIGHT)
        self.session_ended(window, access, checked, token)
        window.close()
        self.settle(0.3)

    def shoot_passes(
        self, window: object, access: object, checked: list[object], synced: list[object]
    ) -> str:
        """A pass the demo server signed, accepted; the same pass altered, refused."""
        from arxos_desktop.access.issuing import issue_remote
        from arxos_desktop.ui.access.session_controller import AccessController
        from arxos_desktop.ui.main_window import MainWindow
        from arxos_desktop.ui.sync_controller import SyncController

        assert isinstance(window, MainWindow) and isinstance(access, AccessController)
        controller = window.findChild(SyncController)
        state = window.state
        assert controller is not None and controller.credentials is not None and state is not None
        request = {
            "building_id": state.building_id,
            "systems": ["hvac", "electrical"],
            "floors": [1, 2],
            "permissions": ["read", "annotate"],
            "contractor_id": "ACME-42",
            "expires_in": 8 * 3600,
        }
        issued = issue_remote(
            controller.credentials, state.home, request=request, building_name="Harbor View"
        )
        runs = len(synced)
        controller.sync_now()  # brings the signing key this device checks passes against
        self.wait(lambda: len(synced) > runs and not state.ops.busy, "the trust to sync", 60)
        for name, token in (
            ("pass-verified", issued.token),
            ("pass-refused", f"{issued.token[:-6]}AAAAAA"),  # its signature altered
        ):
            count = len(checked)
            access.check(token)
            self.wait(lambda count=count: len(checked) > count, f"the {name} check")
            window.statusBar().clearMessage()
            self.shoot(name)
        access.view.close()
        return issued.token

    def session_ended(
        self, window: object, access: object, checked: list[object], token: str
    ) -> None:
        """A contractor session on the demo building, ended: its data left, nothing else here."""
        from arxos_desktop.ui.access.session_controller import AccessController
        from arxos_desktop.ui.main_window import MainWindow

        assert isinstance(window, MainWindow) and isinstance(access, AccessController)
        count = len(checked)
        access.check(token)
        self.wait(lambda: len(checked) > count, "the pass check")
        started: list[object] = []
        ended: list[object] = []
        access.session_did_start.connect(started.append)
        access.session_did_end.connect(ended.append)
        access.view.start_button.click()  # the server is gone by now: the pass works offline
        self.wait(lambda: bool(started), "the contractor session")
        access.end_action.trigger()
        self.wait(lambda: bool(ended) and window.state is not None
                  and window.state.building_id is None, "the session's end")  # fmt: skip
        window.pages.setCurrentIndex(0)
        self.shoot("session-ended")

    def drawing_markups(self, window: object, state: object, ahu_id: str) -> None:
        """The first demo drawing with one markup of each common kind, the pin selected."""
        from arxos_desktop.store import Replica
        from arxos_desktop.store.annotations import create_annotation
        from arxos_desktop.store.documents import drawing_library
        from arxos_desktop.ui.drawings.page import DrawingsPage
        from arxos_desktop.ui.state import AppState

        assert isinstance(state, AppState)
        page = window.findChild(DrawingsPage)  # type: ignore[attr-defined]
        assert page is not None
        window.pages.setCurrentWidget(page)  # type: ignore[attr-defined]
        groups = drawing_library(state.replica, state.building_id or "")
        entry = next(e for g in groups for e in g.drawings if e.is_local)
        state.show_record("document", entry.id)
        self.wait(lambda: bool(page.viewer.page_sizes) and page.viewer.tiles.settled, "a drawing")
        view = page.viewer.view
        w, h = view.space.stored_size  # markups are stored on the unrotated page

        def at(fx: float, fy: float) -> list[float]:
            return [round(w * fx, 1), round(h * fy, 1)]

        shapes: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            ("pin", {"point": at(0.3, 0.35)}, {"equipment_id": ahu_id, "text": "AHU-1"}),
            ("rectangle", {"rect": [*at(0.5, 0.2), *at(0.62, 0.32)]}, {}),
            (
                "cloud",
                {"points": [at(0.55, 0.5), at(0.68, 0.5), at(0.68, 0.62), at(0.55, 0.62)]},
                {},
            ),
            ("arrow", {"points": [at(0.45, 0.7), at(0.58, 0.58)]}, {}),
            ("text", {"rect": [*at(0.3, 0.72), *at(0.45, 0.77)]}, {"text": "Check damper"}),
            (
                "calibration",
                {"points": [at(0.24, 0.85), at(0.44, 0.85)], "length": 10, "unit": "m"},
                {},
            ),
            ("distance", {"points": [at(0.24, 0.9), at(0.39, 0.9)]}, {}),
            (
                "ink",
                {"strokes": [[at(0.15 + i / 200, 0.55 + 0.03 * (i % 7) / 7) for i in range(30)]]},
                {},
            ),
        ]

        def add_all(replica: Replica) -> None:
            for kind, geometry, fields in shapes:
                create_annotation(
                    replica,
                    document_id=entry.id,
                    page=0,
                    kind=kind,
                    geometry=geometry,
                    author="dana@example.com",
                    **fields,
                )

        self.wait(state.ops.run(add_all, writes=True).done, "the markups")
        self.wait(lambda: len(page.markups.items()) >= len(shapes), "the markups on the sheet")
        pin = next(s for s in page.markups.shown if s.record.text == "AHU-1")
        page.markups.select(pin)
        view.set_zoom(view.zoom * 1.6)
        x, y = at(0.44, 0.62)
        view.centerOn(*view.space.to_shown((x, y)))
        self.wait(lambda: page.viewer.tiles.settled, "sharp tiles")
        self.shoot("drawing-markups")


def _pass_frames() -> list[object]:
    """Frames of a camera held over an access pass: its QR code on a sheet, a little turned."""
    import cv2
    import numpy as np
    import zxingcpp

    token = (
        "eyJ0eXAiOiJhcnhvcy1hY2Nlc3Mrand0IiwiYWxnIjoiRWREU0EiLCJraWQiOiJrMSJ9."
        "eyJiIjoiaGFyYm9yLXZpZXciLCJzIjpbImh2YWMiXSwiZiI6WzEsMl0sInAiOlsicmVhZCJdfQ."
        "c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"
    )
    code = zxingcpp.create_barcode(token, zxingcpp.BarcodeFormat.QRCode)
    image = np.asarray(zxingcpp.write_barcode_to_image(code, scale=6), dtype=np.uint8)
    frame = np.full((720, 1280), 175, dtype=np.uint8)
    cv2.rectangle(frame, (360, 90), (920, 650), 245, -1)  # the sheet of paper
    h, w = image.shape
    frame[370 - h // 2 : 370 - h // 2 + h, 640 - w // 2 : 640 - w // 2 + w] = image
    turn = cv2.getRotationMatrix2D((640, 370), 8, 1.0)
    frame = cv2.warpAffine(frame, turn, (1280, 720), borderValue=175)
    return [cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)] * 6


class SecondDevice:
    """A technician's tablet: a plain replica signed in to the same local demo server."""

    def __init__(self, home: Path, controller: object) -> None:
        from arxos_desktop.admin.demo_account import read_account
        from arxos_desktop.store import Replica
        from arxos_desktop.store.remote import ReplicaSyncTarget
        from sync.client import SyncClient, sign_in

        credentials = controller.credentials  # type: ignore[attr-defined]
        account = read_account(controller.home / "demo-server")  # type: ignore[attr-defined]
        assert credentials is not None and account is not None
        self.replica = Replica.open(home)
        tokens = sign_in(
            credentials.server,
            email=account.email,
            password=account.password,
            device_id=self.replica.device_id,
        )
        self.client = SyncClient(credentials.server, target=ReplicaSyncTarget(self.replica))
        self.client.http.headers["Authorization"] = f"Bearer {tokens.access_token}"

    def sync(self) -> None:
        self.client.sync_once()

    def edit_and_sync(self, equipment_id: str, changes: dict[str, object]) -> None:
        from arxos_desktop.store.equipment import update_equipment

        update_equipment(self.replica, equipment_id, changes)
        self.client.sync_once()


if __name__ == "__main__":
    raise SystemExit(main())
