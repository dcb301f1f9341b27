"""`arx apply FILE|-`: many edits from a script in one process and one transaction.

Starting `arx` costs more than an edit, so a script that runs one `arx` per edit
spends nearly all its time starting up. ``arx apply`` reads JSON Lines, one edit
per line, and applies them all in one transaction: every line is tried (each in a
savepoint, so the report lists every bad line, not just the first), and if any
line fails nothing at all is applied. Lines are named by number and field, never
echoed back. Each line is an object with an ``op``::

    {"op": "equipment.set", "tag": "AHU-1", "set": {"status": "needs_service"}}
    {"op": "workorder.create", "title": "Replace filter", "equipment": "AHU-1"}
    {"op": "workorder.update", "id": "1a2b", "set": {"status": "done"}}
    {"op": "note.add", "equipment": "AHU-1", "text": "Belt squeals"}

``building`` (name or id) may be given on any line; ``equipment.set`` takes ``id``
instead of ``tag``; ``note.add`` takes one of ``equipment``, ``room``, ``workorder``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Final

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, find_room, find_work_order, open_replica, places
from arxos_desktop.errors import ArxosError, ErrorKind

__all__ = ["ApplyError", "apply", "apply_lines"]

#: More bad lines than this are counted, not listed (the report stays readable).
MAX_LISTED: Final = 50
_WORK_ORDER_FIELDS: Final = ("priority", "due", "assignee", "description")
_FIELD_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,79}")


class ApplyError(ArxosError):
    """Some lines of an ``arx apply`` file cannot be applied, so none was."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID

    def __init__(self, total: int, lines: list[dict[str, Any]], bad: int) -> None:
        self.lines = lines
        self.details = [
            f"line {p['line']}" + (f", {p['field']}" if p["field"] else "") + f": {p['message']}"
            for p in lines
        ]
        if bad > len(lines):
            self.details.append(f"... and {bad - len(lines)} more")
        noun = "line" if total == 1 else "lines"
        super().__init__(f"{bad} of {total} {noun} cannot be applied; nothing was applied")


class _LineError(Exception):
    """A line the script got wrong; *field* names where (empty: the line as a whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class _Context:
    """Lookups shared by the lines of one file (buildings and their places are read once)."""

    replica: Any
    buildings: dict[str | None, Any] = field(default_factory=dict)
    places: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)

    def building(self, ref: Any) -> Any:
        from arxos_desktop.store.buildings import resolve_building

        if ref is not None and not isinstance(ref, str):
            raise _LineError("must be a building name or id", "building")
        if ref not in self.buildings:
            self.buildings[ref] = _found("building", resolve_building, self.replica, ref)
        return self.buildings[ref]

    def places_of(self, building_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if building_id not in self.places:
            self.places[building_id] = places(self.replica, building_id)
        return self.places[building_id]


def _text(line: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = line.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _LineError("must be a non-empty string", name)
    return value


def _object(line: dict[str, Any], name: str) -> dict[str, Any]:
    """The object of field changes under *name*; its keys must look like field names."""
    value = line.get(name)
    if not isinstance(value, dict) or not value:
        raise _LineError("must be a JSON object with at least one field", name)
    if not all(_FIELD_NAME.fullmatch(key) for key in value):
        raise _LineError("has a key that is not a field name", name)
    return value


def _as_assignment(name: str, value: Any) -> str:
    """A JSON value as the ``FIELD=VALUE`` text ``arx equipment set`` parses."""
    if value is None:
        raw = ""
    elif isinstance(value, str):
        raw = value
    else:
        raw = json.dumps(value)
    return f"{name}={raw}"


def _found(name: str, find: Callable[..., Any], *args: Any) -> Any:
    """Run a lookup; a row it cannot find is blamed on the line's field *name*."""
    from arxos_desktop.store.errors import AmbiguousError, NotFoundError

    try:
        return find(*args)
    except (NotFoundError, AmbiguousError, InputError) as exc:
        raise _LineError(str(exc), name) from None


def _check_keys(line: dict[str, Any], allowed: set[str]) -> None:
    for name in line:
        if name not in allowed | {"op", "building"}:
            # Named only if it looks like a field name: a key may be anything a script wrote.
            shown = name if _FIELD_NAME.fullmatch(name) else "(a key)"
            raise _LineError(
                f"is not a field of this op (it takes {', '.join(sorted(allowed))})", shown
            )


def _equipment_set(ctx: _Context, line: dict[str, Any]) -> dict[str, Any]:
    from arxos_desktop.cli.args import parse_assignments
    from arxos_desktop.store.equipment import find_by_tag, update_equipment
    from arxos_desktop.store.queries import get_row

    _check_keys(line, {"tag", "id", "set"})
    changes = _object(line, "set")
    if ("tag" in line) == ("id" in line):
        raise _LineError("give either tag or id", "tag")
    if "id" in line:
        item = _found("id", get_row, ctx.replica, "equipment", _text(line, "id"))
    else:
        building = ctx.building(line.get("building"))
        item = _found("tag", find_by_tag, ctx.replica, building.id, _text(line, "tag"))
    floors, rooms = ctx.places_of(item.building_id)
    try:
        assignments = [_as_assignment(str(k), v) for k, v in changes.items()]
        parsed = parse_assignments(assignments, item, floors, rooms)
    except InputError as exc:
        raise _LineError(str(exc), "set") from None
    changed = update_equipment(ctx.replica, item.id, parsed)
    return {"id": item.id, "tag": item.tag, "changed": sorted(changed)}


