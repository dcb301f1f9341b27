"""The equipment table's reads: a building's equipment filtered, sorted and read a page at a time.

A building may hold 100,000 pieces of equipment, so the table never decodes them
all: a query is sorted once into a snapshot of row numbers (:func:`equipment_order`),
and the rows are read from it a page at a time as the user scrolls
(:func:`equipment_rows`), so the last page costs what the first did whatever the
order. Every order ends with the tag and the id, which makes it total: two rows
never tie, so a reload puts rows back where they were.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.store.replica import Replica, scope_filter

#: Rows per page: a screenful many times over, read in a few milliseconds.
PAGE_ROWS: Final = 500

#: Column a user can sort by → the SQL expression sorted on. Rows without a floor or
#: room sort after those with one (levels run from -20 to 300).
SORT_KEYS: Final[dict[str, str]] = {
    "tag": "e.tag COLLATE NOCASE",
    "name": "e.name COLLATE NOCASE",
    "system": "e.system",
    "type": "e.type COLLATE NOCASE",
    "status": "e.status",
    "floor": "coalesce(f.level, 100000)",
    "room": "coalesce(r.number, '~') COLLATE NOCASE",
}

_TAG = SORT_KEYS["tag"]
_FROM = (
    " FROM equipment e LEFT JOIN floors f ON f.id = e.floor_id"
    " LEFT JOIN rooms r ON r.id = e.room_id"
)
#: Row numbers per page read: long enough to read many pages in one statement.
_CHUNK = 5000
_SHOWN = (
    "e.rowid, e.id, e.tag, e.name, e.system, e.type, e.status, e.floor_id,"
    " coalesce(f.name, ''), e.room_id, coalesce(r.number, ''), coalesce(r.name, '')"
)


@dataclass(frozen=True)
class EquipmentQuery:
    """Which equipment the table shows and in what order (``None``: no filter)."""

    building_id: str
    system: str | None = None
    status: str | None = None
    floor_id: str | None = None
    room_id: str | None = None
    #: Part of a tag or a name, any case.
    text: str = ""
    sort: str = "tag"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise ValueError(f"cannot sort equipment by {self.sort!r}")

    def unfiltered(self) -> EquipmentQuery:
        """The same building and order, every filter cleared."""
        return EquipmentQuery(self.building_id, sort=self.sort, descending=self.descending)


@dataclass(frozen=True, slots=True)
class EquipmentRow:
    """One line of the table, with its floor and room named."""

    #: SQLite's row number: the key of the table's order snapshot.
    rowid: int
    id: str
    tag: str
    name: str
    system: str
    type: str
    status: str
    floor_id: str | None
    floor: str
    room_id: str | None
    room: str


@dataclass(frozen=True)
class FilterChoices:
    """What the filter boxes offer: the values the building's equipment really has."""

    systems: list[str]
    statuses: list[str]
    #: (floor id, floor name), lowest level first.
    floors: list[tuple[str, str]]


@dataclass(frozen=True)
class EquipmentView:
    """A query's order, its first rows, and where the row to keep selected is among them."""

    #: Row numbers of every row the query shows, in order.
    order: array[int]
    rows: list[EquipmentRow]
    #: Index in :attr:`rows` of the row asked to be kept, or ``None`` if the query hides it.
    kept: int | None

    @property
    def total(self) -> int:
        return len(self.order)


