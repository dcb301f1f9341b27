"""`arx`: the field app's jobs without a screen, for power users and scripts.

Every command opens the local replica, calls the store services and shows the
result as Rich tables, or as exactly one JSON document with ``--json``. Errors
the app raises on purpose (:class:`~arxos_desktop.errors.ArxosError`) become a
plain sentence and an exit code from :class:`ExitCode`, never a traceback.

Heavy modules (the store pulls in SQLModel, repositories pull in PyMuPDF) are
imported inside the commands so ``arx --help`` answers at once. No Qt here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from arxos_desktop.admin.commands import serve, server_app
from arxos_desktop.admin.server_db import (
    AccountExistsError,
    NoGrantError,
    ServerDatabaseError,
    UnknownUserError,
)
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, open_replica, state
from arxos_desktop.cli.conflicts import conflicts_app
from arxos_desktop.cli.equipment import equipment_app, note_app, search, workorder_app
from arxos_desktop.cli.outbox import outbox_app
from arxos_desktop.cli.sync_commands import (
    NotSignedInError,
    ServerUnreachableError,
    SyncFailedError,
    login,
    logout,
    sync,
)
from arxos_desktop.errors import ArxosError


class ExitCode(IntEnum):
    """What `arx` exits with; scripts can rely on these."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    NOT_FOUND = 3
    INVALID = 4
    CONFLICT = 5
    REPLICA_UNAVAILABLE = 6
    OFFLINE = 7
    SIGN_IN = 8


_EPILOG = (
    "--json can go anywhere on the line (before or after the command): every command then "
    "prints exactly one JSON document on stdout, errors included.\n\n"
    "Exit codes: 0 ok · 1 unexpected error · 2 usage error · 3 not found · "
    "4 invalid input · 5 conflict or ambiguous name · 6 replica (or server database) "
    "cannot be opened · 7 sync server unreachable (local changes are kept) · "
    "8 not signed in, or the sign-in has ended (run arx login)."
)


_SETTINGS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="arx",
    help="ArxOS Field from the command line: buildings, equipment, work orders, sync.",
    epilog=_EPILOG,
    no_args_is_help=True,
    context_settings=_SETTINGS,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(equipment_app, name="equipment")
app.add_typer(workorder_app, name="workorder")
app.add_typer(note_app, name="note")
app.add_typer(server_app, name="server")
app.add_typer(conflicts_app, name="conflicts")
app.add_typer(outbox_app, name="outbox")


def _version(value: bool) -> None:
    if value:
        from arxos_desktop import __version__

        out.emit({"version": __version__}, lambda: out.show(f"arx (ArxOS Field) {__version__}"))
        raise typer.Exit()