def _workorder_create(ctx: _Context, line: dict[str, Any]) -> dict[str, Any]:
    from arxos_desktop.store.equipment import find_by_tag
    from arxos_desktop.store.workorders import create_work_order

    _check_keys(line, {"title", "equipment", *_WORK_ORDER_FIELDS})
    building = ctx.building(line.get("building"))
    title = _text(line, "title") or ""
    tag = _text(line, "equipment", required=False)
    item = _found("equipment", find_by_tag, ctx.replica, building.id, tag) if tag else None
    fields = {k: line[k] for k in _WORK_ORDER_FIELDS if line.get(k) is not None}
    order = create_work_order(
        ctx.replica,
        building_id=building.id,
        title=title,
        equipment_id=item.id if item else None,
        **fields,
    )
    return {"id": order.id, "short_id": out.short(order.id)}


def _workorder_update(ctx: _Context, line: dict[str, Any]) -> dict[str, Any]:
    from arxos_desktop.store.workorders import update_work_order

    _check_keys(line, {"id", "set"})
    changes = _object(line, "set")
    order = _found("id", find_work_order, ctx.replica, line.get("building"), _text(line, "id"))
    changed = update_work_order(ctx.replica, order.id, changes)
    return {"id": order.id, "changed": sorted(changed)}


def _note_add(ctx: _Context, line: dict[str, Any]) -> dict[str, Any]:
    from arxos_desktop.store.equipment import find_by_tag
    from arxos_desktop.store.notes import add_note

    _check_keys(line, {"equipment", "room", "workorder", "text"})
    text = _text(line, "text") or ""
    given = [k for k in ("equipment", "room", "workorder") if k in line]
    if len(given) != 1:
        raise _LineError("give exactly one of equipment, room, workorder", "equipment")
    kind = given[0]
    ref = _text(line, kind) or ""
    if kind == "workorder":
        target = _found(kind, find_work_order, ctx.replica, line.get("building"), ref)
    else:
        building = ctx.building(line.get("building"))
        if kind == "room":
            floors, rooms = ctx.places_of(building.id)
            target = _found(kind, find_room, list(rooms.values()), ref, floors)
        else:
            target = _found(kind, find_by_tag, ctx.replica, building.id, ref)
    target_id = target.id
    note = add_note(ctx.replica, target_kind=kind, target_id=target_id, text=text)
    return {"id": note.id, "target_id": target_id}


_OPS: Final[dict[str, Callable[[_Context, dict[str, Any]], dict[str, Any]]]] = {
    "equipment.set": _equipment_set,
    "workorder.create": _workorder_create,
    "workorder.update": _workorder_update,
    "note.add": _note_add,
}


def _parse(raw: str) -> dict[str, Any]:
    try:
        line = json.loads(raw)
    except ValueError as exc:
        raise _LineError(f"is not valid JSON ({exc})") from None
    if not isinstance(line, dict):
        raise _LineError("must be a JSON object")
    if line.get("op") not in _OPS:
        raise _LineError(f"must be one of {', '.join(_OPS)}", "op")
    return line


def _problem(number: int, exc: Exception) -> dict[str, Any]:
    """One bad line for the report: where, and why in the store's or our words."""
    from arxos_desktop.store.errors import InvalidEditError

    if isinstance(exc, InvalidEditError):
        name, why = next(iter(exc.fields.items()))
        extra = len(exc.fields) - 1
        more = f" (and {extra} more field{'s' if extra != 1 else ''})" if extra else ""
        return {"line": number, "field": name, "message": why + more}
    return {"line": number, "field": getattr(exc, "field", ""), "message": str(exc)}


def apply_lines(replica: Any, lines: list[str]) -> list[dict[str, Any]]:
    """Apply every edit of *lines* in one transaction; :class:`ApplyError` if any fails.

    Blank lines are skipped. Each line runs in its own savepoint, so a bad line
    leaves the others' edits in place while the rest are tried; the transaction
    commits only if no line failed.
    """
    ctx = _Context(replica)
    results: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    bad = total = 0

    class _RollbackError(Exception):
        """Undoes the whole file once every line has been tried."""

    try:
        with replica.transaction():
            for number, raw in enumerate(lines, start=1):
                if not raw.strip():
                    continue
                total += 1
                try:
                    with replica.transaction():
                        line = _parse(raw)
                        done = _OPS[line["op"]](ctx, line)
                except (_LineError, ArxosError) as exc:
                    bad += 1
                    if len(problems) < MAX_LISTED:
                        problems.append(_problem(number, exc))
                    continue
                results.append({"line": number, "op": line["op"], **done})
            if bad:
                raise _RollbackError
    except _RollbackError:
        raise ApplyError(total, problems, bad) from None
    return results


def _read(source: str) -> list[str]:
    from pathlib import Path

    try:
        if source == "-":
            return sys.stdin.read().splitlines()
        return Path(source).expanduser().read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{source} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"Cannot read {source} ({exc.strerror})") from None


def apply(
    source: Annotated[
        str, typer.Argument(metavar="FILE|-", help="JSON Lines of edits; - reads stdin.")
    ],
) -> None:
    """Apply many edits in one transaction: all of them, or none if any line is bad.

    One JSON object per line, with an op: equipment.set (tag or id, set),
    workorder.create (title, equipment, priority, due, assignee, description),
    workorder.update (id, set) or note.add (equipment, room or workorder; text);
    building on any line. A bad line is reported by number and field.
    """
    lines = _read(source)
    with open_replica() as replica:
        results = apply_lines(replica, lines)
    counts = Counter(r["op"] for r in results)
    doc = {"applied": len(results), "by_op": dict(counts), "results": results}

    def render() -> None:
        listed = ", ".join(f"{n} {op}" for op, n in sorted(counts.items()))
        noun = "edit" if len(results) == 1 else "edits"
        out.show(f"Applied {len(results)} {noun}" + (f" ({listed})" if listed else "") + ".")

    out.emit(doc, render)
