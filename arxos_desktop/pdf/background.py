"""One drawing's render thread: opens it, then serves previews, tiles, thumbnails and search.

The UI thread never renders. It asks; this thread answers through a callback, in
the order a viewer needs (after pdf.js's rendering queue): the preview of the
page on screen first, so something appears at once, then the sharp tiles of the
visible area centre-out, then searches, then the thumbnails strip. When the view
moves or zooms, the viewer sends a new *generation* of tiles and queued tiles of
older generations are dropped unrendered.

Every PyMuPDF object of the drawing is created, used and closed on this one
thread (PyMuPDF is not thread-safe), so two open drawings never share a document.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Final, TypeAlias

from arxos_desktop.pdf.opening import open_pdf
from arxos_desktop.pdf.renderer import Bitmap, PageRenderer
from arxos_desktop.pdf.text_search import SearchHit, search_document
from arxos_desktop.pdf.text_words import Word, page_words
from arxos_desktop.pdf.tiles import TileKey

log = logging.getLogger(__name__)

#: Longer side of a page thumbnail, in pixels.
THUMBNAIL_PX: Final = 160


class _Priority(IntEnum):
    PREVIEW = 0
    TILE = 1
    SEARCH = 2
    THUMBNAIL = 3


@dataclass(frozen=True)
class DocumentOpened:
    """The drawing opened: each page's size in points (as shown) and its rotation."""

    page_sizes: list[tuple[float, float]]
    rotations: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class TileRendered:
    """A tile of the view's level (*preview* False) or of the page's preview level."""

    key: TileKey
    bitmap: Bitmap
    generation: int
    preview: bool = False


@dataclass(frozen=True)
class ThumbnailRendered:
    page: int
    bitmap: Bitmap


@dataclass(frozen=True)
class SearchFinished:
    query: str
    hits: list[SearchHit]
    generation: int


@dataclass(frozen=True)
class WordsFound:
    """The words of one page (for the highlighter), in stored page points."""

    page: int
    words: list[Word]


@dataclass(frozen=True)
class RenderFailed:
    """A job (or the opening: *job* is "open") failed; the error is a PdfError or kin."""

    job: str
    error: Exception


RenderResult: TypeAlias = (
    DocumentOpened | TileRendered | ThumbnailRendered | SearchFinished | WordsFound | RenderFailed
)


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    name: str = field(compare=False)
    run: Callable[[PageRenderer], RenderResult | None] = field(compare=False)
    generation: int = field(default=0, compare=False)
    key: TileKey | None = field(default=None, compare=False)


class RenderService:
    """Opens *source* on its own thread and answers requests through *on_result*.

    *on_result* is called on the render thread: a Qt caller forwards it with a
    queued signal. :meth:`close` stops the thread and closes the document.
    """

    def __init__(
        self,
        source: Path | bytes,
        *,
        on_result: Callable[[RenderResult], None],
        password: str | None = None,
        name: str = "arxos-render",
    ) -> None:
        self._source = source
        self._password = password
        self._on_result = on_result
        self._queue: list[_Job] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._tile_generation = 0
        self._queued_tiles: set[TileKey] = set()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Drop queued work, let the job in hand finish, close the document."""
        with self._cond:
            self._stopping = True
            self._queue.clear()
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- requests (any thread) -------------------------------------------------------------

    def request_preview(self, keys: list[TileKey]) -> None:
        """Render the preview tiles *keys* (a page's preview level) before any sharp tile."""
        for key in keys:
            self._submit(_Priority.PREVIEW, "preview", _preview_job(key))

    def request_tiles(self, keys: list[TileKey], generation: int) -> None:
        """Render *keys* in order; tiles queued for an older generation are dropped."""
        with self._cond:
            if generation != self._tile_generation:
                self._tile_generation = generation
                self._queue = [j for j in self._queue if j.priority != _Priority.TILE]
                heapq.heapify(self._queue)
                self._queued_tiles.clear()
            for key in keys:
                if key in self._queued_tiles:
                    continue
                self._queued_tiles.add(key)
                heapq.heappush(
                    self._queue,
                    _Job(
                        _Priority.TILE,
                        next(self._seq),
                        "tile",
                        _tile_job(key, generation),
                        generation,
                        key,
                    ),
                )
            self._cond.notify()

    def request_thumbnails(self, pages: list[int]) -> None:
        for page in pages:
            self._submit(_Priority.THUMBNAIL, "thumbnail", _thumbnail_job(page))

    def request_search(self, text: str, generation: int) -> None:
        def run(renderer: PageRenderer) -> RenderResult:
            return SearchFinished(text, search_document(renderer.document, text), generation)

        self._submit(_Priority.SEARCH, "search", run)

    def request_words(self, page: int) -> None:
        def run(renderer: PageRenderer) -> RenderResult:
            return WordsFound(page, page_words(renderer.document, page))

        self._submit(_Priority.SEARCH, "words", run)

    def _submit(
        self, priority: _Priority, name: str, run: Callable[[PageRenderer], RenderResult | None]
    ) -> None:
        with self._cond:
            if self._stopping:
                return
            heapq.heappush(self._queue, _Job(priority, next(self._seq), name, run))
            self._cond.notify()

    # -- the render thread -----------------------------------------------------------------

    def _run(self) -> None:
        try:
            document = open_pdf(self._source, password=self._password)
        except Exception as exc:  # reported to the viewer, which puts it in plain words
            self._on_result(RenderFailed("open", exc))
            return
        try:
            renderer = PageRenderer(document)
            pages = range(renderer.page_count)
            sizes = [renderer.page_size(n) for n in pages]
            self._on_result(DocumentOpened(sizes, [renderer.page_rotation(n) for n in pages]))
            while (job := self._next()) is not None:
                try:
                    result = job.run(renderer)
                except Exception as exc:  # one bad page must not stop the others
                    result = RenderFailed(job.name, exc)
                if result is not None:
                    self._on_result(result)
        finally:
            document.close()

    def _next(self) -> _Job | None:
        with self._cond:
            while True:
                if self._stopping:
                    return None
                while self._queue:
                    job = heapq.heappop(self._queue)
                    if job.priority != _Priority.TILE:
                        return job
                    if job.generation == self._tile_generation:
                        if job.key is not None:
                            self._queued_tiles.discard(job.key)
                        return job
                self._cond.wait()


def _tile_job(key: TileKey, generation: int) -> Callable[[PageRenderer], RenderResult | None]:
    def run(renderer: PageRenderer) -> RenderResult:
        return TileRendered(key, renderer.render_tile(key), generation)

    return run


def _preview_job(key: TileKey) -> Callable[[PageRenderer], RenderResult | None]:
    def run(renderer: PageRenderer) -> RenderResult:
        return TileRendered(key, renderer.render_tile(key), -1, preview=True)

    return run


def _thumbnail_job(page: int) -> Callable[[PageRenderer], RenderResult | None]:
    def run(renderer: PageRenderer) -> RenderResult:
        return ThumbnailRendered(page, renderer.render_thumbnail(page, THUMBNAIL_PX))

    return run
