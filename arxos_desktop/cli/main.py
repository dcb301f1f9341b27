"""`arx`: the field app's jobs without a screen, for power users and scripts.

This module assembles the command groups (one module each) into ``arx``. Every
command opens the local replica, calls the store services and shows the result
as Rich tables, or as exactly one JSON document with ``--json``. Errors raised on
purpose become a plain sentence and the exit code their kind maps to
(:mod:`arxos_desktop.cli.exit_codes`), never a traceback.

Each command group's module is imported only when one of its commands runs
(:mod:`arxos_desktop.cli.lazy`), and heavy modules (the store pulls in SQLModel,
repositories pull in PyMuPDF, the server pulls in FastAPI) are imported inside
the commands, so ``arx --version`` and read commands such as ``arx equipment
show`` start fast. No Qt here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import state
from arxos_desktop.cli.exit_codes import ExitCode, exit_codes_text
from arxos_desktop.cli.lazy import Lazy, LazyGroup
from arxos_desktop.cli.runner import argv_or, prepare, run_command, take_json_flag

__all__ = ["COMMANDS", "ExitCode", "app", "main", "run"]

_EPILOG = (
    "--json can go anywhere on the line (before or after the command): every command then "
    "prints exactly one JSON document on stdout, errors included.\n\n"
    f"Exit codes: {exit_codes_text()}."
)

_SETTINGS = {"help_option_names": ["-h", "--help"]}

_CLI = "arxos_desktop.cli"
_REPLICA = f"{_CLI}.replica_commands"
_EQUIPMENT = f"{_CLI}.equipment"

#: Every command of `arx`, in the order of its help: name → where it lives, and the first
#: paragraph of its help, line breaks included (Rich keeps them);
#: ``tests/test_cli_lazy.py`` checks each against the command's own help.
COMMANDS: dict[str, Lazy] = {
    "init": Lazy(
        _REPLICA,
        "replica_app",
        pick="init",
        help="Create the local replica (or open it) and show where it lives.",
    ),
    "demo": Lazy(
        _REPLICA,
        "replica_app",
        pick="demo",
        help="Load the bundled demo building and show its summary.",
    ),
    "import": Lazy(
        _REPLICA,
        "replica_app",
        pick="import",
        help="Import a building repository (all or nothing); an existing copy is brought in line.",
    ),
    "export": Lazy(
        _REPLICA,
        "replica_app",
        pick="export",
        help="Write a building as a repository folder (diff-friendly files plus drawings).",
    ),
    "buildings": Lazy(
        _REPLICA,
        "replica_app",
        pick="buildings",
        help="List the buildings in the local replica with their counts.",
    ),
    "search": Lazy(
        _EQUIPMENT,
        "search",
        help="Search equipment, rooms, work orders and notes; exact tags come first.",
    ),
    "apply": Lazy(
        f"{_CLI}.apply",
        "apply",
        help="Apply many edits in one transaction: all of them, or none if any line is bad.",
    ),
    "attach": Lazy(
        f"{_CLI}.attach",
        "attach",
        help=(
            "Attach a photo or file to a piece of equipment (by tag) or any row (by id); it syncs."
        ),
    ),
    "scan": Lazy(
        f"{_CLI}.scan",
        "scan",
        help="Read every QR code and barcode in a photo, video or PDF and say what each is for.",
    ),
    "serve": Lazy(
        "arxos_desktop.admin.serve",
        "serve",
        help="Run the cloud sync service until Ctrl+C (upgrading its database first).",
    ),
    "login": Lazy(
        f"{_CLI}.account_commands",
        "login",
        help=(
            "Sign this device in to a sync server (asks for what is not given; the password is\n"
            "never shown)."
        ),
    ),
    "logout": Lazy(
        f"{_CLI}.account_commands",
        "logout",
        help="Sign this device out: the server forgets the sign-in, unsent changes stay here.",
    ),
    "sync": Lazy(
        f"{_CLI}.sync_commands",
        "sync",
        help="Send local changes to the sync server and fetch everyone else's (needs arx login).",
    ),
    "equipment": Lazy(
        _EQUIPMENT,
        "equipment_app",
        help="List, show, edit and delete equipment.",
    ),
    "workorder": Lazy(
        _EQUIPMENT,
        "workorder_app",
        help="Create, list and update work orders.",
    ),
    "note": Lazy(
        _EQUIPMENT,
        "note_app",
        help="Add notes to equipment, rooms and work orders.",
    ),
    "doc": Lazy(
        f"{_CLI}.doc_commands",
        "doc_app",
        help="Drawings: add a PDF with its markups, list them, export with markups, read markups.",
    ),
    "server": Lazy(
        "arxos_desktop.admin.commands",
        "server_app",
        help="Administer the sync service's accounts: users, building grants, API keys.",
    ),
    "conflicts": Lazy(
        f"{_CLI}.conflicts",
        "conflicts_app",
        help="Review values that lost a concurrent edit: list (default), restore, keep.",
    ),
    "outbox": Lazy(
        f"{_CLI}.outbox",
        "outbox_app",
        help="Local changes waiting to sync: list (default), discard.",
    ),
    "token": Lazy(
        f"{_CLI}.access_commands",
        "token_app",
        help="Issue, check and withdraw access passes for contractors.",
    ),
    "audit": Lazy(
        f"{_CLI}.access_commands",
        "audit_app",
        help="Check this device's access log.",
    ),
    "voice": Lazy(
        f"{_CLI}.voice_commands",
        "voice_app",
        help=(
            "Transcribe recordings offline and manage speech models: transcribe, models, install."
        ),
    ),
}


class ArxGroup(LazyGroup):
    """`arx` itself: a command's module is imported only when that command runs."""

    table = COMMANDS


app = typer.Typer(
    name="arx",
    cls=ArxGroup,
    help="ArxOS Field from the command line: buildings, equipment, work orders, sync.",
    epilog=_EPILOG,
    no_args_is_help=True,
    context_settings=_SETTINGS,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
