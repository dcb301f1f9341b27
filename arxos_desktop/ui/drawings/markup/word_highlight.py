"""The highlighter follows the words: the open page's words, read off the UI thread.

While the highlight tool is chosen, the words of the page on screen are asked of
the drawing's render thread (never read here) and kept for that drawing and page;
a drag then becomes the covered words' lines (:func:`highlight_geometry`). Until
they arrive, or where the drag covers no text, the highlight is the dragged box.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from arxos_desktop.pdf.background import WordsFound
from arxos_desktop.pdf.markup_geometry import rect_between
from arxos_desktop.pdf.text_words import Word, highlight_geometry
from arxos_desktop.ui.drawings.viewer import DrawingViewer


class WordHighlighter(QObject):
    """Words of the page on screen, for the highlight tool."""

    #: The page's words are here: a drag over text now covers whole words.
    words_did_load = Signal(int)

    def __init__(self, viewer: DrawingViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.active = False
        self._key: tuple[str, int] | None = None
        self._words: list[Word] | None = None
        viewer.words_did_arrive.connect(self._arrived)
        viewer.page_did_show.connect(lambda _page: self._want())

    def use(self, active: bool) -> None:
        """The highlight tool was chosen (True) or put down: read words only while it is up."""
        self.active = active
        self._want()

    def _current(self) -> tuple[str, int] | None:
        entry = self.viewer.entry
        return None if entry is None else (entry.id, self.viewer.page)

    def _want(self) -> None:
        key = self._current()
        if not self.active or key is None or (key == self._key and self._words is not None):
            return
        self._key, self._words = key, None
        self.viewer.request_words(key[1])

    def _arrived(self, found: WordsFound) -> None:
        if self._key is not None and self._key == self._current() and found.page == self._key[1]:
            self._words = found.words
            self.words_did_load.emit(found.page)

    def geometry(self, a: tuple[float, float], b: tuple[float, float]) -> dict[str, Any]:
        """The highlight a drag from *a* to *b* (stored points) makes."""
        drag = rect_between(a, b)
        if self._words is not None and self._key == self._current():
            covered = highlight_geometry(self._words, drag)
            if covered is not None:
                return covered
        return {"rect": list(drag)}
