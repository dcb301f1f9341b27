"""Which rows a grant narrowed to some systems and floors covers, and which writes it refuses.

One copy of the rules for both ends: the server applies them to every push and
pull (``sync.server.scope``), the app to every local write and list under a
contractor's pass (``arxos_desktop.access.scope``). Were they two copies, a device
could accept an edit the server then refuses (it would sit rejected in the
outbox) or refuse one the server allows. Each end only says how it reads a row
(a lookup callable over its own store) and what it calls the holder of the
grant in a sentence.

No database, no Qt: plain values in, a decision out. :func:`in_scope` is on the
server's push and pull hot paths, so it allocates nothing and reads each linked
row through the caller's lookup at most once per link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from typing import Any, Final

#: Reads the values of row *row_id* of *entity*, or None when there is no such row
#: (or *row_id* is not an id). Callers cache: a push asks for the same floor often.
Lookup = Callable[[str, Any], Mapping[str, Any] | None]

#: Rows that inherit their scope from the one row a field of theirs points at.
PARENT: Final[Mapping[str, tuple[str, str]]] = {
    "connection": ("equipment", "source_id"),
    "workorder": ("equipment", "equipment_id"),
    "annotation": ("document", "document_id"),
}
#: Rows that inherit their scope from the row their ``target_kind``/``target_id`` name.
TARGETED: Final = frozenset({"note", "attachment"})
#: Rows whose scope is their floor's (``floor_id``), whatever their system.
ON_A_FLOOR: Final = frozenset({"room", "document"})
#: Rows every grant on the building sees, narrowed or not.
WHOLE_BUILDING: Final = frozenset({"building", "organization"})
#: What a narrowed grant may never change, even in its floors: the building's frame.
STRUCTURE: Final = frozenset({"building", "floor", "organization"})
#: What an annotator (an "annotate" pass) may add and change: remarks about the
#: building, never the building.
ANNOTATION_ENTITIES: Final = frozenset({"note", "annotation", "attachment"})
#: Links followed from a row before giving up (outside): real rows link at most two
#: deep (a photo on a markup on a drawing), so a longer chain is malformed or hostile.
MAX_LINK_DEPTH: Final = 3

#: The fields :func:`in_scope` reads, per entity: changing one can move a row (and what
#: hangs off it) into or out of a narrowed grant's view.
SCOPE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "floor": ("level",),
    **{entity: ("floor_id",) for entity in sorted(ON_A_FLOOR)},
    "equipment": ("system", "floor_id"),
    **{entity: (key,) for entity, (_, key) in PARENT.items()},
    **{entity: ("target_kind", "target_id") for entity in sorted(TARGETED)},
}


def in_scope(
    systems: frozenset[str] | None,
    floors: frozenset[int] | None,
    entity: str,
    values: Mapping[str, Any],
    lookup: Lookup,
    depth: int = 0,
) -> bool:
    """Whether a row with these *values* lies inside *systems* and *floors* (None: all).

    A row that hangs off another (see :data:`PARENT`, :data:`TARGETED`) is inside
    when that row is; a link to nothing, a note on the building itself, or a chain
    longer than :data:`MAX_LINK_DEPTH` is outside. Reads only :data:`SCOPE_FIELDS`.
    """
    if systems is None and floors is None:
        return True
    if depth > MAX_LINK_DEPTH:
        return False
    # Most frequent first: equipment and what hangs off it make up most of a building.
    if entity == "equipment":
        if systems is not None and values.get("system") not in systems:
            return False
        return floors is None or _on_floors(floors, values.get("floor_id"), lookup)
    link = PARENT.get(entity)
    if link is not None:
        parent = lookup(link[0], values.get(link[1]))
        return parent is not None and in_scope(systems, floors, link[0], parent, lookup, depth + 1)
    if entity in TARGETED:
        kind = values.get("target_kind")
        if kind == "building":  # about the whole building: more than a narrowed grant covers
            return False
        kind = str(kind)
        target = lookup(kind, values.get("target_id"))
        return target is not None and in_scope(systems, floors, kind, target, lookup, depth + 1)
    if entity in ON_A_FLOOR:
        return floors is None or _on_floors(floors, values.get("floor_id"), lookup)
    if entity == "floor":
        return floors is None or values.get("level") in floors
    return entity in WHOLE_BUILDING


def _on_floors(floors: frozenset[int], floor_id: Any, lookup: Lookup) -> bool:
    floor = lookup("floor", floor_id)
    return floor is not None and floor.get("level") in floors


class Rights(Enum):
    """What a grant lets its holder write at all, before any scope is asked."""

    #: Look only (a viewer; a pass with neither "write" nor "annotate").
    READ = "read"
    #: Notes, markups and photos only (an annotator; an "annotate" pass).
    ANNOTATE = "annotate"
    #: Anything inside the grant's scope.
    WRITE = "write"


class Refusal(StrEnum):
    """Why a write is refused: the decision both ends share, whatever their wording."""

    NO_ACCESS = "no_access"
    READ_ONLY = "read_only"
    ANNOTATE_ONLY = "annotate_only"
    #: A narrowed grant changing the building, a floor or an organisation.
    STRUCTURE = "structure"
    #: The row as it stands is outside the grant.
    OUTSIDE = "outside"
    #: The row is inside, but the change would move it out.
    WOULD_LEAVE = "would_leave"


# Members read through the class cost ~0.25 µs each on Python 3.11, as much as the
# rest of a decision: the hot paths compare against these module-level names.
_READ: Final = Rights.READ
_WRITE: Final = Rights.WRITE
_NO_ACCESS: Final = Refusal.NO_ACCESS
_READ_ONLY: Final = Refusal.READ_ONLY
_ANNOTATE_ONLY: Final = Refusal.ANNOTATE_ONLY
_STRUCTURE: Final = Refusal.STRUCTURE
_OUTSIDE: Final = Refusal.OUTSIDE
_WOULD_LEAVE: Final = Refusal.WOULD_LEAVE


def write_refusal(
    rights: Rights | None,
    systems: frozenset[str] | None,
    floors: frozenset[int] | None,
    entity: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    lookup: Lookup,
) -> Refusal | None:
    """Why a holder of these *rights* (None: no grant) may not change *before* into
    *after* (*before* None: a new row); None when the rules allow it."""
    if rights is not _WRITE:
        if rights is None:
            return _NO_ACCESS
        if rights is _READ:
            return _READ_ONLY
        if entity not in ANNOTATION_ENTITIES:
            return _ANNOTATE_ONLY
    if systems is None and floors is None:
        return None
    if entity in STRUCTURE:
        return _STRUCTURE
    if before is not None and not in_scope(systems, floors, entity, before, lookup):
        return _OUTSIDE
    if not in_scope(systems, floors, entity, after, lookup):
        return _WOULD_LEAVE
    return None


_NOUN: Final = {"workorder": "work order", "organization": "organisation"}
_PLURAL: Final = {
    "equipment": "equipment",
    "workorder": "work orders",
    "building": "the building",
    "organization": "organisations",
}


def refusal_text(refusal: Refusal, entity: str, *, holder: str) -> str:
    """*refusal* as a sentence the holder can act on, one wording for both ends;
    *holder* names what they hold ("Your pass", "Your access to this building
    (viewer)"). Never quotes a value."""
    # f-strings, most frequent first: str.format costs more than the decision itself.
    if refusal is _OUTSIDE:
        return f"This {_NOUN.get(entity, entity)} is outside the systems or floors you were granted"
    if refusal is _WOULD_LEAVE:
        noun = _NOUN.get(entity, entity)
        return f"This change would put the {noun} outside the systems or floors you were granted"
    if refusal is _NO_ACCESS:
        return "You have no access to this building"
    if refusal is _READ_ONLY:
        return f"{holder} is read-only: it lets you look only, not change anything"
    plural = _PLURAL.get(entity) or f"{_NOUN.get(entity, entity)}s"
    if refusal is _ANNOTATE_ONLY:
        return f"{holder} lets you add notes, markups and photos only, not change {plural}"
    return f"{holder} covers only some floors or systems, so it does not let you change {plural}"
