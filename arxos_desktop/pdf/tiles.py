"""Tile grid of a page: which square of pixels, at which level of detail, covers what.

A viewer zooms continuously, but rendering at every zoom factor would throw tiles
away on each wheel step. Tiles are instead rendered at a few fixed *levels*
(scales a half-octave apart) and drawn scaled by less than that step, so a zoom
gesture reuses the tiles it already has until it crosses into the next level.

Tile edges fall on whole device pixels of the page rendered at the level's
scale: a tile is exactly the same block of pixels a whole-page render at that
scale would produce, so tiles meet without seams.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

#: Side of a tile in device pixels (256 x 256 x 3 bytes = 192 KiB each).
TILE_PX: Final = 256
#: Levels are ``2 ** (level / LEVELS_PER_OCTAVE)``: each level is sqrt(2) sharper.
LEVELS_PER_OCTAVE: Final = 2
#: Coarsest and finest level: 1/16 and 16 device pixels per point.
MIN_LEVEL: Final = -8
MAX_LEVEL: Final = 8
#: Longer side of the whole-page preview shown before sharp tiles arrive, in pixels.
PREVIEW_PX: Final = 1024
#: Extra margin rendered around a tile and cut away, in points (see :func:`pad_px`).
PAD_PT: Final = 24.0
#: Bounds of that margin in device pixels.
MIN_PAD_PX: Final = 16
MAX_PAD_PX: Final = 128
#: Rounding slack when a zoom lands (in floating point) just above a level.
_EPSILON: Final = 1e-6


class TileError(ValueError):
    """A tile or zoom outside what the grid can describe (a caller's mistake)."""


@dataclass(frozen=True, order=True)
class TileKey:
    """One tile: page (from 0), level of detail, column and row from the top left."""

    page: int
    level: int
    col: int
    row: int


@dataclass(frozen=True)
class PixelRect:
    """Device pixels ``[x0, x1) x [y0, y1)`` of the page rendered at some scale."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def scale_of(level: int) -> float:
    """Device pixels per PDF point at *level*."""
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise TileError(f"level {level} is outside {MIN_LEVEL}..{MAX_LEVEL}")
    return float(2.0 ** (level / LEVELS_PER_OCTAVE))


def level_for(device_scale: float) -> int:
    """The coarsest level at least as sharp as *device_scale* pixels per point (clamped)."""
    if not math.isfinite(device_scale) or device_scale <= 0:
        raise TileError("a zoom is a positive number")
    level = math.ceil(math.log2(device_scale) * LEVELS_PER_OCTAVE - _EPSILON)
    return max(MIN_LEVEL, min(MAX_LEVEL, level))


def page_pixels(page_size: tuple[float, float], scale: float) -> tuple[int, int]:
    """Width and height in pixels of the whole page rendered at *scale* (as MuPDF rounds)."""
    width, height = page_size
    return _round_up(width * scale), _round_up(height * scale)


def grid_of(page_size: tuple[float, float], level: int) -> tuple[int, int]:
    """Columns and rows of tiles covering the page at *level*."""
    width, height = page_pixels(page_size, scale_of(level))
    return math.ceil(width / TILE_PX), math.ceil(height / TILE_PX)


def pixel_rect(key: TileKey, page_size: tuple[float, float]) -> PixelRect:
    """The pixels of the whole-page render that *key* covers (the last ones are cut short)."""
    cols, rows = grid_of(page_size, key.level)
    if not (0 <= key.col < cols and 0 <= key.row < rows):
        raise TileError(f"tile {key.col},{key.row} is outside the {cols}x{rows} grid")
    width, height = page_pixels(page_size, scale_of(key.level))
    x0, y0 = key.col * TILE_PX, key.row * TILE_PX
    return PixelRect(x0, y0, min(x0 + TILE_PX, width), min(y0 + TILE_PX, height))


def clip_of(key: TileKey, page_size: tuple[float, float]) -> tuple[float, float, float, float]:
    """The tile's rectangle in page points (what to pass as a render clip)."""
    pixels = pixel_rect(key, page_size)
    scale = scale_of(key.level)
    return (pixels.x0 / scale, pixels.y0 / scale, pixels.x1 / scale, pixels.y1 / scale)


def visible_tiles(
    page: int,
    page_size: tuple[float, float],
    level: int,
    viewport: tuple[float, float, float, float],
) -> list[TileKey]:
    """Tiles of *page* at *level* that meet *viewport* (page points), centre first.

    The centre of the view is what the user looks at, so its tiles are rendered
    (and arrive) before the ones at the edges.
    """
    cols, rows = grid_of(page_size, level)
    scale = scale_of(level)
    left, top, right, bottom = viewport
    if right <= left or bottom <= top:
        return []
    col0 = max(0, math.floor(left * scale / TILE_PX))
    row0 = max(0, math.floor(top * scale / TILE_PX))
    col1 = min(cols - 1, math.floor(right * scale / TILE_PX))
    row1 = min(rows - 1, math.floor(bottom * scale / TILE_PX))
    centre_x = (left + right) / 2 * scale / TILE_PX - 0.5
    centre_y = (top + bottom) / 2 * scale / TILE_PX - 0.5
    keys = [
        TileKey(page, level, col, row)
        for row in range(row0, row1 + 1)
        for col in range(col0, col1 + 1)
    ]
    keys.sort(key=lambda k: (k.col - centre_x) ** 2 + (k.row - centre_y) ** 2)
    return keys


def preview_scale(page_size: tuple[float, float], longest_px: int = PREVIEW_PX) -> float:
    """Scale of the low-resolution whole-page preview (its longer side is *longest_px*)."""
    longest = max(page_size)
    if longest <= 0:
        raise TileError("a page has a size")
    return longest_px / longest


def preview_level(page_size: tuple[float, float]) -> int:
    """The level the whole-page preview is drawn at: the finest no sharper than the preview.

    The preview is rendered as tiles of this level, not as one picture: PyMuPDF keeps
    Python's interpreter lock while it rasterises, and a dense sheet's whole preview
    would hold it (freezing the window) for about a tenth of a second.
    """
    scale = preview_scale(page_size)
    level = math.floor(math.log2(scale) * LEVELS_PER_OCTAVE + _EPSILON)
    return max(MIN_LEVEL, min(MAX_LEVEL, level))


def pad_px(level: int) -> int:
    """Margin rendered around a tile (and cut away) so tiles stitch without seams.

    MuPDF rasterises a path that crosses the clip edge slightly differently from
    the same path drawn whole (up to ~20 of 255 levels, over the path's length),
    so a tile is rendered with a margin of about one stroke's length of a dense
    drawing and its inside kept: tiles then match a whole-page render exactly for
    strokes shorter than the margin, and within a few levels for longer ones.
    """
    return max(MIN_PAD_PX, min(MAX_PAD_PX, math.ceil(PAD_PT * scale_of(level))))


def _round_up(value: float) -> int:
    """Pixels needed to cover *value*, ignoring float noise just above a whole number."""
    return max(1, math.ceil(value - 1e-3))
