"""What people type on the `arx` command line, turned into ids and field values.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it): finding a floor by level or name,
a room by number, a work order by a few characters of its id, and parsing
``field=value`` edits. The store services are imported inside the functions so
``arx --help`` never loads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import typer

from arxos_desktop.errors import ArxosError, ErrorKind

#: Choices mirrored from ``sync.schema`` (importing it would slow down ``--help``);
#: ``tests/test_cli.py`` checks they still match.
SystemName = Literal["hvac", "electrical", "plumbing", "mechanical", "fire", "security", "other"]
EquipmentStatusName = Literal["operational", "needs_service", "out_of_service", "decommissioned"]
PriorityName = Literal["low", "normal", "high", "urgent"]
WorkOrderStatusName = Literal["open", "in_progress", "on_hold", "done", "cancelled"]
NoteTarget = Literal["equipment", "room", "workorder"]


class SearchKind(StrEnum):
    """What `arx search --kind` accepts (a list option needs an enum, not a Literal)."""

    EQUIPMENT = "equipment"
    ROOM = "room"
    WORKORDER = "workorder"
    NOTE = "note"


def choices(literal: Any) -> str:
    return ", ".join(get_args(literal))


BuildingOpt = Annotated[
    str | None,
    typer.Option(
        "--building", "-b", help="Building name, id or id prefix (needed if there are several)."
    ),
]


@dataclass
class State:
    """Global options of this run: ``--json`` and ``--home``."""

    json: bool = False
    home: Path | None = None


state = State()


class InputError(ArxosError):
    """The command line asks for something that cannot be done as written."""

    kind = ErrorKind.INVALID


@contextmanager
def open_replica() -> Iterator[Any]:
    """The replica of ``--home`` (or its default), closed afterwards.

    On a contractor's device the pass's scope guards the command as it guards the app:
    only the pass's building, floors and systems are listed or changed, and nothing
    once the pass has ended.
    """
    from arxos_desktop.access.session_marks import session_noted
    from arxos_desktop.store import Replica

    replica = Replica.open(state.home)
    try:
        if session_noted(replica):
            from arxos_desktop.access.session import resume_session

            resume_session(replica)
        yield replica
    finally:
        replica.close()


def places(replica: Any, building_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Floors and rooms of a building, by id (as records: no schema import)."""
    from arxos_desktop.store.records import read_rows

    floors = {f.id: f for f in read_rows(replica, "floor", building_id=building_id)}
    rooms = {r.id: r for r in read_rows(replica, "room", building_id=building_id)}
    return floors, rooms


def _one(matches: list[Any], what: str, ref: str, describe: Any, choices: list[str]) -> Any:
    from arxos_desktop.store.errors import AmbiguousError, NotFoundError

    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = f" (known: {', '.join(choices)})" if choices else ""
        raise NotFoundError(f"No {what} {ref!r} in this building{known}")
    listed = ", ".join(describe(m) for m in matches)
    raise AmbiguousError(f"{ref!r} matches {len(matches)} {what}s: {listed}")


def find_floor(floors: list[Any], ref: str) -> Any:
    """A floor by level (``2``, ``-1``), exact name, or a unique part of its name."""
    ref = ref.strip()
    level = int(ref) if ref.lstrip("-").isdigit() else None
    matches = [f for f in floors if f.level == level]
    if not matches:
        matches = [f for f in floors if f.name.casefold() == ref.casefold()]
    if not matches:
        matches = [f for f in floors if ref.casefold() in f.name.casefold()]
    ordered = sorted(floors, key=lambda f: f.level)
    names = [f"{f.level}: {f.name}" for f in ordered]
    return _one(matches, "floor", ref, lambda f: f"{f.level}: {f.name}", names[:12])


def find_room(rooms: list[Any], number: str, floors: dict[str, Any]) -> Any:
    """A room by its number (case-insensitive)."""
    matches = [r for r in rooms if r.number.casefold() == number.strip().casefold()]

    def describe(room: Any) -> str:
        floor = floors.get(room.floor_id)
        return f"{room.number} on {floor.name if floor else 'an unknown floor'}"

    return _one(matches, "room", number, describe, [])


def find_work_order(replica: Any, building_ref: str | None, ref: str) -> Any:
    """A work order by id, id prefix or id suffix, in one building or in any of them."""
    from arxos_desktop.store.buildings import list_buildings, resolve_building
    from arxos_desktop.store.errors import AmbiguousError, NotFoundError
    from arxos_desktop.store.workorders import resolve_work_order

    if building_ref:
        return resolve_work_order(replica, resolve_building(replica, building_ref).id, ref)
    if len(ref.strip()) < 4:
        raise InputError("Give at least 4 characters of the work order id")
    found = []
    for building in list_buildings(replica):
        try:
            found.append(resolve_work_order(replica, building.id, ref))
        except NotFoundError:
            continue
    if not found:
        raise NotFoundError(f"No work order with id {ref!r}")
    if len(found) > 1:
        raise AmbiguousError(f"{ref!r} matches {len(found)} work orders; give more of the id")
    return found[0]


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _optional(annotation: Any) -> bool:
    return type(None) in get_args(annotation)


def parse_assignments(
    args: list[str], item: Any, floors: dict[str, Any], rooms: dict[str, Any]
) -> dict[str, Any]:
    """``field=value`` arguments → changes for :func:`update_equipment`.

    Values stay strings for the schema to parse (dates, enums, numbers). JSON
    fields take a JSON object; ``properties.KEY=VALUE`` sets one key (VALUE is
    JSON if it parses, else text; empty removes the key). ``room=NUMBER`` and
    ``floor=LEVEL_OR_NAME`` are looked up. An empty value clears the field.
    Unknown fields are left for the store to reject by name.
    """
    from arxos_desktop.store.errors import InvalidEditError, NotFoundError

    fields = type(item).model_fields
    changes: dict[str, Any] = {}
    for arg in args:
        name, sep, raw = arg.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"Expected FIELD=VALUE, got {arg!r}")
        if name.startswith("properties.") and len(name) > len("properties."):
            key = name.removeprefix("properties.")
            props = dict(changes.get("properties", item.properties))
            if raw == "":
                props.pop(key, None)
            else:
                props[key] = _json_or_text(raw)
            changes["properties"] = props
        elif name in ("properties", "position"):
            try:
                value = json.loads(raw) if raw.strip() else {}
            except ValueError as exc:
                raise InvalidEditError("equipment", {name: f"is not valid JSON ({exc})"}) from exc
            if not isinstance(value, dict):
                raise InvalidEditError("equipment", {name: "must be a JSON object"})
            changes[name] = value
        elif name in ("room", "floor"):
            try:
                if not raw.strip():
                    found = None
                elif name == "room":
                    found = find_room(list(rooms.values()), raw, floors)
                else:
                    found = find_floor(list(floors.values()), raw)
            except NotFoundError as exc:
                raise InvalidEditError("equipment", {name: str(exc)}) from exc
            changes[f"{name}_id"] = found.id if found else None
        elif name in fields and raw == "":
            changes[name] = None if _optional(fields[name].annotation) else ""
        else:
            changes[name] = raw
    room = rooms.get(item.room_id)
    if (
        "room_id" not in changes
        and room is not None
        and changes.get("floor_id", room.floor_id) != room.floor_id
    ):
        why = f"{item.tag} is in room {room.number} on another floor; set room= too (empty clears)"
        raise InvalidEditError("equipment", {"floor": why})
    return changes
