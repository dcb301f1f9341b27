"""`arx equipment`, `arx workorder`, `arx note` and `arx search`: what is in a building.

Mounted by :mod:`arxos_desktop.cli.main` (these groups and ``search``). Store
services are imported inside each command so ``arx --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli import tables
from arxos_desktop.cli.args import (
    BuildingOpt,
    EquipmentStatusName,
    NoteTarget,
    PriorityName,
    SearchKind,
    SystemName,
    WorkOrderStatusName,
    choices,
    find_floor,
    find_room,
    find_work_order,
    open_replica,
    parse_assignments,
    places,
)

equipment_app = typer.Typer(help="List, show, edit and delete equipment.", no_args_is_help=True)
workorder_app = typer.Typer(help="Create, list and update work orders.", no_args_is_help=True)
note_app = typer.Typer(help="Add notes to equipment, rooms and work orders.", no_args_is_help=True)

# -- equipment -------------------------------------------------------------------------


def _equipment_json(item: Any, floors: dict[str, Any], rooms: dict[str, Any]) -> dict[str, Any]:
    row = out.wire(item)
    floor, room = floors.get(item.floor_id), rooms.get(item.room_id)
    row["floor"] = floor.name if floor else None
    row["room"] = room.number if room else None
    return row


@equipment_app.command("list")
def equipment_list(
    building: BuildingOpt = None,
    system: Annotated[
        SystemName | None,
        typer.Option(metavar="SYSTEM", help="Only this system: " + choices(SystemName)),
    ] = None,
    status: Annotated[
        EquipmentStatusName | None,
        typer.Option(metavar="STATUS", help="Only this status: " + choices(EquipmentStatusName)),
    ] = None,
    floor: Annotated[str | None, typer.Option(help="Floor level (e.g. 2, -1) or name.")] = None,
    room: Annotated[str | None, typer.Option(help="Room number.")] = None,
) -> None:
    """List equipment, narrowed by system, status, floor or room."""
    from arxos_desktop.store.records import building_record, equipment_records

    with open_replica() as replica:
        b = building_record(replica, building)
        floors, rooms = places(replica, b.id)
        floor_id = find_floor(list(floors.values()), floor).id if floor else None
        room_id = find_room(list(rooms.values()), room, floors).id if room else None
        items = equipment_records(
            replica, b.id, system=system, status=status, floor_id=floor_id, room_id=room_id
        )
        rows = [_equipment_json(e, floors, rooms) for e in items]
    title = f"{b.name}: {len(rows)} pieces of equipment"
    out.emit(rows, lambda: out.show(tables.equipment_table(rows, title=title)))


@equipment_app.command("show")
def equipment_show(
    tag: Annotated[str, typer.Argument(metavar="TAG", help="Equipment tag, e.g. AHU-1.")],
    building: BuildingOpt = None,
) -> None:
    """Show one piece of equipment: fields, properties, connections, work orders, notes."""
    from arxos_desktop.store.records import (
        building_record,
        connection_records,
        equipment_by_tag,
        equipment_records,
        note_records,
        work_order_records,
    )

    with open_replica() as replica:
        b = building_record(replica, building)
        item = equipment_by_tag(replica, b.id, tag)
        floors, rooms = places(replica, b.id)
        tags: dict[str, str] = {e.id: e.tag for e in equipment_records(replica, b.id)}

        def other(kind: str, other_id: str) -> str:
            if kind == "equipment":
                return tags.get(other_id, f"equipment …{out.short(other_id)}")
            if kind == "room" and other_id in rooms:
                return f"Room {rooms[other_id].number}"
            return f"{kind} …{out.short(other_id)}"

        outgoing, incoming = connection_records(replica, item.id)
        open_states = {"open", "in_progress", "on_hold"}
        orders = [
            out.wire(w) | {"equipment_tag": item.tag}
            for w in work_order_records(replica, b.id, equipment_id=item.id)
            if w.status in open_states
        ]
        doc = {
            "equipment": out.wire(item, sync=True),
            "floor": floors[item.floor_id].name if item.floor_id in floors else None,
            "room": rooms[item.room_id].number if item.room_id in rooms else None,
            "connections": {
                "outgoing": [
                    out.wire(c) | {"other": other(c.target_kind, c.target_id)} for c in outgoing
                ],
                "incoming": [
                    out.wire(c) | {"other": other("equipment", c.source_id)} for c in incoming
                ],
            },
            "open_work_orders": orders,
            "notes": [out.wire(n) for n in note_records(replica, item.id)],
        }
    out.emit(doc, lambda: out.show(tables.equipment_detail(doc)))


@equipment_app.command("set")
def equipment_set(
    tag: Annotated[str, typer.Argument(metavar="TAG", help="Equipment tag.")],
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="e.g. status=needs_service, install_date=2020-01-02, room=101, "
            "properties.cfm=12000, properties='{\"cfm\": 12000}'; empty value clears.",
        ),
    ],
    building: BuildingOpt = None,
) -> None:
    """Change fields of a piece of equipment (one outbox change for all of them)."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.equipment import find_by_tag, update_equipment

    with open_replica() as replica:
        b = resolve_building(replica, building)
        item = find_by_tag(replica, b.id, tag)
        floors, rooms = places(replica, b.id)
        changes = parse_assignments(assignments, item, floors, rooms)
        before = out.wire(item)
        changed = update_equipment(replica, item.id, changes)
    doc = {"id": item.id, "tag": item.tag, "changed": changed}
    doc["previous"] = {k: before.get(k) for k in changed}

    def render() -> None:
        if changed:
            out.show(tables.changes_table(item.tag, before, changed))
        else:
            out.show(f"{item.tag}: nothing changed.")

    out.emit(doc, render)


