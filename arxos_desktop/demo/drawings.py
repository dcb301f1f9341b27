"""Floor plan sheets of the demo building, drawn with PyMuPDF, byte-for-byte reproducible.

Each floor gets an architectural plan sheet (ARCH D, 1:100) with walls, doors,
room labels, equipment markers coloured and shaped by system, a column grid,
a legend, the floor's equipment schedule and a title block. The sheets exist
so the app's drawing viewer, annotation pins and text search have something
realistic to work on. Page furniture and the save recipe live in :mod:`.sheet`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import pymupdf

from arxos_desktop.demo.sheet import (
    BLACK,
    GREY,
    LIGHT,
    PLAN_X0,
    PLAN_Y0,
    SCALE,
    WALL,
    WHITE,
    Color,
    finish,
    fit,
    new_sheet,
    put_text,
    schedule,
    title_block,
)
from sync.schema import BuildingBase, EquipmentBase, EquipmentStatus, FloorBase, RoomBase, System

#: Marker colour and shape per system, so plans read in colour and in greyscale.
SYSTEM_STYLE: Final[dict[System, tuple[Color, str]]] = {
    System.HVAC: ((0.10, 0.45, 0.80), "circle"),
    System.ELECTRICAL: ((0.92, 0.50, 0.05), "square"),
    System.PLUMBING: ((0.13, 0.60, 0.25), "diamond"),
    System.MECHANICAL: ((0.50, 0.30, 0.70), "hexagon"),
    System.FIRE: ((0.85, 0.10, 0.10), "triangle"),
    System.SECURITY: ((0.20, 0.25, 0.30), "nabla"),
    System.OTHER: ((0.60, 0.45, 0.10), "pentagon"),
}
_SHAPES: Final[dict[str, list[tuple[float, float]]]] = {
    "diamond": [(0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)],
    "triangle": [(0, -1.3), (1.2, 0.9), (-1.2, 0.9)],
    "nabla": [(-1.2, -0.9), (1.2, -0.9), (0, 1.3)],
    "hexagon": [(1.15, 0), (0.58, 1), (-0.58, 1), (-1.15, 0), (-0.58, -1), (0.58, -1)],
    "pentagon": [(0, -1.2), (1.14, -0.37), (0.7, 0.97), (-0.7, 0.97), (-1.14, -0.37)],
}
MARKER_R: Final = 4.5


def to_page(x: float, y: float) -> tuple[float, float]:
    """Plan metres → page points on a floor plan sheet (annotations use this too)."""
    return (round(PLAN_X0 + x * SCALE, 2), round(PLAN_Y0 + y * SCALE, 2))


def _marker(shape: pymupdf.Shape, x: float, y: float, system: System, status: str) -> None:
    """An equipment symbol; its fill and extra strokes tell the status at a glance."""
    color, kind = SYSTEM_STYLE[system]
    hollow = status in (EquipmentStatus.OUT_OF_SERVICE, EquipmentStatus.DECOMMISSIONED)
    if status == EquipmentStatus.DECOMMISSIONED:
        color = GREY
    if status == EquipmentStatus.NEEDS_SERVICE:
        shape.draw_circle((x, y), MARKER_R + 2.6)
        shape.finish(color=(0.98, 0.75, 0.0), width=1.6)
    r = MARKER_R
    if kind == "circle":
        shape.draw_circle((x, y), r)
    elif kind == "square":
        shape.draw_rect(pymupdf.Rect(x - r * 0.9, y - r * 0.9, x + r * 0.9, y + r * 0.9))
    else:
        shape.draw_polyline([(x + dx * r, y + dy * r) for dx, dy in _SHAPES[kind]])
    shape.finish(
        color=color if hollow else WALL,
        fill=WHITE if hollow else color,
        width=1.2 if hollow else 0.5,
        closePath=True,
    )
    if status == EquipmentStatus.OUT_OF_SERVICE:
        shape.draw_line((x - r - 1.5, y + r + 1.5), (x + r + 1.5, y - r - 1.5))
        shape.finish(color=(0.85, 0.1, 0.1), width=1.3)


def _rect(room: RoomBase) -> pymupdf.Rect:
    xs = [p[0] for p in room.outline["points"]]
    ys = [p[1] for p in room.outline["points"]]
    x0, y0 = to_page(min(xs), min(ys))
    x1, y1 = to_page(max(xs), max(ys))
    return pymupdf.Rect(x0, y0, x1, y1)


def _room(shape: pymupdf.Shape, room: RoomBase) -> None:
    """Walls, fill, vertical-circulation hints and the room label."""
    r = _rect(room)
    strip = r.height < 3.0 * SCALE
    shape.draw_rect(r)
    shape.finish(color=WALL, fill=(0.94, 0.94, 0.94) if strip else WHITE, width=1.4)
    if room.number.startswith("ST"):  # stair treads
        y = r.y0 + 48
        while y < r.y1 - 6:
            shape.draw_line((r.x0 + 8, y), (r.x1 - 8, y))
            y += 8.0
        shape.finish(color=LIGHT, width=0.5)
    if room.number.startswith("EL"):  # two cars with the usual cross
        for i in range(2):
            car = pymupdf.Rect(r.x0 + 8, r.y0 + 50 + i * 120, r.x1 - 8, r.y0 + 160 + i * 120)
            shape.draw_rect(car)
            shape.draw_line(car.tl, car.br)
            shape.draw_line(car.tr, car.bl)
        shape.finish(color=LIGHT, width=0.6)
    if strip:
        put_text(shape, r.x0 + 10, r.y0 + r.height / 2 + 3, room.number, 8, "hebo")
        put_text(shape, r.x0 + 42, r.y0 + r.height / 2 + 3, room.name, 7)
        return
    cx = (r.x0 + r.x1) / 2
    put_text(shape, cx, r.y0 + 13, room.number, 9, "hebo", align="center")
    put_text(shape, cx, r.y0 + 23, fit(room.name, r.width - 8, 7), 7, align="center")
    area = f"{room.area_m2:.1f} m²" if room.area_m2 is not None else ""
    put_text(shape, cx, r.y0 + 32, area, 6, color=GREY, align="center")


def _door(shape: pymupdf.Shape, r: pymupdf.Rect) -> None:
    """A 0.9 m door near the west end of the wall facing a corridor, with its swing.

    Rooms on the plate's north edge and the lower half of a stacked core
    segment open south; every other room opens north. Plate edges are fixed
    at page y of plan y = 0, 10 and 30 m, which is all this needs.
    """
    _, north_edge = to_page(0, 0)
    _, core_top = to_page(0, 10)
    opens_south = math.isclose(r.y0, north_edge) or (
        r.y0 > core_top + 1 and r.y1 < to_page(0, 21)[1]
    )
    wall_y = r.y1 if opens_south else r.y0
    into = -1.0 if opens_south else 1.0
    width = 0.9 * SCALE
    hinge_x = r.x0 + 0.5 * SCALE
    shape.draw_line((hinge_x, wall_y), (hinge_x + width, wall_y))
    shape.finish(color=WHITE, width=2.2)
    leaf_end = (hinge_x, wall_y + into * width)
    shape.draw_line((hinge_x, wall_y), leaf_end)
    shape.draw_sector((hinge_x, wall_y), leaf_end, 90 * into, fullSector=False)
    shape.finish(color=WALL, width=0.6)


def _grid(shape: pymupdf.Shape) -> None:
    """Structural column grid with bubbles: numbers west-east, letters north-south."""
    left, top = to_page(0, 0)
    right, bottom = to_page(60, 30)
    for i in range(7):
        x, _ = to_page(i * 10, 0)
        shape.draw_line((x, top - 40), (x, bottom + 12))
        shape.finish(color=LIGHT, width=0.4, dashes="[6 3] 0")
        shape.draw_circle((x, top - 52), 12)
        shape.finish(color=WALL, fill=WHITE, width=0.8)
        put_text(shape, x, top - 48, str(i + 1), 10, "hebo", align="center")
    for i, letter in enumerate("ABCD"):
        _, y = to_page(0, i * 10)
        shape.draw_line((left - 40, y), (right + 12, y))
        shape.finish(color=LIGHT, width=0.4, dashes="[6 3] 0")
        shape.draw_circle((left - 52, y), 12)
        shape.finish(color=WALL, fill=WHITE, width=0.8)
        put_text(shape, left - 52, y + 4, letter, 10, "hebo", align="center")


def _north_arrow_and_scale(shape: pymupdf.Shape) -> None:
    right, top = to_page(60, 0)
    x, y = right + 90, top + 10
    shape.draw_polyline([(x, y), (x + 14, y + 46), (x, y + 36), (x - 14, y + 46)])
    shape.finish(color=WALL, fill=WALL, closePath=True)
    put_text(shape, x, y - 6, "N", 14, "hebo", align="center")
    left, bottom = to_page(0, 30)
    y = bottom + 40
    for i in range(5):
        seg = pymupdf.Rect(left + i * 2 * SCALE, y, left + (i + 1) * 2 * SCALE, y + 6)
        shape.draw_rect(seg)
        shape.finish(color=WALL, fill=WALL if i % 2 == 0 else WHITE, width=0.6)
        put_text(shape, seg.x0, y + 17, f"{i * 2}", 7, align="center")
    put_text(shape, left + 10 * SCALE, y + 17, "10 m", 7, align="center")
    put_text(shape, left + 10 * SCALE + 30, y + 6, "SCALE 1:100", 8, "hebo")


def _legend(shape: pymupdf.Shape, x: float, y: float) -> None:
    put_text(shape, x, y, "LEGEND", 10, "hebo")
    y += 20
    for system, _style in SYSTEM_STYLE.items():
        _marker(shape, x + 8, y - 3, system, EquipmentStatus.OPERATIONAL)
        put_text(shape, x + 20, y, system.value.upper(), 8)
        y += 16
    y += 6
    for status, label in (
        (EquipmentStatus.NEEDS_SERVICE, "Needs service (yellow ring)"),
        (EquipmentStatus.OUT_OF_SERVICE, "Out of service (hollow, slashed)"),
        (EquipmentStatus.DECOMMISSIONED, "Decommissioned (grey)"),
    ):
        _marker(shape, x + 8, y - 3, System.HVAC, status)
        put_text(shape, x + 20, y, label, 8)
        y += 16


def floor_plan_pdf(
    building: BuildingBase,
    floor: FloorBase,
    rooms: Sequence[RoomBase],
    equipment: Sequence[EquipmentBase],
    *,
    sheet: str,
    title: str,
) -> bytes:
    """One floor's plan sheet as PDF bytes (one page)."""
    doc, _page, shape = new_sheet()
    _grid(shape)
    left, top = to_page(0, 0)
    for room in rooms:
        _room(shape, room)
    for room in rooms:  # after every wall, so no neighbour's wall closes the opening again
        if _rect(room).height >= 3.0 * SCALE and not room.number.startswith("EL"):
            _door(shape, _rect(room))
    right, bottom = to_page(60, 30)
    shape.draw_rect(pymupdf.Rect(left, top, right, bottom))
    shape.finish(color=WALL, width=3.5)
    placed = sorted(equipment, key=lambda e: e.tag)
    for item in placed:
        px, py = to_page(item.position["x"], item.position["y"])
        label_w = pymupdf.get_text_length(item.tag, fontname="helv", fontsize=6.5)
        # A white halo keeps tags legible over grid lines, stair treads and door swings.
        shape.draw_rect(
            pymupdf.Rect(px - MARKER_R - 3, py - 7, px + MARKER_R + 5 + label_w, py + 7)
        )
        shape.finish(color=None, fill=WHITE, width=0)
        _marker(shape, px, py, item.system, item.status)
        color = GREY if item.status == EquipmentStatus.DECOMMISSIONED else BLACK
        put_text(shape, px + MARKER_R + 3, py + 2.4, item.tag, 6.5, "helv", color)
    put_text(shape, left, top - 90, title.upper(), 18, "hebo")
    put_text(shape, left, top - 74, building.name, 9, color=GREY)
    _north_arrow_and_scale(shape)
    _legend(shape, left, bottom + 100)
    by_id = {r.id: r for r in rooms}
    location = {
        e.id: f"{by_id[e.room_id].number} {by_id[e.room_id].name}"
        for e in placed
        if e.room_id in by_id
    }
    schedule(
        shape,
        left + 330,
        bottom + 100,
        f"EQUIPMENT ON THIS FLOOR ({len(placed)})",
        placed,
        location,
        rows_per_column=40,
    )
    title_block(shape, building, title, sheet, "1:100 at ARCH D (36 x 24 in)")
    return finish(doc, shape, title, building.name)
