"""Tiled rendering: the grid, seamless tiles, one display list per page, the byte-bounded cache."""

from __future__ import annotations

import math

import numpy as np
import pymupdf
import pytest

from arxos_desktop.pdf import tiles
from arxos_desktop.pdf.renderer import Bitmap, PageRenderer
from arxos_desktop.pdf.tile_cache import TileCache
from arxos_desktop.pdf.tiles import TileError, TileKey
from tests.drawings import ARCH_A, dense_drawing


@pytest.fixture(scope="module")
def small_drawing() -> bytes:
    return dense_drawing(size=ARCH_A, paths=3_000, labels=120)


def _array(bitmap: Bitmap) -> np.ndarray:
    rows = np.frombuffer(bitmap.samples, np.uint8).reshape(bitmap.height, bitmap.stride)
    return rows[:, : bitmap.width * 3].reshape(bitmap.height, bitmap.width, 3)


def _whole(doc: pymupdf.Document, scale: float) -> np.ndarray:
    pix = doc[0].get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
    rows = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)
    return rows[:, : pix.width * 3].reshape(pix.height, pix.width, 3)


def test_levels_are_half_octaves_and_a_zoom_gets_the_next_sharper_level() -> None:
    assert tiles.scale_of(0) == 1.0
    assert tiles.scale_of(2) == 2.0
    assert math.isclose(tiles.scale_of(1), math.sqrt(2))
    assert tiles.level_for(1.0) == 0
    assert tiles.level_for(1.01) == 1
    assert tiles.level_for(0.49) == -2
    assert tiles.level_for(1e9) == tiles.MAX_LEVEL
    with pytest.raises(TileError):
        tiles.level_for(0.0)
    with pytest.raises(TileError):
        tiles.level_for(float("nan"))


def test_the_grid_covers_the_page_and_edge_tiles_are_cut_short() -> None:
    size = (600.0, 300.0)
    cols, rows = tiles.grid_of(size, 0)
    assert (cols, rows) == (3, 2)
    last = tiles.pixel_rect(TileKey(0, 0, 2, 1), size)
    assert (last.x0, last.y0, last.width, last.height) == (512, 256, 88, 44)
    with pytest.raises(TileError):
        tiles.pixel_rect(TileKey(0, 0, 3, 0), size)


def test_visible_tiles_are_those_in_view_centre_first() -> None:
    size = (2000.0, 2000.0)
    keys = tiles.visible_tiles(0, size, 0, (300.0, 300.0, 900.0, 700.0))
    assert {(k.col, k.row) for k in keys} == {(c, r) for c in range(1, 4) for r in range(1, 3)}
    assert (keys[0].col, keys[0].row) in {(2, 1), (2, 2)}
    assert tiles.visible_tiles(0, size, 0, (10.0, 10.0, 10.0, 50.0)) == []


@pytest.mark.parametrize("level", [-1, 2])
def test_tiles_stitched_equal_a_whole_page_render(small_drawing: bytes, level: int) -> None:
    with pymupdf.open(stream=small_drawing, filetype="pdf") as doc:
        renderer = PageRenderer(doc)
        size = renderer.page_size(0)
        whole = _whole(doc, tiles.scale_of(level))
        stitched = np.zeros_like(whole)
        cols, rows = tiles.grid_of(size, level)
        for col in range(cols):
            for row in range(rows):
                key = TileKey(0, level, col, row)
                px = tiles.pixel_rect(key, size)
                stitched[px.y0 : px.y1, px.x0 : px.x1] = _array(renderer.render_tile(key))
        assert stitched.shape == whole.shape
        assert np.array_equal(stitched, whole)


def test_every_tile_and_preview_of_a_page_comes_from_one_display_list(
    small_drawing: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = pymupdf.Page.get_displaylist

    def counting(self: pymupdf.Page, *args: object, **kwargs: object) -> pymupdf.DisplayList:
        calls.append(self.number)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pymupdf.Page, "get_displaylist", counting)
    with pymupdf.open(stream=small_drawing, filetype="pdf") as doc:
        renderer = PageRenderer(doc)
        renderer.render_preview(0)
        for col in range(3):
            renderer.render_tile(TileKey(0, 0, col, 0))
        renderer.render_tile(TileKey(0, 2, 1, 1))
    assert calls == [0]


def test_a_tile_knows_where_it_sits_on_the_page(small_drawing: bytes) -> None:
    with pymupdf.open(stream=small_drawing, filetype="pdf") as doc:
        bitmap = PageRenderer(doc).render_tile(TileKey(0, 2, 1, 2))
    assert (bitmap.width, bitmap.height) == (256, 256)
    assert bitmap.origin == (128.0, 256.0)
    assert bitmap.scale == 2.0
    assert bitmap.nbytes == 256 * 256 * 3


def test_the_cache_evicts_the_least_recently_used_by_bytes_not_count() -> None:
    cache: TileCache[str, str] = TileCache(budget_bytes=1000)
    cache.put("a", "A", 400)
    cache.put("b", "B", 400)
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C", 300)  # 1100 > 1000: b (least recent) goes
    assert "b" not in cache
    assert cache.get("a") == "A" and cache.get("c") == "C"
    assert cache.bytes_used == 700
    for name in "defgh":  # many small entries fit where few big ones did
        cache.put(name, name, 10)
    assert len(cache) == 7 and cache.bytes_used == 750
    cache.put("big", "X", 900)
    assert cache.bytes_used <= 1000 and cache.get("big") == "X" and "a" not in cache


def test_the_cache_replaces_an_entry_and_refuses_one_larger_than_its_budget() -> None:
    cache: TileCache[str, str] = TileCache(budget_bytes=100)
    cache.put("a", "1", 60)
    cache.put("a", "2", 30)
    assert cache.get("a") == "2" and cache.bytes_used == 30
    cache.put("huge", "H", 101)
    assert "huge" not in cache and cache.get("a") == "2"
    with pytest.raises(ValueError):
        TileCache(budget_bytes=0)
