"""From a shown, empty window to a working app: replica, pages, building, then sync.

Order matters for start-up time: the window is painted first (:func:`start`), and
only then are the replica and the store's heavy modules opened (:func:`_open`,
queued behind the first paint).
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.theme import Theme, apply_theme, follow_system

if TYPE_CHECKING:  # imported at run time only after the first paint
    from arxos_desktop.store import Replica
    from arxos_desktop.ui.state import AppState

log = logging.getLogger(__name__)
_BUILDING_KEY = "session/building"


@dataclass(frozen=True)
class StartOptions:
    home: Path | None = None
    demo: bool = False
    theme: str | None = None


def start(
    app: QApplication, options: StartOptions, settings: QSettings | None = None
) -> MainWindow:
    """Show the main window now and open the replica right after its first paint."""
    settings = settings or QSettings()
    theme = Theme(options.theme or str(settings.value("ui/theme", Theme.SYSTEM.value)))
    apply_theme(app, theme)
    follow_system(app, theme)
    window = MainWindow(settings)
    window.first_paint_did_happen.connect(lambda: _open(window, options))
    window.show()
    return window


def _open(window: MainWindow, options: StartOptions) -> None:
    from arxos_desktop.config import resolve_home
    from arxos_desktop.store import Replica
    from arxos_desktop.ui.logs import configure_logging
    from arxos_desktop.ui.ops import StoreOps
    from arxos_desktop.ui.pages import build_pages
    from arxos_desktop.ui.state import AppState

    home = resolve_home(options.home)
    configure_logging(home)
    try:
        replica = Replica.open(home)
    except Exception as exc:  # shown to the user, logged by plain_words when unexpected
        QMessageBox.critical(window, "ArxOS Field", plain_words(exc))
        window.close()
        return
    window.on_close(replica.close)  # registered first: closes after every worker stopped
    state = AppState(StoreOps(replica, window), home=home, parent=window)
    window.attach(state)
    build_pages(window, state)
    from arxos_desktop.ui.sync_controller import install_sync

    install_sync(window, state, demo=options.demo).begin()
    # Everything loaded so far lives as long as the app: keep it out of the collector's
    # full passes, which otherwise walk it all and pause the UI thread for ~0.1 s.
    gc.freeze()
    _choose_building(window, state, demo=options.demo)


def _choose_building(window: MainWindow, state: AppState, *, demo: bool) -> None:
    """Open the demo building (loading it the first time) or the one open last time."""
    remembered = window.settings.value(_BUILDING_KEY)

    def pick(replica: Replica) -> str | None:
        from arxos_desktop.store.buildings import list_buildings

        if demo:
            from arxos_desktop.demo.loading import open_or_load_demo

            return open_or_load_demo(replica)
        ids = [b.id for b in list_buildings(replica)]
        return remembered if remembered in ids else (ids[0] if ids else None)

    def picked(building_id: str | None) -> None:
        if building_id is None:
            state.post("No buildings on this device yet: sign in to a sync server to get yours.")
            state.set_building(None)  # every page says so, with the ways to get one
            return
        if building_id in state.leaving:
            return  # an ended session's building: the access controller moves on when it has gone
        window.settings.setValue(_BUILDING_KEY, building_id)
        state.set_building(building_id)

    if demo:
        state.post("Loading the demo building…")
    state.ops.run(pick, success=picked, writes=demo)
