"""`arx server passes prune`: remove the accounts of access passes that ended, now.

The running service does this by itself at start-up and every few minutes
(``sync.server.holder_sweeps``); the command is for a server that is stopped,
or for an operator who wants it done before they look. It works off the whole
backlog, one committed batch after another, and says how many holders it
removed; each removal is in its organisation's access log.
"""

from __future__ import annotations

import typer

from arxos_desktop.admin.server_db import DatabaseUrlOpt, server_engine
from arxos_desktop.cli import output as out

passes_app = typer.Typer(help="Access passes held on the server.", no_args_is_help=True)


@passes_app.command("prune")
def prune(database_url: DatabaseUrlOpt = None) -> None:
    """Sign out, ungrant and switch off the holders of passes that expired or were withdrawn."""
    from sqlmodel import Session

    from sync.server.holder_cleanup import sweep_all

    with server_engine(database_url) as (settings, engine), Session(engine) as session:
        removed = sweep_all(session, batch=settings.holder_sweep_batch)
    doc = {"removed": removed}

    def render() -> None:
        if removed:
            out.show(f"Removed {removed} pass holder account(s) whose pass had ended.")
        else:
            out.show("No pass holder to remove: every pass with a holder is still valid.")

    out.emit(doc, render)