def _order_by(query: EquipmentQuery) -> str:
    key = SORT_KEYS[query.sort]
    terms = [key, "e.id"] if key == _TAG else [key, _TAG, "e.id"]
    direction = " DESC" if query.descending else ""
    return ", ".join(f"{term}{direction}" for term in terms)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(replica: Replica, query: EquipmentQuery) -> tuple[str, list[Any]]:
    scope, scope_params = scope_filter(replica, "equipment", "e")
    clauses = ["e.building_id = ?", "e.deleted = 0", scope]
    params: list[Any] = [query.building_id, *scope_params]
    for column in ("system", "status", "floor_id", "room_id"):
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"e.{column} = ?")
            params.append(value)
    text = query.text.strip()
    if text:
        pattern = f"%{_escape_like(text)}%"
        clauses.append("(e.tag LIKE ? ESCAPE '\\' OR e.name LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    return " AND ".join(clauses), params


def count_equipment(replica: Replica, query: EquipmentQuery) -> int:
    """How many rows the query shows in all."""
    where, params = _where(replica, query)
    row = replica.conn.execute(f"SELECT count(*) FROM equipment e WHERE {where}", params)
    return int(row.fetchone()[0])


def equipment_order(replica: Replica, query: EquipmentQuery) -> array[int]:
    """Every row the query shows, in its order, as row numbers (the table's snapshot).

    Sorting 100,000 rows by a column without an index takes a few hundred
    milliseconds; doing it once per query, instead of once per page, keeps every
    page as cheap as the first whatever the order, and makes a row's position a
    lookup.
    """
    where, params = _where(replica, query)
    joins = _FROM if query.sort in ("floor", "room") else " FROM equipment e"
    sql = f"SELECT e.rowid{joins} WHERE {where} ORDER BY {_order_by(query)}"
    return array("q", (rowid for (rowid,) in replica.conn.execute(sql, params)))


def equipment_rows(replica: Replica, rowids: Sequence[int]) -> list[EquipmentRow]:
    """The rows with these row numbers, in the order given (rows deleted since are left out)."""
    found: dict[int, EquipmentRow] = {}
    for start in range(0, len(rowids), _CHUNK):
        chunk = json.dumps(list(rowids[start : start + _CHUNK]))
        sql = f"SELECT {_SHOWN}{_FROM} WHERE e.rowid IN (SELECT value FROM json_each(?))"
        sql += " AND e.deleted = 0"
        for row in replica.conn.execute(sql, (chunk,)):
            found[row[0]] = EquipmentRow(
                rowid=row[0],
                id=row[1],
                tag=row[2],
                name=row[3],
                system=row[4],
                type=row[5],
                status=row[6],
                floor_id=row[7],
                floor=row[8],
                room_id=row[9],
                room=f"{row[10]} {row[11]}".strip(),
            )
    return [found[rowid] for rowid in rowids if rowid in found]


def _rowid_of(replica: Replica, equipment_id: str) -> int | None:
    row = replica.conn.execute(
        "SELECT rowid FROM equipment WHERE id = ? AND deleted = 0", (equipment_id,)
    ).fetchone()
    return None if row is None else int(row[0])


def load_view(
    replica: Replica,
    query: EquipmentQuery,
    *,
    keep_id: str | None = None,
    at_least: int = PAGE_ROWS,
) -> EquipmentView:
    """The query's order and its first rows: at least *at_least*, and down to the row to keep.

    One job for a table that reloads (new filter, new order, rows changed under it)
    and must keep the user's selected row and how far they had scrolled.
    """
    order = equipment_order(replica, query)
    rowid = _rowid_of(replica, keep_id) if keep_id else None
    kept: int | None = None
    if rowid is not None and rowid in order:
        kept = order.index(rowid)
    wanted = max(at_least, PAGE_ROWS, 0 if kept is None else kept + 1)
    return EquipmentView(order, equipment_rows(replica, order[:wanted]), kept)


def filter_choices(replica: Replica, building_id: str) -> FilterChoices:
    """The systems and statuses the building's equipment has, and its floors."""
    conn = replica.conn

    shown, shown_params = scope_filter(replica, "equipment", "e")

    def distinct(column: str) -> list[str]:
        rows = conn.execute(
            f"SELECT DISTINCT {column} FROM equipment e WHERE building_id = ? AND deleted = 0"
            f" AND {shown} ORDER BY {column}",
            (building_id, *shown_params),
        )
        return [str(value) for (value,) in rows]

    levels, level_params = scope_filter(replica, "floor", "f")
    floors = conn.execute(
        f"SELECT id, name FROM floors f WHERE building_id = ? AND deleted = 0 AND {levels}"
        " ORDER BY level, name",
        (building_id, *level_params),
    ).fetchall()
    return FilterChoices(distinct("system"), distinct("status"), [(i, n) for i, n in floors])


def reveal(replica: Replica, query: EquipmentQuery, equipment_id: str) -> EquipmentQuery:
    """*query* with the filters that hide the equipment cleared (and its building, if another).

    A "show me AHU-1" from search or a link must land on a visible row, but without
    throwing away the filters that already include it.
    """
    found = replica.conn.execute(
        "SELECT building_id, system, status, floor_id, room_id FROM equipment"
        " WHERE id = ? AND deleted = 0",
        (equipment_id,),
    ).fetchone()
    if found is None:
        raise NotFoundError(f"No equipment with id {equipment_id} in this replica")
    building_id, system, status, floor_id, room_id = found
    if building_id != query.building_id:
        return EquipmentQuery(building_id, sort=query.sort, descending=query.descending)
    shown = replace(
        query,
        system=query.system if query.system in (None, system) else None,
        status=query.status if query.status in (None, status) else None,
        floor_id=query.floor_id if query.floor_id in (None, floor_id) else None,
        room_id=query.room_id if query.room_id in (None, room_id) else None,
    )
    if shown.text:
        where, params = _where(replica, shown)
        sql = f"SELECT 1 FROM equipment e WHERE {where} AND e.id = ?"
        if replica.conn.execute(sql, [*params, equipment_id]).fetchone() is None:
            shown = replace(shown, text="")
    return shown
