"""Floor plate geometry of the demo building: floors, room rectangles, equipment spots.

Every floor shares one 60 m x 30 m plate with the same structure, like a real
medical office building: a north band of exterior rooms, a north corridor, an
interior core (stairs, lifts, restrooms, closets), a south corridor and a south
band. Rooms are given as widths along each band, so rectangles tile the plate
without gaps or overlaps by construction. Coordinates are metres with x to the
east and y growing southward, the same direction as PDF page coordinates, so a
plan maps to a drawing with a scale and an offset only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

PLATE_W: Final = 60.0
PLATE_H: Final = 30.0

#: Band name → (y0, y1) in metres.
BANDS: Final = {
    "north": (0.0, 8.0),
    "corridor_n": (8.0, 10.0),
    "core": (10.0, 20.0),
    "corridor_s": (20.0, 22.0),
    "south": (22.0, 30.0),
}

#: One segment of a band: its width and the rooms stacked in it (north to south),
#: each as (number, name). A segment with two rooms splits the band's depth.
Segment = tuple[float, tuple[tuple[str, str], ...]]


def _seg(width: float, *rooms: tuple[str, str]) -> Segment:
    return (width, rooms)


@dataclass(frozen=True)
class FloorProgram:
    """What one floor holds; corridors, stairs, lifts and restrooms are added per floor."""

    level: int
    name: str
    prefix: str
    restrooms: str
    north: tuple[Segment, ...]
    core_mid: tuple[Segment, ...]
    south: tuple[Segment, ...]


@dataclass(frozen=True)
class RoomBox:
    """A room's number, name and rectangle on the plate (metres)."""

    level: int
    number: str
    name: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        return round((self.x1 - self.x0) * (self.y1 - self.y0), 1)

    @property
    def is_strip(self) -> bool:
        """Corridor-like rooms get their label at the west end, items in one row."""
        return self.y1 - self.y0 < 3.0

    def outline(self) -> dict[str, list[list[float]]]:
        pts = [[self.x0, self.y0], [self.x1, self.y0], [self.x1, self.y1], [self.x0, self.y1]]
        return {"points": pts}


PROGRAMS: Final = (
    FloorProgram(
        0,
        "Ground Floor",
        "0",
        "006",
        north=(
            _seg(18, ("001", "Central Plant")),
            _seg(6, ("002", "Fire Pump Room")),
            _seg(7, ("003", "Generator Room")),
            _seg(9, ("004", "Main Electrical Room")),
            _seg(20, ("005", "Imaging Suite")),
        ),
        core_mid=(
            _seg(30, ("007", "Main Lobby")),
            _seg(11, ("008", "Security & Fire Command"), ("009", "IT Closet")),
        ),
        south=(
            _seg(14, ("010", "Pharmacy")),
            _seg(12, ("011", "Café")),
            _seg(34, ("012", "Reception & Waiting")),
        ),
    ),
    FloorProgram(
        1,
        "Level 1",
        "1",
        "106",
        north=(
            _seg(6, ("101", "Exam Room 1")),
            _seg(6, ("102", "Exam Room 2")),
            _seg(6, ("103", "Exam Room 3")),
            _seg(12, ("104", "Procedure Room")),
            _seg(30, ("105", "Physician Offices")),
        ),
        core_mid=(
            _seg(30, ("107", "Nurse Station")),
            _seg(11, ("108", "Electrical Room"), ("109", "IT Closet")),
        ),
        south=(
            _seg(40, ("110", "Reception & Waiting")),
            _seg(20, ("111", "Staff Lounge")),
        ),
    ),
    FloorProgram(
        2,
        "Level 2",
        "2",
        "206",
        north=(
            _seg(24, ("201", "Physical Therapy Gym")),
            _seg(9, ("202", "Echo Lab")),
            _seg(9, ("203", "Stress Test Room")),
            _seg(9, ("204", "Exam Room 1")),
            _seg(9, ("205", "Exam Room 2")),
        ),
        core_mid=(
            _seg(30, ("207", "Clinical Work Room")),
            _seg(11, ("208", "Electrical Room"), ("209", "IT Closet")),
        ),
        south=(
            _seg(30, ("210", "Reception & Waiting")),
            _seg(30, ("211", "Physician Offices")),
        ),
    ),
    FloorProgram(
        3,
        "Level 3",
        "3",
        "305",
        north=(
            _seg(24, ("301", "Mechanical Room")),
            _seg(10, ("302", "Server Room")),
            _seg(12, ("303", "Medical Records")),
            _seg(14, ("304", "Conference Room")),
        ),
        core_mid=(
            _seg(30, ("306", "Break Room")),
            _seg(11, ("307", "Electrical Room"), ("308", "Storage")),
        ),
        south=(
            _seg(36, ("309", "Open Office")),
            _seg(24, ("310", "Executive Offices")),
        ),
    ),
)


