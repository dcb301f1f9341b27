"""The attachments panel on its own, over a replica: for the tests, and to try it by hand.

``python -m tests.ui.attachments_demo [video.avi]`` opens the panel on the sample
building's air handler, with a video file (or camera 0) as the camera.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from arxos_desktop.scanner.frames import SourceSpec, parse_source
from arxos_desktop.store import Replica
from arxos_desktop.ui.attachments import AttachmentsPanel
from arxos_desktop.ui.ops import StoreOps
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import Theme, apply_theme


def demo_panel(state: AppState, *, camera: SourceSpec | None = None) -> AttachmentsPanel:
    """A panel sized like a record page's side panel on a 1280x800 tablet."""
    panel = AttachmentsPanel(state, camera=camera)
    panel.resize(760, 520)
    return panel


def main() -> None:  # pragma: no cover - by hand
    from tests.conftest import build_sample

    app = QApplication(sys.argv)
    apply_theme(app, Theme.SYSTEM)
    with tempfile.TemporaryDirectory() as home:
        replica = Replica.open(Path(home))
        sample = build_sample(replica)
        state = AppState(StoreOps(replica), home=replica.home)
        camera = parse_source(sys.argv[1]) if len(sys.argv) > 1 else 0
        panel = demo_panel(state, camera=camera)
        panel.show_target("equipment", sample.ahu_id, label="AHU-1")
        panel.show()
        app.exec()
        panel.shutdown()
        state.ops.shutdown()
        replica.close()


if __name__ == "__main__":
    main()
