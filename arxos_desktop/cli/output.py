"""How `arx` shows things: Rich tables for people, one JSON document for scripts.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). Nothing here touches the replica;
the commands fetch rows and hand them over. Only Rich is imported at module
level, so ``arx --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from arxos_desktop.cli.args import state

#: Fields that belong to sync, not to the building; left out of list output so two
#: replicas of the same building print the same thing.
SYNC_FIELDS = ("created_hlc", "updated_hlc", "deleted", "server_rev")

STATUS_STYLES = {
    "operational": "green",
    "needs_service": "yellow",
    "out_of_service": "red",
    "decommissioned": "dim",
    "open": "cyan",
    "in_progress": "blue",
    "on_hold": "yellow",
    "done": "green",
    "cancelled": "dim",
}
PRIORITY_STYLES = {"low": "dim", "normal": "", "high": "yellow", "urgent": "bold red"}
TIPS = (
    ("arx equipment list --system hvac", "equipment of one system"),
    ("arx equipment show AHU-1", "one item, its connections and notes"),
    ('arx search "chiller"', "tags, rooms, work orders and notes"),
    ("arx workorder list --status open", "what needs doing"),
    ("arx outbox", "local changes waiting to sync"),
)
OP_STYLES = {"insert": "green", "update": "yellow", "delete": "red"}


def _make_console(*, stderr: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Pipes and files: wide enough that tables don't fold every cell.
        console = Console(stderr=stderr, highlight=False, width=160)
    return console


_consoles: dict[bool, Console] = {}


def console(*, stderr: bool = False) -> Console:
    """The shared stdout (or stderr) console, made on first use."""
    if stderr not in _consoles:
        _consoles[stderr] = _make_console(stderr=stderr)
    return _consoles[stderr]


def emit_json(document: Any) -> None:
    """Write exactly one JSON document (and a newline) to stdout."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def emit(document: Any, render: Callable[[], None]) -> None:
    """One JSON document with ``--json``, else *render* prints for people."""
    if state.json:
        emit_json(document)
    else:
        render()


def show(*renderables: RenderableType | str) -> None:
    """Print for people; plain strings are shown as typed (no Rich markup)."""
    for item in renderables:
        console().print(item, markup=False)


def show_error(message: str, details: Iterable[str] = (), *, calm: bool = False) -> None:
    """A red plain-words message on stderr (never a traceback); *calm* for expected states
    such as being offline: yellow, no "Error:"."""
    err = console(stderr=True)
    if calm:
        err.print(Text(message, style="yellow"))
    else:
        err.print(Text("Error: ", style="bold red") + Text(message, style="red"))
    for line in details:
        err.print(Text(f"  - {line}", style="red"))


def wire(model: Any, *, sync: bool = False) -> dict[str, Any]:
    """A model as JSON-ready values; sync bookkeeping only when asked."""
    data: dict[str, Any] = model.model_dump(mode="json")
    if not sync:
        for name in SYNC_FIELDS:
            data.pop(name, None)
    return data


def fmt(value: Any) -> str:
    """A field value as table text: empty for None, compact JSON for objects."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(getattr(value, "value", value))


def styled(value: Any, styles: Mapping[str, str]) -> Text:
    text = fmt(value)
    return Text(text.replace("_", " "), style=styles.get(text, ""))


def short(entity_id: str | None) -> str:
    """The last 8 characters of an id: random in a UUIDv7, so unique in practice."""
    return entity_id[-8:] if entity_id else ""


class PlainTable(Table):
    """A table whose string cells are shown as typed: ``[x]`` in a note is not markup."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        cells = [Text(c) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


def table(*columns: str, title: str | None = None, **kwargs: Any) -> Table:
    kwargs.setdefault("box", box.SIMPLE_HEAVY)
    t = PlainTable(title=title, title_justify="left", **kwargs)
    for name in columns:
        t.add_column(name, overflow="fold")
    return t


# -- progress --------------------------------------------------------------------------


