"""Sheet furniture shared by the demo drawings: page, text, title block, schedules.

Split from :mod:`.drawings` so the floor-plan code stays about plans. Only
base-14 fonts are used (nothing embedded, tiny files, extractable text), and
:func:`finish` saves with fixed metadata and no document id, so the bytes
depend only on the input and the MuPDF version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pymupdf

from sync.schema import BuildingBase, EquipmentBase, FloorBase, RoomBase

PAGE_W: Final = 2592.0  # ARCH D landscape, 36 x 24 in
PAGE_H: Final = 1728.0
SCALE: Final = 72 / 25.4 * 1000 / 100  # points per metre at 1:100
PLAN_X0: Final = 150.0
PLAN_Y0: Final = 170.0
TITLE_X0: Final = 2190.0
FIXED_DATE: Final = "D:20250106080000Z"

Color = tuple[float, float, float]
BLACK: Final[Color] = (0.0, 0.0, 0.0)
WHITE: Final[Color] = (1.0, 1.0, 1.0)
GREY: Final[Color] = (0.55, 0.55, 0.55)
LIGHT: Final[Color] = (0.8, 0.8, 0.8)
WALL: Final[Color] = (0.15, 0.15, 0.15)


def latin(text: str) -> str:
    """Base-14 fonts encode Latin-1 only; map the few typographic characters we use."""
    text = text.replace("—", "-").replace("–", "-").replace("’", "'")
    return text.encode("latin-1", "replace").decode("latin-1")


def fit(text: str, width: float, size: float, font: str = "helv") -> str:
    """*text* shortened with an ellipsis-free cut so it fits *width* points."""
    text = latin(text)
    while text and pymupdf.get_text_length(text, fontname=font, fontsize=size) > width:
        text = text[:-1]
    return text.rstrip()


def put_text(
    shape: pymupdf.Shape,
    x: float,
    y: float,
    text: str,
    size: float = 7.0,
    font: str = "helv",
    color: Color = BLACK,
    align: str = "left",
) -> None:
    """Draw one line with its baseline at *y*; *x* is its left, centre or right end."""
    text = latin(text)
    width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    shape.insert_text((x, y), text, fontsize=size, fontname=font, color=color)


def schedule(
    shape: pymupdf.Shape,
    x: float,
    y: float,
    title: str,
    items: Sequence[EquipmentBase],
    location: dict[str, str],
    *,
    rows_per_column: int,
    zoom: float = 1.0,
) -> None:
    """An equipment schedule table, flowing into further columns to the right.

    *location* maps an equipment id to the text of its ROOM column; *zoom*
    scales the whole table, for sheets that hold nothing but the schedule.
    """
    widths = [w * zoom for w in (60, 200, 95, 160, 145, 85)]
    heads = ("TAG", "DESCRIPTION", "MANUFACTURER", "MODEL", "ROOM", "STATUS")
    size, row_h, head_h = 6.5 * zoom, 11 * zoom, 14 * zoom
    table_w = sum(widths)
    put_text(shape, x, y, title, 10 * zoom, "hebo")
    for start in range(0, max(len(items), 1), rows_per_column):
        chunk = items[start : start + rows_per_column]
        left = x + (start // rows_per_column) * (table_w + 30)
        top = y + 10 * zoom
        shape.draw_rect(pymupdf.Rect(left, top, left + table_w, top + head_h))
        shape.finish(color=WALL, fill=(0.88, 0.88, 0.88), width=0.6)
        cx = left
        for name, width in zip(heads, widths, strict=True):
            put_text(shape, cx + 3 * zoom, top + 10 * zoom, name, size, "hebo")
            cx += width
        for i, item in enumerate(chunk):
            row_y = top + head_h + i * row_h
            cells = (
                item.tag,
                item.name,
                item.manufacturer,
                item.model,
                location.get(item.id, "Roof"),
                item.status.value.replace("_", " "),
            )
            cx = left
            for col, (width, cell) in enumerate(zip(widths, cells, strict=True)):
                font = "hebo" if col == 0 else "helv"
                cell = fit(cell, width - 6 * zoom, size, font)
                put_text(shape, cx + 3 * zoom, row_y + 8.5 * zoom, cell, size, font)
                cx += width
            shape.draw_line((left, row_y + row_h), (left + table_w, row_y + row_h))
        shape.finish(color=LIGHT, width=0.4)
        bottom = top + head_h + len(chunk) * row_h
        shape.draw_rect(pymupdf.Rect(left, top, left + table_w, bottom))
        shape.finish(color=WALL, width=0.6)


def title_block(
    shape: pymupdf.Shape, building: BuildingBase, sheet_title: str, sheet: str, scale: str
) -> None:
    """The right-hand title strip every sheet of a real drawing set carries."""
    x0, x1 = TITLE_X0, PAGE_W - 54
    shape.draw_rect(pymupdf.Rect(x0, 54, x1, PAGE_H - 54))
    shape.finish(color=WALL, width=1.2)
    x = x0 + 14
    street, _, town = building.address.partition(", ")
    put_text(shape, x, 90, "HARBOR FACILITIES GROUP", 14, "hebo")
    put_text(shape, x, 106, "Facilities Management - Record Drawings", 8, color=GREY)
    lines = [
        (150, "PROJECT", 7, "helv", GREY),
        (170, building.name, 11, "hebo", BLACK),
        (188, street, 8, "helv", BLACK),
        (201, town, 8, "helv", BLACK),
        (290, "SHEET TITLE", 7, "helv", GREY),
        (312, sheet_title.upper(), 13, "hebo", BLACK),
        (360, "SCALE", 7, "helv", GREY),
        (376, scale, 9, "helv", BLACK),
        (410, "DATE / PROJECT NO.", 7, "helv", GREY),
        (426, "2025-01-06  /  HV-0917", 9, "helv", BLACK),
        (460, "DRAWN / CHECKED", 7, "helv", GREY),
        (476, "ArxOS demo generator  /  HFG", 9, "helv", BLACK),
        (520, "REVISIONS", 7, "helv", GREY),
        (538, "0   2009-06-15   Issued for construction", 8, "helv", BLACK),
        (552, "1   2019-08-02   Boiler replacement (B-1, B-2)", 8, "helv", BLACK),
        (566, "2   2025-01-06   As-built equipment survey", 8, "helv", BLACK),
        (610, "GENERAL NOTES", 7, "helv", GREY),
        (628, "1. Equipment locations are schematic; verify in the field.", 7.5, "helv", BLACK),
        (642, "2. Tags match the ArxOS equipment register.", 7.5, "helv", BLACK),
        (656, "3. Rooftop units (CT-1, EF-1, EF-2) are on sheet M-001.", 7.5, "helv", BLACK),
        (670, "4. Room areas are measured to wall centrelines.", 7.5, "helv", BLACK),
    ]
    for y, line, size, font, color in lines:
        put_text(shape, x, y, fit(line, x1 - x - 10, size, font), size, font, color)
    for rule_y in (130.0, 275.0, 500.0, 590.0, PAGE_H - 200):
        shape.draw_line((x0, rule_y), (x1, rule_y))
    shape.finish(color=WALL, width=0.8)
    put_text(shape, x, PAGE_H - 176, "SHEET", 7, color=GREY)
    put_text(shape, (x0 + x1) / 2, PAGE_H - 90, sheet, 44, "hebo", align="center")


def new_sheet() -> tuple[pymupdf.Document, pymupdf.Page, pymupdf.Shape]:
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE_W, height=PAGE_H)
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(36, 36, PAGE_W - 36, PAGE_H - 36))
    shape.finish(color=WALL, width=2)
    return doc, page, shape


def finish(doc: pymupdf.Document, shape: pymupdf.Shape, title: str, subject: str) -> bytes:
    """Commit the drawing and save it with fixed metadata, so the bytes never vary."""
    shape.commit()
    doc.set_metadata(
        {
            "title": title,
            "author": "Harbor Facilities Group",
            "subject": subject,
            "keywords": "ArxOS demo building",
            "creator": "ArxOS Field demo generator",
            "producer": "ArxOS Field demo generator (PyMuPDF)",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    data: bytes = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return data


def schedule_pdf(
    building: BuildingBase,
    items: Sequence[EquipmentBase],
    rooms: Sequence[RoomBase],
    floors: Sequence[FloorBase],
    *,
    sheet: str,
    title: str,
) -> bytes:
    """A schedule-only sheet (e.g. every mechanical and HVAC item), as PDF bytes."""
    doc, _page, shape = new_sheet()
    put_text(shape, 90, 110, title.upper(), 18, "hebo")
    put_text(shape, 90, 128, building.name, 9, color=GREY)
    level = {f.id: f.name for f in floors}
    by_id = {r.id: r for r in rooms}
    location = {}
    for item in items:
        room = by_id.get(item.room_id or "")
        if room is not None:
            location[item.id] = f"{level[room.floor_id]}, {room.number} {room.name}"
    schedule(shape, 90, 180, "EQUIPMENT", list(items), location, rows_per_column=70, zoom=1.8)
    title_block(shape, building, title, sheet, "Not to scale")
    return finish(doc, shape, title, building.name)
