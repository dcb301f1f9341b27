"""`arx init`, `arx demo`, `arx import`, `arx export`, `arx buildings`: the replica itself.

Mounted by :mod:`arxos_desktop.cli.main`. Heavy modules (the store pulls in
SQLModel, repositories pull in PyMuPDF) are imported inside the commands.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from arxos_desktop.cli import output as out
from arxos_desktop.cli import tables
from arxos_desktop.cli.args import InputError, open_replica, state

#: Its commands are added to the root ``arx`` app one by one (no ``arx replica`` group).
replica_app = typer.Typer()


@replica_app.command()
def init() -> None:
    """Create the local replica (or open it) and show where it lives."""
    from arxos_desktop.store.buildings import list_buildings
    from sync.outbox import count_changes

    with open_replica() as replica:
        doc = {
            "home": str(replica.home),
            "replica": str(replica.path),
            "device_id": replica.device_id,
            "buildings": len(list_buildings(replica)),
            "pending_changes": count_changes(replica.conn),
        }
    out.emit(doc, lambda: out.show(tables.fields_table(doc, title="Local replica ready")))


@replica_app.command()
def demo(
    replace: Annotated[
        bool, typer.Option("--replace", help="Reset the demo building to the shipped copy.")
    ] = False,
) -> None:
    """Load the bundled demo building and show its summary."""
    from arxos_desktop.demo.loading import load_demo_building
    from arxos_desktop.store.summary import summarize_building

    with open_replica() as replica:
        with out.progress("Loading the demo building", enabled=not state.json) as advance:
            loaded = load_demo_building(replica, replace=replace, progress=advance)
        status, result = loaded.status.value, loaded.result
        summary = summarize_building(replica, result.building_id)
    rows = sum(result.inserted.values()) + sum(result.updated.values())
    rows += sum(result.deleted.values())
    count = f"{rows} row{'s' if rows != 1 else ''}"
    headline = {
        "imported": f"Loaded the demo building into {replica.home}.",
        "updated": f"Reset the demo building to the shipped copy ({count} changed).",
        "up_to_date": "The demo building is already up to date.",
        "kept_local_edits": (
            f"The demo building differs from the shipped copy in {count}; kept as it is. "
            "Run `arx demo --replace` to reset it."
        ),
    }[status]
    doc = {"status": status, **_result_json(result), "summary": tables.summary_json(summary)}
    banner = Text(headline, style="bold green")
    out.emit(doc, lambda: out.show(banner, tables.summary_panel(summary)))


def _result_json(result: Any) -> dict[str, Any]:
    return {**asdict(result), "changed": result.changed}


@replica_app.command("import")
def import_(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Building repository folder to import.")
    ],
) -> None:
    """Import a building repository (all or nothing); an existing copy is brought in line."""
    from arxos_desktop.repo_format import import_snapshot, read_repo

    with (
        open_replica() as replica,
        out.progress(f"Importing {path}", enabled=not state.json) as advance,
    ):
        result = import_snapshot(replica, read_repo(path), progress=advance)
    doc = _result_json(result)

    def render() -> None:
        if not result.changed:
            out.show(f"{result.building_name}: already up to date, nothing changed.")
            return
        out.show(f"Imported {result.building_name} from {path}")
        out.show(tables.counts_table(result.inserted, result.updated, result.deleted))

    out.emit(doc, render)


@replica_app.command()
def export(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="[BUILDING] DEST",
            help="Building (optional if there is only one) and the destination folder.",
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite an earlier export in DEST.")
    ] = False,
) -> None:
    """Write a building as a repository folder (diff-friendly files plus drawings)."""
    from arxos_desktop.repo_format import RepoFormatError, export_building
    from arxos_desktop.store.buildings import resolve_building

    if len(targets) not in (1, 2):
        raise typer.BadParameter("give DEST, or BUILDING and DEST", param_hint="targets")
    ref, dest = (None, targets[0]) if len(targets) == 1 else (targets[0], targets[1])
    with open_replica() as replica:
        building = resolve_building(replica, ref)
        with out.progress(f"Exporting {building.name}", enabled=not state.json):
            try:
                files = export_building(replica, building.id, Path(dest), replace=replace)
            except RepoFormatError as exc:  # reworded with the --replace hint
                target = str(Path(dest).expanduser())
                problems = "; ".join(
                    p.message if p.file == target else str(p) for p in exc.problems
                )
                hint = " (add --replace to overwrite an earlier export)" if not replace else ""
                raise InputError(f"Cannot export to {dest}: {problems}{hint}") from exc
    doc: dict[str, Any] = {"building_id": building.id, "building_name": building.name}
    doc["dest"] = str(dest)
    doc |= {"files_written": len(files), "files": files}
    out.emit(doc, lambda: out.show(f"Wrote {len(files)} files of {building.name} to {dest}"))


@replica_app.command()
def buildings() -> None:
    """List the buildings in the local replica with their counts."""
    from arxos_desktop.store.records import building_records
    from arxos_desktop.store.summary import summarize_building

    with open_replica() as replica:
        summaries = [summarize_building(replica, b.id) for b in building_records(replica)]

    def render() -> None:
        if not summaries:
            out.show("No buildings yet. Run `arx demo` or `arx import DIR`.")
        else:
            out.show(tables.buildings_table(summaries))

    out.emit([tables.summary_json(s) for s in summaries], render)