@contextmanager
def progress(description: str, *, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; yields ``callback(done, total)``.

    Starts as a spinner (reading and checking has no known length) and becomes a
    bar at the first callback. Disabled for ``--json`` and when stderr is not a
    terminal, so logs and pipes stay clean.
    """
    err = console(stderr=True)
    if not enabled or not err.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


# -- buildings -------------------------------------------------------------------------


def summary_json(summary: Any) -> dict[str, Any]:
    b = summary.building
    return {
        "id": b.id,
        "name": b.name,
        "address": b.address,
        "floors": summary.floors,
        "rooms": summary.rooms,
        "equipment": summary.equipment,
        "equipment_by_system": summary.equipment_by_system,
        "equipment_by_status": summary.equipment_by_status,
        "open_work_orders": summary.open_work_orders,
        "documents": summary.documents,
        "pending_changes": summary.pending_changes,
    }


def buildings_table(summaries: list[Any]) -> Table:
    t = table("Name", "Address", "Floors", "Rooms", "Equipment", "Open WOs", "Pending", "Id")
    for col in t.columns[2:7]:
        col.justify = "right"
    t.columns[-1].no_wrap = True
    for s in summaries:
        b = s.building
        t.add_row(
            Text(b.name, style="bold"),
            b.address,
            str(s.floors),
            str(s.rooms),
            str(s.equipment),
            str(s.open_work_orders),
            str(s.pending_changes),
            Text(b.id, style="dim"),
        )
    return t


def summary_panel(summary: Any) -> Panel:
    """The building overview `arx demo` greets a new user with."""
    b = summary.building
    counts = PlainTable.grid(padding=(0, 3))
    for _ in range(3):
        counts.add_column(justify="left")
    cells = [
        ("Floors", summary.floors),
        ("Rooms", summary.rooms),
        ("Equipment", summary.equipment),
        ("Open work orders", summary.open_work_orders),
        ("Drawings", summary.documents),
        ("Changes waiting to sync", summary.pending_changes),
    ]
    rendered = [Text.assemble((f"{value:>5} ", "bold cyan"), label) for label, value in cells]
    counts.add_row(*rendered[:3])
    counts.add_row(*rendered[3:])

    systems = table("System", "Count", title="Equipment by system", box=box.SIMPLE)
    systems.columns[1].justify = "right"
    for name, count in sorted(summary.equipment_by_system.items(), key=lambda kv: -kv[1]):
        systems.add_row(name, str(count))
    states = table("Status", "Count", title="Equipment by status", box=box.SIMPLE)
    states.columns[1].justify = "right"
    for name, count in summary.equipment_by_status.items():
        states.add_row(styled(name, STATUS_STYLES), str(count))
    side = PlainTable.grid(padding=(0, 4))
    side.add_row(systems, states)

    tips = PlainTable.grid(padding=(0, 2))
    tips.add_column(style="green", no_wrap=True)
    tips.add_column(style="dim")
    for command, what in TIPS:
        tips.add_row(f"  {command}", what)
    body: list[RenderableType] = [Text(b.address, style="italic")] if b.address else []
    body += [Text(""), counts, Text(""), side, Text("Try next:", style="bold"), tips]
    return Panel(
        Group(*body),
        title=Text(b.name, style="bold"),
        subtitle=Text(f"id {b.id}", style="dim"),
        border_style="cyan",
        expand=False,
        padding=(1, 2),
    )


def counts_table(
    inserted: dict[str, int], updated: dict[str, int], deleted: dict[str, int]
) -> Table:
    t = table("Entity", "Inserted", "Updated", "Deleted", box=box.SIMPLE)
    for col in t.columns[1:]:
        col.justify = "right"
    for entity in sorted(set(inserted) | set(updated) | set(deleted)):
        t.add_row(
            entity,
            str(inserted.get(entity, 0)),
            str(updated.get(entity, 0)),
            str(deleted.get(entity, 0)),
        )
    return t


# -- equipment -------------------------------------------------------------------------


def equipment_table(rows: list[dict[str, Any]], *, title: str | None = None) -> Table:
    """Rows are :func:`wire` dicts plus ``floor`` (name) and ``room`` (number)."""
    t = table("Tag", "Name", "System", "Status", "Floor", "Room", "Make / model", title=title)
    for r in rows:
        make = " ".join(x for x in (r.get("manufacturer"), r.get("model")) if x)
        t.add_row(
            Text(r["tag"], style="bold"),
            r["name"],
            r["system"],
            styled(r["status"], STATUS_STYLES),
            r.get("floor") or "",
            r.get("room") or "",
            make,
        )
    return t


def fields_table(values: Mapping[str, Any], *, title: str | None = None) -> Table:
    t = PlainTable.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for name, value in values.items():
        if name == "status":
            t.add_row(name, styled(value, STATUS_STYLES))
        else:
            t.add_row(name, Text(fmt(value)))
    if title:
        return _titled(t, title)
    return t


def _titled(inner: Table, title: str) -> Table:
    outer = PlainTable.grid()
    outer.add_row(Text(title, style="bold underline"))
    outer.add_row(inner)
    return outer


def equipment_detail(doc: dict[str, Any]) -> Group:
    """`arx equipment show`: the document built by the command, for people."""
    item = doc["equipment"]
    skip = {"properties", "position", "building_id", *SYNC_FIELDS}
    main = {k: v for k, v in item.items() if k not in skip}
    main["floor"] = doc.get("floor") or ""
    main["room"] = doc.get("room") or ""
    parts: list[RenderableType] = [fields_table(main, title=f"{item['tag']}")]
    if item.get("properties"):
        parts += [Text(""), fields_table(item["properties"], title="Properties")]
    if item.get("position"):
        parts += [Text(""), fields_table(item["position"], title="Position on plan")]
    conns = doc["connections"]
    t = table("Direction", "Kind", "Other end", title="Connections")
    for arrow, key in (("→ out", "outgoing"), ("← in", "incoming")):
        by_kind: dict[str, list[str]] = {}
        for c in conns[key]:
            by_kind.setdefault(c["kind"], []).append(c["other"])
        for kind, others in by_kind.items():
            t.add_row(arrow, kind, ", ".join(sorted(others)))
    parts.append(t if t.row_count else Text("\nNo connections.", style="dim"))
    orders = doc["open_work_orders"]
    if orders:
        parts.append(work_orders_table(orders, title="Open work orders"))
    else:
        parts.append(Text("No open work orders.", style="dim"))
    notes = doc["notes"]
    if notes:
        nt = table("Note", "Source", title="Notes")
        for n in notes:
            nt.add_row(n["text"], n["source"])
        parts.append(nt)
    else:
        parts.append(Text("No notes.", style="dim"))
    return Group(*parts)


def changes_table(tag: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Table:
    t = table("Field", "Was", "Now", title=f"Updated {tag}")
    for name, value in after.items():
        t.add_row(name, Text(fmt(before.get(name)), style="dim"), Text(fmt(value), style="bold"))
    return t


# -- search, work orders, outbox -------------------------------------------------------


def search_table(hits: list[dict[str, Any]], query: str) -> Table:
    t = table("Kind", "Title", "Detail", "Building", title=f"Results for {escape(query)!r}")
    for h in hits:
        detail = Text(h["detail"])
        detail.highlight_regex(r"\[[^\]]*\]", "bold yellow")
        t.add_row(h["kind"], Text(h["title"], style="bold"), detail, h["building"])
    return t


def work_orders_table(rows: list[dict[str, Any]], *, title: str | None = None) -> Table:
    t = table("Id", "Title", "Status", "Priority", "Due", "Equipment", "Assignee", title=title)
    for w in rows:
        t.add_row(
            Text(short(w["id"]), style="cyan"),
            w["title"],
            styled(w["status"], STATUS_STYLES),
            styled(w["priority"], PRIORITY_STYLES),
            w.get("due") or "",
            w.get("equipment_tag") or "",
            w.get("assignee") or "",
        )
    return t


def outbox_table(changes: list[dict[str, Any]]) -> Table:
    t = table("Seq", "Entity", "Op", "Id", "Fields", "HLC", "State")
    t.columns[0].justify = "right"
    for c in changes:
        fields = c["fields"]
        shown = ", ".join(sorted(fields)) if c["op"] == "update" else ""
        if c["op"] == "insert":
            shown = f"new row, {len(fields)} fields"
        state = c["state"] + (f": {c['reason']}" if c["reason"] else "")
        t.add_row(
            str(c["seq"]),
            c["entity"],
            Text(c["op"], style=OP_STYLES.get(c["op"], "")),
            short(c["entity_id"]),
            shown,
            Text(c["hlc"], style="dim"),
            Text(state, style="red" if c["state"] == "rejected" else ""),
        )
    return t
