"""Text search on drawings, and the render thread's order of work."""

from __future__ import annotations

import threading

import pymupdf
import pytest

from arxos_desktop.pdf.background import (
    DocumentOpened,
    RenderFailed,
    RenderResult,
    RenderService,
    SearchFinished,
    ThumbnailRendered,
    TileRendered,
)
from arxos_desktop.pdf.errors import NotAPdfError
from arxos_desktop.pdf.text_search import SearchTextError, search_document, search_page
from arxos_desktop.pdf.tiles import TileKey
from tests.drawings import ARCH_A, dense_drawing


@pytest.fixture(scope="module")
def drawing() -> bytes:
    return dense_drawing(size=ARCH_A, paths=800, labels=40, pages=2)


def test_search_finds_a_label_where_it_is_drawn(drawing: bytes) -> None:
    with pymupdf.open(stream=drawing, filetype="pdf") as doc:
        hits = search_page(doc, 0, "ahu-0007")  # case does not matter
        assert len(hits) == 1
        x0, y0, x1, y1 = hits[0].rect
        assert 0 < x0 < x1 < ARCH_A[0] and 0 < y0 < y1 < ARCH_A[1]
        words = doc[0].get_text("words", clip=pymupdf.Rect(hits[0].rect))
        assert [w[4] for w in words] == ["AHU-0007"]
        assert [h.page for h in search_document(doc, "AHU-0007")] == [0, 1]
        assert search_page(doc, 0, "not on this sheet") == []


def test_empty_or_overlong_search_text_is_refused(drawing: bytes) -> None:
    with pymupdf.open(stream=drawing, filetype="pdf") as doc:
        with pytest.raises(SearchTextError, match="Type the text"):
            search_page(doc, 0, "   ")
        with pytest.raises(SearchTextError, match="at most"):
            search_page(doc, 0, "x" * 201)


class _Collector:
    def __init__(self) -> None:
        self.results: list[RenderResult] = []
        self.event = threading.Event()
        self.want = 0

    def __call__(self, result: RenderResult) -> None:
        self.results.append(result)
        if len(self.results) >= self.want:
            self.event.set()

    def wait_for(self, count: int) -> list[RenderResult]:
        self.want = count
        if len(self.results) < count:
            self.event.clear()
            assert self.event.wait(20), self.results
        return self.results


def test_the_render_thread_opens_then_answers_previews_before_tiles_and_drops_stale_tiles(
    drawing: bytes,
) -> None:
    got = _Collector()
    gate = threading.Event()

    def held(result: RenderResult) -> None:
        gate.wait(10)  # hold the thread after opening, so requests queue up
        got(result)

    service = RenderService(drawing, on_result=held)
    service.start()
    try:
        stale = [TileKey(0, 0, c, 0) for c in range(3)]
        service.request_tiles(stale, generation=1)
        service.request_thumbnails([1])
        service.request_search("RM 100", generation=5)
        fresh = [TileKey(0, 1, 0, 0)]
        service.request_tiles(fresh, generation=2)
        service.request_preview([TileKey(0, -2, 0, 0)])
        gate.set()
        results = got.wait_for(5)
    finally:
        service.close()
    assert isinstance(results[0], DocumentOpened)
    assert results[0].page_sizes == [ARCH_A, ARCH_A]
    kinds = [type(r).__name__ for r in results[1:]]
    assert kinds == ["TileRendered", "TileRendered", "SearchFinished", "ThumbnailRendered"]
    preview, sharp, search, thumb = results[1:]
    assert isinstance(preview, TileRendered) and preview.preview
    assert isinstance(sharp, TileRendered) and sharp.key == fresh[0] and sharp.generation == 2
    assert isinstance(search, SearchFinished) and search.generation == 5 and search.hits
    assert isinstance(thumb, ThumbnailRendered) and max(thumb.bitmap.width, 1) <= 160


def test_a_file_that_is_not_a_pdf_fails_to_open_with_its_sentence() -> None:
    got = _Collector()
    service = RenderService(b"GIF89a not a drawing", on_result=got)
    service.start()
    try:
        results = got.wait_for(1)
    finally:
        service.close()
    assert isinstance(results[0], RenderFailed) and results[0].job == "open"
    assert isinstance(results[0].error, NotAPdfError)
