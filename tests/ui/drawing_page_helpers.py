"""The Drawings page opened on one drawing, as the markup tests start from it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.state import AppState


@contextmanager
def drawing_open(
    qtbot: QtBot, state: AppState, building_id: str, document_id: str
) -> Iterator[DrawingsPage]:
    """A 1280x800 Drawings page showing *document_id* with its markups loaded; closed after."""
    widget = DrawingsPage(state)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    with qtbot.waitSignal(widget.markups.markups_did_load, timeout=10_000):
        state.set_building(building_id)
        state.show_record("document", document_id)
    try:
        yield widget
    finally:
        widget.viewer.close_drawing()
        widget.markups.photos.shutdown()
