"""What a scanned code names in the local replica: equipment by its printed tag or id.

The scanner reads a label's text; only the replica knows whether a tag such as
``AHU-3`` is a piece of equipment here. Tags are unique within a building, not
across buildings, so a tag found in several buildings names nothing unless the
building on screen settles it.
"""

from __future__ import annotations

from typing import Final

from arxos_desktop.store.replica import Replica

#: Longest text looked up as a tag (labels carry short tags; longer text is not one).
MAX_TAG_CHARS: Final = 64


def equipment_id_for_tag(
    replica: Replica, tag: str, *, building_id: str | None = None
) -> str | None:
    """The live equipment tagged *tag* (case-insensitive): in *building_id* when it has
    one, else the only one in the replica; None when there is none or it is ambiguous."""
    tag = tag.strip()
    if not tag or len(tag) > MAX_TAG_CHARS:
        return None
    rows = replica.conn.execute(
        "SELECT id, building_id FROM equipment WHERE tag = ? COLLATE NOCASE AND deleted = 0",
        (tag,),
    ).fetchall()
    here = [row[0] for row in rows if building_id is not None and row[1] == building_id]
    if here:
        return str(here[0])
    return str(rows[0][0]) if len(rows) == 1 else None


def live_equipment_tag(replica: Replica, equipment_id: str) -> str | None:
    """The tag of that equipment, or None when the replica does not hold it (or it is deleted)."""
    row = replica.conn.execute(
        "SELECT tag FROM equipment WHERE id = ? AND deleted = 0", (equipment_id,)
    ).fetchone()
    return None if row is None else str(row[0])
