"""The words of one building a technician says aloud: its equipment tags and room numbers.

Read for dictation's "field command" grammar and for matching tags in a transcript;
two small indexed queries, so a building of thousands of rows answers at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from arxos_desktop.store.replica import Replica


@dataclass(frozen=True)
class FieldTerms:
    tags: tuple[str, ...]
    rooms: tuple[str, ...]


def field_terms(replica: Replica, building_id: str) -> FieldTerms:
    """Live equipment tags and room numbers of a building, each once, sorted."""
    conn = replica.conn
    tags = conn.execute(
        "SELECT DISTINCT tag FROM equipment WHERE building_id = ? AND deleted = 0 ORDER BY tag",
        (building_id,),
    ).fetchall()
    rooms = conn.execute(
        "SELECT DISTINCT number FROM rooms WHERE building_id = ? AND deleted = 0 ORDER BY number",
        (building_id,),
    ).fetchall()
    return FieldTerms(tuple(r[0] for r in tags), tuple(r[0] for r in rooms))
