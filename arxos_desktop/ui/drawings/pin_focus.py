"""'Show on drawing': bring a pin's sheet up, zoomed in and centred on the pin.

The drawing may still be opening (its file is located, then rendered off-thread),
so the wish waits until the viewer says the pin's page is on screen; a pin on
another sheet of the drawing turns to that sheet first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, Signal

from arxos_desktop.store.records import Record
from arxos_desktop.ui.drawings.viewer import DrawingViewer

#: Screen pixels per point when showing a pin: close enough to read the room around it.
PIN_ZOOM: Final = 2.0


@dataclass(frozen=True, slots=True)
class _Aim:
    document_id: str
    page: int
    point: tuple[float, float]


class PinFocus(QObject):
    """Waits for the pin's page to show, then centres the view on the pin."""

    #: The view is centred on the pin that was asked for.
    pin_did_show = Signal(str)

    def __init__(self, viewer: DrawingViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self._aim: _Aim | None = None
        self._pin_id = ""
        viewer.page_did_show.connect(self._page_shown)

    def aim(self, pin: Record) -> None:
        x, y = pin.geometry["point"]
        self._aim = _Aim(str(pin.document_id), int(pin.page), (float(x), float(y)))
        self._pin_id = str(pin.id)
        entry = self.viewer.entry
        if entry is not None and entry.id == self._aim.document_id and self.viewer.page_sizes:
            self._page_shown(self.viewer.page)

    def _page_shown(self, page: int) -> None:
        aim, entry = self._aim, self.viewer.entry
        if aim is None or entry is None or entry.id != aim.document_id:
            return
        if page != aim.page:
            self.viewer.show_page(aim.page)
            return
        self._aim = None
        view = self.viewer.view
        view.set_zoom(max(view.zoom, PIN_ZOOM))
        view.centerOn(*view.space.to_shown(aim.point))
        view.view_did_change.emit()
        self.pin_did_show.emit(self._pin_id)
