"""`arx server import`: load a building repository into the server database."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from arxos_desktop.admin.server_db import DatabaseUrlOpt, server_engine
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, state


def import_(
    repo: Annotated[Path, typer.Argument(metavar="REPO", help="Building repository folder.")],
    owner: Annotated[
        str, typer.Option("--owner", metavar="EMAIL", help="User who becomes the building's admin.")
    ],
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Also change rows the server has with other values (only the fields that "
            "differ, as an edit that syncs and can conflict).",
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="With --update: delete rows the repository no longer has."),
    ] = False,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Load a building repository into the server database (seeding or revising a building).

    Rows the server has are left as they are unless --update; deleted ones are never restored.
    """
    from arxos_desktop.admin.server_import import import_to_server
    from arxos_desktop.repo_format import read_repo
    from sync.server.api.routes.blobs import get_blob_storage

    if prune and not update:
        raise InputError("--prune deletes rows from a live server, so it only works with --update")
    snapshot = read_repo(repo)  # all problems listed before the server is touched
    with (
        server_engine(database_url) as (settings, engine),
        out.progress(f"Importing {snapshot.building.name}", enabled=not state.json) as step,
    ):
        storage = get_blob_storage(settings)  # the store the running service uses
        report = import_to_server(
            engine,
            storage,
            snapshot,
            owner_email=owner,
            update=update,
            prune=prune,
            progress=step,
        )
    doc = {**asdict(report), "changed": report.changed}
    out.emit(doc, lambda: _show_import(report))


def _by_entity(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {entity}" for entity, n in counts.items())


def _show_import(report: Any) -> None:
    """The import report for people: totals first, then what was left alone and why."""
    added, updated = sum(report.inserted.values()), sum(report.updated.values())
    fields, unchanged = sum(report.updated_fields.values()), sum(report.unchanged.values())
    deleted = sum(report.deleted.values())
    line = f"{report.building_name}: {added} rows added, {updated} updated ({fields} fields)"
    line += f", {deleted} deleted" if report.prune else ""
    out.show(
        f"{line}, {unchanged} unchanged; {report.blobs_copied} files copied, "
        f"{report.blobs_present} already there."
    )
    if report.inserted:
        out.show("Added: " + _by_entity(report.inserted))
    if report.updated:
        out.show("Updated: " + _by_entity(report.updated))
    if report.deleted:
        out.show("Deleted: " + _by_entity(report.deleted))
    if report.differing and not report.update:
        out.show(
            f"Differ from the repository, left as they are (--update changes them): "
            f"{_by_entity(report.differing)}"
        )
    if report.server_only and not report.prune:
        out.show(
            "Only on the server, left as they are (--update --prune deletes them): "
            + _by_entity(report.server_only)
        )
    for entity, ids in report.skipped_deleted.items():
        shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        out.show(f"Deleted on the server, not restored: {len(ids)} {entity} ({shown})")
    if report.rejected:
        out.show(Text(f"Refused: {len(report.rejected)} change(s)", style="red"))
        for refused in report.rejected:
            out.show(
                Text(
                    f"  {refused.op} {refused.entity} {refused.entity_id}: {refused.reason}",
                    style="red",
                )
            )
    if report.owner_granted:
        out.show(f"{report.owner} is now the building's admin.")