@app.callback()
def _root(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            metavar="DIR",
            help="Replica folder (default: $ARXOS_HOME, else the per-user data folder).",
        ),
    ] = None,
    json_flag: Annotated[
        bool,
        typer.Option(
            "--json",
            expose_value=False,
            help="Print one JSON document instead of tables (accepted anywhere on the line).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    state.home = home


# -- replica and buildings -------------------------------------------------------------


@app.command()
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
    out.emit(doc, lambda: out.show(out.fields_table(doc, title="Local replica ready")))


@app.command()
def demo(
    replace: Annotated[
        bool, typer.Option("--replace", help="Reset the demo building to the shipped copy.")
    ] = False,
) -> None:
    """Load the bundled demo building and show its summary."""
    from arxos_desktop.demo import demo_repo_path
    from arxos_desktop.repo_format import import_snapshot, read_repo
    from arxos_desktop.store.buildings import summarize_building

    class _KeepEditsError(Exception):
        """Rolls back an import that would overwrite edits (no --replace)."""

    path = demo_repo_path()
    with open_replica() as replica:
        with out.progress("Loading the demo building", enabled=not state.json) as advance:
            snap = read_repo(path)
            try:
                with replica.transaction():
                    result = import_snapshot(replica, snap, progress=advance)
                    new = "building" in result.inserted
                    if result.changed and not new and not replace:
                        raise _KeepEditsError
                status = "imported" if new else "updated" if result.changed else "up_to_date"
            except _KeepEditsError:
                status = "kept_local_edits"
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
    doc = {"status": status, **_result_json(result), "summary": out.summary_json(summary)}
    banner = Text(headline, style="bold green")
    out.emit(doc, lambda: out.show(banner, out.summary_panel(summary)))


def _result_json(result: Any) -> dict[str, Any]:
    return {**asdict(result), "changed": result.changed}


@app.command("import")
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
        out.show(out.counts_table(result.inserted, result.updated, result.deleted))

    out.emit(doc, render)


@app.command()
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


@app.command()
def buildings() -> None:
    """List the buildings in the local replica with their counts."""
    from arxos_desktop.store.buildings import list_buildings, summarize_building

    with open_replica() as replica:
        summaries = [summarize_building(replica, b.id) for b in list_buildings(replica)]

    def render() -> None:
        if not summaries:
            out.show("No buildings yet. Run `arx demo` or `arx import DIR`.")
        else:
            out.show(out.buildings_table(summaries))

    out.emit([out.summary_json(s) for s in summaries], render)


app.command()(search)
app.command()(serve)
app.command()(login)
app.command()(logout)
app.command()(sync)


# -- entry point -----------------------------------------------------------------------


def _take_json_flag(args: list[str]) -> tuple[list[str], bool]:
    """Remove ``--json`` wherever it is (up to a ``--``), so it works before or after commands."""
    end = args.index("--") if "--" in args else len(args)
    kept = [a for a in args[:end] if a != "--json"] + args[end:]
    return kept, len(kept) != len(args)


def _classify(exc: ArxosError) -> tuple[ExitCode, str]:
    """Exit code and JSON ``kind`` of an error the app raised on purpose."""
    store = sys.modules.get("arxos_desktop.store.errors")
    repo = sys.modules.get("arxos_desktop.repo_format.errors")
    demo = sys.modules.get("arxos_desktop.demo")
    table: list[tuple[Any, ExitCode, str]] = [
        (UnknownUserError, ExitCode.NOT_FOUND, "not_found"),
        (NoGrantError, ExitCode.NOT_FOUND, "not_found"),
        (AccountExistsError, ExitCode.CONFLICT, "conflict"),
        (ServerDatabaseError, ExitCode.REPLICA_UNAVAILABLE, "database_unavailable"),
        (ServerUnreachableError, ExitCode.OFFLINE, "offline"),
        (NotSignedInError, ExitCode.SIGN_IN, "sign_in_required"),
        (SyncFailedError, ExitCode.UNEXPECTED, "server_error"),
    ]
    if store is not None:
        table += [
            (store.ReplicaOpenError, ExitCode.REPLICA_UNAVAILABLE, "replica_unavailable"),
            (store.NotFoundError, ExitCode.NOT_FOUND, "not_found"),
            (store.AmbiguousError, ExitCode.CONFLICT, "ambiguous"),
            (store.StillReferencedError, ExitCode.CONFLICT, "still_referenced"),
            (store.InvalidEditError, ExitCode.INVALID, "invalid"),
            (store.ChangeInFlightError, ExitCode.CONFLICT, "change_in_flight"),
            (store.ServerVersionUnknownError, ExitCode.CONFLICT, "server_version_unknown"),
        ]
    if repo is not None:
        table.append((repo.RepoFormatError, ExitCode.INVALID, "invalid_repository"))
    if demo is not None:
        table.append((demo.DemoMissingError, ExitCode.NOT_FOUND, "not_found"))
    for cls, code, kind in table:
        if isinstance(exc, cls):
            return code, kind
    return ExitCode.INVALID, "invalid"


def _fail(code: ExitCode, kind: str, message: str, *, details: Any = (), **extra: Any) -> int:
    """Report an error: JSON on stdout with --json, else red words (and *details*) on stderr."""
    if state.json:
        error = {"kind": kind, "message": message, "exit_code": int(code), **extra}
        out.emit_json({"error": error})
    else:
        out.show_error(message, [str(d) for d in details], calm=code is ExitCode.OFFLINE)
    return int(code)


def _arxos_failure(exc: ArxosError) -> int:
    code, kind = _classify(exc)
    message = str(exc)
    extra: dict[str, Any] = {}
    problems = getattr(exc, "problems", None)
    if problems is not None:  # a repository: the headline, then every problem
        message = message.splitlines()[0]
        extra["problems"] = [
            {"file": p.file, "field": p.field, "message": p.message} for p in problems
        ]
    fields = getattr(exc, "fields", None)
    if isinstance(fields, dict):
        extra["fields"] = fields
    return _fail(code, kind, message, details=problems or (), **extra)


def run(argv: list[str] | None = None) -> int:
    """Run `arx` with *argv* (default: ``sys.argv[1:]``) and return the exit code."""
    from typer.main import get_command

    args, state.json = _take_json_flag(list(sys.argv[1:] if argv is None else argv))
    command = get_command(app)
    _prepare(command)
    try:
        result = command.main(args=args, prog_name="arx", standalone_mode=False)
        return result if isinstance(result, int) else ExitCode.OK
    except typer.TyperException as exc:  # usage errors from the command line
        raw = getattr(exc, "exit_code", ExitCode.USAGE)
        code = ExitCode(raw) if raw in iter(ExitCode) else ExitCode.USAGE
        if state.json:
            return _fail(code, "usage", getattr(exc, "format_message", exc.__str__)())
        if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help
            from typer.rich_utils import rich_format_error

            rich_format_error(exc)  # type: ignore[arg-type]
        return int(code)
    except typer.Abort:
        return _fail(ExitCode.UNEXPECTED, "aborted", "Aborted.")
    except ArxosError as exc:
        return _arxos_failure(exc)
    except Exception as exc:
        if os.environ.get("ARXOS_DEBUG") == "1":
            raise
        return _fail(ExitCode.UNEXPECTED, "unexpected", f"Unexpected error: {exc}")


def _prepare(root: Any) -> None:
    """List ``--json`` in every command's help (``run`` strips it before parsing); with
    ``--json``, a missing command is a plain usage error, not help printed to stdout."""
    option = next(p for p in root.params if p.name == "json_flag")
    stack = [root]
    while stack:
        command = stack.pop()
        if hasattr(command, "commands") and not getattr(command, "invoke_without_command", False):
            command.no_args_is_help = not state.json
        for sub in getattr(command, "commands", {}).values():
            if option not in sub.params:
                sub.params.append(option)
            stack.append(sub)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
