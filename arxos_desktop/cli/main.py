"""`arx`: the field app's jobs without a screen, for power users and scripts.

This module assembles the command groups (one module each) into ``arx``. Every
command opens the local replica, calls the store services and shows the result
as Rich tables, or as exactly one JSON document with ``--json``. Errors raised on
purpose become a plain sentence and the exit code their kind maps to
(:mod:`arxos_desktop.cli.exit_codes`), never a traceback.

Heavy modules (the store pulls in SQLModel, repositories pull in PyMuPDF, the
server pulls in FastAPI) are imported inside the commands so ``arx --help`` and
``arx --version`` answer at once. No Qt here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from arxos_desktop.admin.commands import server_app
from arxos_desktop.admin.serve import serve
from arxos_desktop.cli import output as out
from arxos_desktop.cli.account_commands import login, logout
from arxos_desktop.cli.apply import apply
from arxos_desktop.cli.args import state
from arxos_desktop.cli.attach import attach
from arxos_desktop.cli.conflicts import conflicts_app
from arxos_desktop.cli.equipment import equipment_app, note_app, search, workorder_app
from arxos_desktop.cli.exit_codes import ExitCode, exit_codes_text
from arxos_desktop.cli.outbox import outbox_app
from arxos_desktop.cli.replica_commands import replica_app
from arxos_desktop.cli.runner import argv_or, prepare, run_command, take_json_flag
from arxos_desktop.cli.sync_commands import sync

__all__ = ["ExitCode", "app", "main", "run"]

_EPILOG = (
    "--json can go anywhere on the line (before or after the command): every command then "
    "prints exactly one JSON document on stdout, errors included.\n\n"
    f"Exit codes: {exit_codes_text()}."
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
app.registered_commands += replica_app.registered_commands
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


app.command()(search)
app.command()(apply)
app.command()(attach)
app.command()(serve)
app.command()(login)
app.command()(logout)
app.command()(sync)


# -- entry point -----------------------------------------------------------------------


def run(argv: list[str] | None = None) -> int:
    """Run `arx` with *argv* (default: ``sys.argv[1:]``) and return the exit code."""
    from typer.main import get_command

    args, state.json = take_json_flag(argv_or(argv))
    command = get_command(app)
    prepare(command)
    return run_command(command, args)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
