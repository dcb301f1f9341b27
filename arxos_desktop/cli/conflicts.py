"""`arx conflicts`: values that lost a concurrent edit, to review, restore or let go.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). Sync resolves every concurrent edit
by itself (last writer wins, per field) but keeps the losing value; this is
where a person sees them in their own terms: the equipment's tag, the room's
number, the work order's title, whose edit lost ("yours" when it was this
device's) and when. Restoring is an ordinary edit, so it syncs like any other;
keeping or restoring is also sent as a resolution, which closes the conflict on
every device of the building once they sync.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.text import Text

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import BuildingOpt, InputError, open_replica

conflicts_app = typer.Typer(
    help="Review values that lost a concurrent edit: list (default), restore, keep.",
    no_args_is_help=False,
)

MIN_ID_CHARS = 6


def _label(replica: Any, entity: str, entity_id: str, cache: dict[str, str]) -> str:
    """The row's name for people, as the app's Conflicts page shows it."""
    from arxos_desktop.store.review import label_of

    if entity_id not in cache:
        cache[entity_id] = label_of(replica, entity, entity_id)
    return cache[entity_id]


def _when(*stamps: str) -> dt.datetime:
    """The later edit's wall time (from its clock stamp), in UTC."""
    from sync.clock import Stamp

    newest = max(Stamp.parse(s).wall_ms for s in stamps)
    return dt.datetime.fromtimestamp(newest / 1000, tz=dt.UTC)


def _row_doc(replica: Any, row: dict[str, Any], cache: dict[str, str]) -> dict[str, Any]:
    me = replica.device_id
    mine = (
        "loser" if row["loser_device"] == me else "winner" if row["winner_device"] == me else None
    )
    when = _when(row["winner_hlc"], row["loser_hlc"])
    return {
        **row,
        "label": _label(replica, row["entity"], row["entity_id"], cache),
        "mine": mine,
        "when": when.isoformat(timespec="seconds"),
        "resolved_by_me": bool(row.get("resolution")) and row.get("resolved_device") == me,
    }


def _state(row: dict[str, Any]) -> str:
    """Open, or how it was closed: by whom (this device or another) and when, if known."""
    resolution = str(row.get("resolution") or "")
    if not resolution:
        return "open"
    device = str(row.get("resolved_device") or "")
    if not device:
        return resolution  # closed by this device's own inference (superseded)
    who = "you" if row.get("resolved_by_me") else f"device {device[-8:]}"
    at = str(row.get("resolved_at") or "")
    when = ""
    if at:
        local = dt.datetime.fromisoformat(at).astimezone()
        when = local.strftime(" %Y-%m-%d %H:%M")
    return f"{resolution} by {who}{when}"


def _side(value: Any, device: str, is_mine: bool) -> Text:
    who = "yours" if is_mine else f"device {device[-8:]}"
    return Text.assemble((out.fmt(value) or "(empty)", "bold"), (f"  {who}", "dim"))


def _table(rows: list[dict[str, Any]]) -> Any:
    table = out.table("Id", "Item", "Field", "Kept (won)", "Lost", "When", "State")
    for r in rows:
        when = dt.datetime.fromisoformat(r["when"]).astimezone().strftime("%Y-%m-%d %H:%M")
        table.add_row(
            Text(out.short(r["id"]), style="cyan"),
            Text.assemble((f"{r['entity']} ", "dim"), (r["label"], "bold")),
            r["field"],
            _side(r["winner_value"], r["winner_device"], r["mine"] == "winner"),
            _side(r["loser_value"], r["loser_device"], r["mine"] == "loser"),
            when,
            _state(r),
        )
    return table


@conflicts_app.callback(invoke_without_command=True)
def conflicts(
    ctx: typer.Context,
    building: BuildingOpt = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Include conflicts already restored or kept.")
    ] = False,
) -> None:
    """Concurrent edits where one value lost, newest first (`restore` or `keep` each)."""
    if ctx.invoked_subcommand is not None:
        return
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.remote import open_conflicts

    with open_replica() as replica:
        building_id = resolve_building(replica, building).id if building else None
        cache: dict[str, str] = {}
        found = open_conflicts(replica, building_id=building_id, include_resolved=all_)
        rows = [_row_doc(replica, row, cache) for row in found]

    def render() -> None:
        if not rows:
            out.show("No conflicts to review." if not all_ else "No conflicts recorded.")
            return
        out.show(_table(rows))
        out.show(
            "arx conflicts restore ID brings a lost value back; "
            "arx conflicts keep ID accepts the kept one."
        )

    out.emit(rows, render)


def _find(replica: Any, ref: str) -> dict[str, Any]:
    """A conflict by the start or the end of its id (at least six characters)."""
    from arxos_desktop.store.errors import AmbiguousError, NotFoundError
    from arxos_desktop.store.remote import open_conflicts

    wanted = ref.strip().lower()
    if len(wanted) < MIN_ID_CHARS:
        raise InputError(
            f"Give at least {MIN_ID_CHARS} characters of the conflict id (arx conflicts shows them)"
        )
    every = open_conflicts(replica, include_resolved=True)
    matches = [c for c in every if c["id"].startswith(wanted) or c["id"].endswith(wanted)]
    if not matches:
        raise NotFoundError(f"No conflict with id {ref!r}")
    if len(matches) > 1:
        raise AmbiguousError(f"{ref!r} matches {len(matches)} conflicts; give more of the id")
    found = matches[0]
    if found["resolution"]:
        raise InputError(f"This conflict was already {found['resolution']}")
    return found


IdArg = Annotated[
    str, typer.Argument(metavar="ID", help="Conflict id, or its first or last 6+ characters.")
]


@conflicts_app.command("restore")
def restore(ref: IdArg) -> None:
    """Bring back the value that lost; it syncs like any edit."""
    from arxos_desktop.store.remote import restore_losing_value

    with open_replica() as replica:
        found = _find(replica, ref)
        doc = _row_doc(replica, found, {})
        doc["restored"] = restore_losing_value(replica, found["id"])
        doc["resolution"] = "restored"
    what = f"{doc['field']} of {doc['entity']} {doc['label']}"
    value = out.fmt(doc["loser_value"]) or "(empty)"
    out.emit(doc, lambda: out.show(f"Restored {what} to {value}; arx sync sends it."))


@conflicts_app.command("keep")
def keep(ref: IdArg) -> None:
    """Accept the value that won; the conflict leaves the list, on every device once synced."""
    from arxos_desktop.store.remote import dismiss_conflict

    with open_replica() as replica:
        found = _find(replica, ref)
        doc = _row_doc(replica, found, {})
        outcome = dismiss_conflict(replica, found["id"])
        doc["resolution"] = outcome["resolution"]
        doc["current_value"] = outcome["value"]
    what = f"{doc['field']} of {doc['entity']} {doc['label']}"
    value = out.fmt(doc["current_value"]) or "(empty)"
    if doc["resolution"] == "kept":
        out.emit(
            doc,
            lambda: out.show(
                f"Kept {value} as {what}; arx sync closes it on your other devices too."
            ),
        )
        return
    winner = out.fmt(doc["winner_value"]) or "(empty)"
    out.emit(
        doc,
        lambda: out.show(
            f"Nothing kept: {what} is now {value}, not {winner} (it was changed after the"
            " conflict). The conflict is closed."
        ),
    )