def _core(program: FloorProgram) -> tuple[Segment, ...]:
    """The vertical core every floor shares: stairs at both ends, restrooms and lifts."""
    return (
        _seg(4, ("ST1", "Stair 1")),
        _seg(6, (program.restrooms, "Restrooms")),
        _seg(5, ("EL1", "Elevators")),
        *program.core_mid,
        _seg(4, ("ST2", "Stair 2")),
    )


def _band_rooms(level: int, band: str, segments: tuple[Segment, ...]) -> list[RoomBox]:
    y0, y1 = BANDS[band]
    total = sum(width for width, _ in segments)
    if not math.isclose(total, PLATE_W):
        raise ValueError(f"level {level} {band} band is {total} m wide, not {PLATE_W} m")
    boxes: list[RoomBox] = []
    x = 0.0
    for width, rooms in segments:
        depth = (y1 - y0) / len(rooms)
        for i, (number, name) in enumerate(rooms):
            top = y0 + i * depth
            boxes.append(RoomBox(level, number, name, x, top, x + width, top + depth))
        x += width
    return boxes


def floor_rooms(program: FloorProgram) -> list[RoomBox]:
    """Every room of a floor, tiling the plate west to east, band by band."""
    p = program.prefix
    corridor_n = (_seg(PLATE_W, (f"C{p}01", "North Corridor")),)
    corridor_s = (_seg(PLATE_W, (f"C{p}02", "South Corridor")),)
    rooms: list[RoomBox] = []
    for band, segments in (
        ("north", program.north),
        ("corridor_n", corridor_n),
        ("core", _core(program)),
        ("corridor_s", corridor_s),
        ("south", program.south),
    ):
        rooms.extend(_band_rooms(program.level, band, segments))
    return rooms


#: Spots for equipment inside a room, sized for a 1:100 drawing: a marker and a
#: tag of up to eight characters fit in one cell.
CELL_W: Final = 1.9
CELL_H: Final = 0.75
MARGIN: Final = 0.45
LABEL_H: Final = 1.45
STRIP_LABEL_W: Final = 6.5


def equipment_spots(room: RoomBox, count: int) -> list[tuple[float, float]]:
    """Marker positions for *count* items, spread over the room clear of its label.

    A spot is the marker's centre; the tag is drawn to its right, so spots keep
    a cell's width free. Raises if the room cannot hold them legibly, so a data
    change that would make the drawing unreadable fails the generator instead.
    """
    if count == 0:
        return []
    if room.is_strip:
        x0, x1 = room.x0 + STRIP_LABEL_W, room.x1 - MARGIN
        y0 = y1 = (room.y0 + room.y1) / 2
    else:
        x0, x1 = room.x0 + MARGIN, room.x1 - MARGIN
        y0, y1 = room.y0 + LABEL_H, room.y1 - MARGIN
    cols = max(1, min(count, int((x1 - x0) // CELL_W)))
    rows = math.ceil(count / cols)
    max_rows = 1 if room.is_strip else max(1, int((y1 - y0) // CELL_H))
    if rows > max_rows:
        raise ValueError(f"room {room.number} cannot hold {count} markers legibly")
    cell_w = (x1 - x0) / cols
    cell_h = (y1 - y0) / rows if rows else 0.0
    spots = []
    for i in range(count):
        row, col = divmod(i, cols)
        # The marker sits left of the cell centre so marker plus tag look centred.
        cx = x0 + (col + 0.5) * cell_w - min(0.7, cell_w / 2 - 0.2)
        cy = y0 + (row + 0.5) * cell_h if not room.is_strip else y0
        spots.append((round(cx, 2), round(cy, 2)))
    return spots