@equipment_app.command("delete")
def equipment_delete(
    tag: Annotated[str, typer.Argument(metavar="TAG", help="Equipment tag.")],
    building: BuildingOpt = None,
) -> None:
    """Delete a piece of equipment with its connections and notes (syncs as tombstones)."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.equipment import delete_equipment, find_by_tag

    with open_replica() as replica:
        b = resolve_building(replica, building)
        item = find_by_tag(replica, b.id, tag)
        count = delete_equipment(replica, item.id)
    doc = {"id": item.id, "tag": item.tag, "deleted_rows": count}
    extra = f" and {count - 1} dependent rows" if count > 1 else ""
    out.emit(doc, lambda: out.show(f"Deleted {item.tag}{extra}."))


# -- work orders and notes -------------------------------------------------------------


@workorder_app.command("create")
def workorder_create(
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What needs doing.")],
    equipment: Annotated[str | None, typer.Option(help="Equipment tag it is about.")] = None,
    priority: Annotated[PriorityName | None, typer.Option(help="Priority.")] = None,
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Who does it.")] = None,
    description: Annotated[str | None, typer.Option(help="Details.")] = None,
    building: BuildingOpt = None,
) -> None:
    """Create a work order, optionally for a piece of equipment."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.equipment import find_by_tag
    from arxos_desktop.store.workorders import create_work_order

    with open_replica() as replica:
        b = resolve_building(replica, building)
        item = find_by_tag(replica, b.id, equipment) if equipment else None
        given = {"priority": priority, "due": due, "assignee": assignee, "description": description}
        fields = {k: v for k, v in given.items() if v is not None}
        order = create_work_order(
            replica, building_id=b.id, title=title, equipment_id=item.id if item else None, **fields
        )
    doc = out.wire(order) | {"short_id": out.short(order.id), "equipment_tag": equipment}
    out.emit(doc, lambda: out.show(f"Created work order {out.short(order.id)}: {order.title}"))


