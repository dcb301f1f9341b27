"""`arx outbox`: local changes waiting to sync, and discarding the ones to give up.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). A change the server
rejected stays in the outbox, its value on screen, until someone decides:
`arx outbox discard` drops it and puts the row back as the server has it
(offline), with any of this device's changes that cannot stand without it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import BuildingOpt, InputError, open_replica

outbox_app = typer.Typer(
    help="Local changes waiting to sync: list (default), discard.",
    no_args_is_help=False,
)


@outbox_app.callback(invoke_without_command=True)
def outbox(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include rejected changes.")] = False,
    rejected_only: Annotated[
        bool, typer.Option("--rejected", help="Only changes the server rejected, with why.")
    ] = False,
    limit: Annotated[
        int, typer.Option(min=0, help="Show only the newest N changes (0: all).")
    ] = 20,
    building: BuildingOpt = None,
) -> None:
    """Local changes waiting to sync, oldest first (the newest --limit of them)."""
    if ctx.invoked_subcommand is not None:
        return
    from arxos_desktop.store.records import building_record
    from sync.outbox import ChangeState, count_changes, read_changes

    with open_replica() as replica:
        building_id = building_record(replica, building).id if building else None
        wanted = ChangeState.REJECTED if rejected_only else None if all_ else ChangeState.PENDING
        changes = read_changes(replica.conn, state=wanted, building_id=building_id)
        pending = count_changes(replica.conn)
        rejected = count_changes(replica.conn, state=ChangeState.REJECTED)
    matching = len(changes)
    shown = changes[-limit:] if limit else changes
    rows = [asdict(c) for c in shown]  # enums are str, so JSON-ready
    doc = {"pending": pending, "rejected": rejected, "matching": matching, "changes": rows}

    def render() -> None:
        if rows:
            out.show(out.outbox_table(rows))
        more = (
            f" (showing the newest {len(rows)}; --limit 0 shows all)"
            if len(rows) < matching
            else ""
        )
        out.show(f"{pending} changes waiting to sync, {rejected} rejected{more}.")
        if rejected and not (all_ or rejected_only):
            out.show("arx outbox --rejected shows the rejected changes and why.")
            out.show("arx outbox discard --rejected gives them up (the server's values return).")

    out.emit(doc, render)


@outbox_app.command("discard")
def discard(
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="The change's Seq (as arx outbox shows it) or its change id."
        ),
    ] = None,
    rejected: Annotated[
        bool, typer.Option("--rejected", help="Discard every change the server rejected.")
    ] = False,
    building: BuildingOpt = None,
) -> None:
    """Give up a change: the row goes back to the server's version (works offline)."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.discard import discard_change, discard_rejected

    if (ref is None) == (not rejected):
        raise InputError("Give either one change (its Seq from arx outbox) or --rejected")
    if building and not rejected:
        raise InputError("--building goes with --rejected")
    with open_replica() as replica:
        if rejected:
            building_id = resolve_building(replica, building).id if building else None
            report = discard_rejected(replica, building_id=building_id)
        else:
            assert ref is not None
            report = discard_change(replica, ref)
    doc: dict[str, Any] = {
        "dropped": [asdict(c) for c in report.dropped],
        "rows": [asdict(r) for r in report.rows],
    }

    def render() -> None:
        if not report.dropped:
            out.show("No rejected changes to discard.")
            return
        out.show(out.outbox_table(doc["dropped"]))
        for row in report.rows:
            name = f"{row.entity} …{out.short(row.entity_id)}"
            if row.values is None:
                out.show(f"{name} is gone: the server never had it.")
            elif row.values.get("deleted"):
                out.show(f"{name} is deleted, as on the server.")
            else:
                out.show(f"{name} is back to the server's version.")
        out.show(f"Discarded {len(report.dropped)} change(s).")

    out.emit(doc, render)
