"""Rich views of buildings and equipment for `arx` (people's output; scripts get JSON).

The shared pieces (console, plain tables, styles) are in :mod:`arxos_desktop.cli.output`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from arxos_desktop.cli import output as out

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
    t = out.table("Name", "Address", "Floors", "Rooms", "Equipment", "Open WOs", "Pending", "Id")
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
    counts = out.PlainTable.grid(padding=(0, 3))
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

    systems = out.table("System", "Count", title="Equipment by system", box=box.SIMPLE)
    systems.columns[1].justify = "right"
    for name, count in sorted(summary.equipment_by_system.items(), key=lambda kv: -kv[1]):
        systems.add_row(name, str(count))
    states = out.table("Status", "Count", title="Equipment by status", box=box.SIMPLE)
    states.columns[1].justify = "right"
    for name, count in summary.equipment_by_status.items():
        states.add_row(out.styled(name, out.STATUS_STYLES), str(count))
    side = out.PlainTable.grid(padding=(0, 4))
    side.add_row(systems, states)

    tips = out.PlainTable.grid(padding=(0, 2))
    tips.add_column(style="green", no_wrap=True)
    tips.add_column(style="dim")
    for command, what in out.TIPS:
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
    t = out.table("Entity", "Inserted", "Updated", "Deleted", box=box.SIMPLE)
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
    t = out.table("Tag", "Name", "System", "Status", "Floor", "Room", "Make / model", title=title)
    for r in rows:
        make = " ".join(x for x in (r.get("manufacturer"), r.get("model")) if x)
        t.add_row(
            Text(r["tag"], style="bold"),
            r["name"],
            r["system"],
            out.styled(r["status"], out.STATUS_STYLES),
            r.get("floor") or "",
            r.get("room") or "",
            make,
        )
    return t


def fields_table(values: Mapping[str, Any], *, title: str | None = None) -> Table:
    t = out.PlainTable.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for name, value in values.items():
        if name == "status":
            t.add_row(name, out.styled(value, out.STATUS_STYLES))
        else:
            t.add_row(name, Text(out.fmt(value)))
    if title:
        return _titled(t, title)
    return t


def _titled(inner: Table, title: str) -> Table:
    outer = out.PlainTable.grid()
    outer.add_row(Text(title, style="bold underline"))
    outer.add_row(inner)
    return outer


def equipment_detail(doc: dict[str, Any]) -> Group:
    """`arx equipment show`: the document built by the command, for people."""
    item = doc["equipment"]
    skip = {"properties", "position", "building_id", *out.SYNC_FIELDS}
    main = {k: v for k, v in item.items() if k not in skip}
    main["floor"] = doc.get("floor") or ""
    main["room"] = doc.get("room") or ""
    parts: list[RenderableType] = [fields_table(main, title=f"{item['tag']}")]
    if item.get("properties"):
        parts += [Text(""), fields_table(item["properties"], title="Properties")]
    if item.get("position"):
        parts += [Text(""), fields_table(item["position"], title="Position on plan")]
    conns = doc["connections"]
    t = out.table("Direction", "Kind", "Other end", title="Connections")
    for arrow, key in (("→ out", "outgoing"), ("← in", "incoming")):
        by_kind: dict[str, list[str]] = {}
        for c in conns[key]:
            by_kind.setdefault(c["kind"], []).append(c["other"])
        for kind, others in by_kind.items():
            t.add_row(arrow, kind, ", ".join(sorted(others)))
    parts.append(t if t.row_count else Text("\nNo connections.", style="dim"))
    orders = doc["open_work_orders"]
    if orders:
        parts.append(out.work_orders_table(orders, title="Open work orders"))
    else:
        parts.append(Text("No open work orders.", style="dim"))
    notes = doc["notes"]
    if notes:
        nt = out.table("Note", "Source", title="Notes")
        for n in notes:
            nt.add_row(n["text"], n["source"])
        parts.append(nt)
    else:
        parts.append(Text("No notes.", style="dim"))
    return Group(*parts)


def changes_table(tag: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Table:
    t = out.table("Field", "Was", "Now", title=f"Updated {tag}")
    for name, value in after.items():
        t.add_row(
            name, Text(out.fmt(before.get(name)), style="dim"), Text(out.fmt(value), style="bold")
        )
    return t