@workorder_app.command("list")
def workorder_list(
    status: Annotated[WorkOrderStatusName | None, typer.Option(help="Only this status.")] = None,
    equipment: Annotated[str | None, typer.Option(help="Only for this equipment tag.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only for this assignee.")] = None,
    building: BuildingOpt = None,
) -> None:
    """List work orders, soonest due first."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.equipment import find_by_tag, list_equipment
    from arxos_desktop.store.workorders import list_work_orders

    with open_replica() as replica:
        b = resolve_building(replica, building)
        item_id = find_by_tag(replica, b.id, equipment).id if equipment else None
        tags = {e.id: e.tag for e in list_equipment(replica, b.id)}
        orders = list_work_orders(
            replica, b.id, status=status, equipment_id=item_id, assignee=assignee
        )
    rows = [
        out.wire(w) | {"short_id": out.short(w.id), "equipment_tag": tags.get(w.equipment_id or "")}
        for w in orders
    ]
    title = f"{b.name}: {len(rows)} work orders"
    out.emit(rows, lambda: out.show(out.work_orders_table(rows, title=title)))


@workorder_app.command("update")
def workorder_update(
    work_order: Annotated[str, typer.Argument(metavar="ID", help="Id, or its first/last chars.")],
    status: Annotated[WorkOrderStatusName | None, typer.Option(help="New status.")] = None,
    priority: Annotated[PriorityName | None, typer.Option(help="New priority.")] = None,
    due: Annotated[str | None, typer.Option(help="New due date ('' clears it).")] = None,
    assignee: Annotated[str | None, typer.Option(help="New assignee.")] = None,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    description: Annotated[str | None, typer.Option(help="New description.")] = None,
    building: BuildingOpt = None,
) -> None:
    """Change a work order's status, priority, due date, assignee, title or description."""
    from arxos_desktop.store.workorders import update_work_order

    given = {
        "status": status,
        "priority": priority,
        "due": due,
        "assignee": assignee,
        "title": title,
        "description": description,
    }
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise typer.BadParameter("give at least one field to change, e.g. --status done")
    if changes.get("due") == "":
        changes["due"] = None
    with open_replica() as replica:
        order = find_work_order(replica, building, work_order)
        changed = update_work_order(replica, order.id, changes)
    doc = {"id": order.id, "short_id": out.short(order.id), "changed": changed}
    text = ", ".join(f"{k} → {out.fmt(v)}" for k, v in changed.items()) or "nothing changed"
    out.emit(doc, lambda: out.show(f"Work order {out.short(order.id)}: {text}"))


@note_app.command("add")
def note_add(
    target: Annotated[
        str, typer.Argument(metavar="TARGET", help="Equipment tag, room number or work order id.")
    ],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.")],
    kind: Annotated[NoteTarget, typer.Option(help="What TARGET names.")] = "equipment",
    building: BuildingOpt = None,
) -> None:
    """Add a note to a piece of equipment (default), a room or a work order."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.equipment import find_by_tag
    from arxos_desktop.store.notes import add_note

    with open_replica() as replica:
        if kind == "workorder":
            target_id, label = find_work_order(replica, building, target).id, "work order"
        else:
            b = resolve_building(replica, building)
            if kind == "room":
                floors, rooms = places(replica, b.id)
                target_id, label = find_room(list(rooms.values()), target, floors).id, "room"
            else:
                target_id, label = find_by_tag(replica, b.id, target).id, "equipment"
        added = add_note(replica, target_kind=kind, target_id=target_id, text=text)
    out.emit(out.wire(added), lambda: out.show(f"Added a note to {label} {target}."))


# -- search ----------------------------------------------------------------------------


def search(
    query: Annotated[
        str, typer.Argument(metavar="QUERY", help="Words to find; each matches as a prefix.")
    ],
    building: BuildingOpt = None,
    kind: Annotated[
        list[SearchKind] | None, typer.Option("--kind", "-k", help="Only these kinds (repeat).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most results to show.")] = 25,
) -> None:
    """Search equipment, rooms, work orders and notes; exact tags come first."""
    from arxos_desktop.store.records import building_record, building_records
    from arxos_desktop.store.search import KINDS
    from arxos_desktop.store.search import search as run_search

    with open_replica() as replica:
        building_id = building_record(replica, building).id if building else None
        names = {b.id: b.name for b in building_records(replica)}
        kinds = tuple(k.value for k in kind) if kind else KINDS
        hits = run_search(replica, query, building_id=building_id, kinds=kinds, limit=limit)
    rows = [
        {
            "kind": h.kind,
            "id": h.id,
            "building_id": h.building_id,
            "building": names.get(h.building_id, ""),
            "title": h.title,
            "detail": h.detail,
        }
        for h in hits
    ]

    def render() -> None:
        if rows:
            out.show(out.search_table(rows, query))
        else:
            out.show(f"Nothing matches {query!r}.")

    out.emit(rows, render)
