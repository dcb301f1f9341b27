"""Full-text search over equipment, rooms, notes and work orders (SQLite FTS5).

Every word the user types is matched as a prefix, so ``ahu 3`` finds ``AHU-3``
and ``chill`` finds chillers while the technician is still typing. An exact
tag match always comes first: it is what someone scanning a nameplate wants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from arxos_desktop.store.errors import StoreError
from arxos_desktop.store.replica import Replica

_WORD = re.compile(r"\w+", re.UNICODE)

#: kind → (table, FTS table, title SQL, detail SQL)
_SOURCES: Final = {
    "equipment": (
        "equipment",
        "equipment_fts",
        "t.tag",
        "t.name || ' · ' || t.system || ' · ' || t.status",
    ),
    "room": ("rooms", "rooms_fts", "'Room ' || t.number", "t.name"),
    "workorder": ("work_orders", "work_orders_fts", "t.title", "t.status || ' · ' || t.priority"),
    "note": (
        "notes",
        "notes_fts",
        "'Note on ' || t.target_kind",
        "snippet(notes_fts, 0, '[', ']', '…', 12)",
    ),
}
KINDS: Final = tuple(_SOURCES)


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    id: str
    building_id: str
    title: str
    detail: str
    rank: float


def fts_query(text: str) -> str:
    """User text → an FTS5 query of quoted prefix terms (no FTS syntax leaks through)."""
    words = _WORD.findall(text)
    return " ".join(f'"{w}"*' for w in words)


def search(
    replica: Replica,
    text: str,
    *,
    building_id: str | None = None,
    kinds: tuple[str, ...] = KINDS,
    limit: int = 50,
) -> list[SearchHit]:
    """Best matches first across the requested kinds, at most *limit* in all."""
    unknown = sorted(set(kinds) - set(_SOURCES))
    if unknown:
        raise StoreError(f"Cannot search {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    query = fts_query(text)
    if not query:
        return []
    hits: list[SearchHit] = []
    seen: set[str] = set()
    if "equipment" in kinds:
        for hit in _exact_tags(replica, text.strip(), building_id):
            hits.append(hit)
            seen.add(hit.id)
    for kind in kinds:
        table, fts, title, detail = _SOURCES[kind]
        sql = (
            f"SELECT t.id, t.building_id, {title}, {detail}, bm25({fts}) AS rank "
            f"FROM {fts} JOIN {table} t ON t.rowid = {fts}.rowid "
            f"WHERE {fts} MATCH ? AND t.deleted = 0"
        )
        params: list[object] = [query]
        if building_id is not None:
            sql += " AND t.building_id = ?"
            params.append(building_id)
        sql += " ORDER BY rank LIMIT ?"
        params.append(limit)
        for row in replica.conn.execute(sql, params):
            if row[0] not in seen:
                hits.append(
                    SearchHit(kind, row[0], row[1], row[2] or "", row[3] or "", float(row[4]))
                )
    if replica.access_scope is not None:
        hits = [h for h in hits if _in_scope(replica, h)]
    exact = [h for h in hits if h.rank == float("-inf")]
    ranked = sorted((h for h in hits if h.rank != float("-inf")), key=lambda h: h.rank)
    return (exact + ranked)[:limit]


def _in_scope(replica: Replica, hit: SearchHit) -> bool:
    """Whether a contractor pass shows *hit* (a few rows per search: each read once)."""
    scope = replica.access_scope
    if scope is None:
        return True
    cursor = replica.conn.execute(f"SELECT * FROM {_SOURCES[hit.kind][0]} WHERE id = ?", (hit.id,))
    found = cursor.fetchone()
    if found is None:
        return False
    values = {column[0]: value for column, value in zip(cursor.description, found, strict=True)}
    return scope.shows(replica.conn, hit.kind, values)


def _exact_tags(replica: Replica, tag: str, building_id: str | None) -> list[SearchHit]:
    sql = (
        "SELECT id, building_id, tag, name || ' · ' || system || ' · ' || status FROM equipment "
        "WHERE tag = ? COLLATE NOCASE AND deleted = 0"
    )
    params: list[object] = [tag]
    if building_id is not None:
        sql += " AND building_id = ?"
        params.append(building_id)
    return [
        SearchHit("equipment", r[0], r[1], r[2], r[3], float("-inf"))
        for r in replica.conn.execute(sql, params)
    ]
