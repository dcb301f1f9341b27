"""`arx server audit verify`: check every access log the server holds, where it runs.

Each organisation's own log and each device's uploaded log is checked from its
first entry to its head; every broken chain is named with the first entry that
does not hold, and the command then exits 13 (as `arx audit verify` does on a
device), so a cron job notices.
"""

from __future__ import annotations

from dataclasses import asdict

import typer

from arxos_desktop.admin.server_db import DatabaseUrlOpt, server_db
from arxos_desktop.cli import output as out
from arxos_desktop.cli.exit_codes import ExitCode

audit_app = typer.Typer(help="Check the access logs the server holds.", no_args_is_help=True)


@audit_app.command("verify")
def verify(database_url: DatabaseUrlOpt = None) -> None:
    """Check every organisation's and every device's access log; exit 13 if one is broken."""
    from sync.server.audit_verify import verify_all

    with server_db(database_url) as session:
        checks = verify_all(session)
    broken = [c for c in checks if c.broken is not None]
    doc = {"intact": not broken, "chains": [asdict(c) for c in checks]}

    def render() -> None:
        if not checks:
            out.show("The server holds no access log yet.")
            return
        table = out.table("Log", "Entries", "Verdict")
        for check in checks:
            what = "organisation" if check.kind == "organization" else "device"
            verdict = "intact" if check.broken is None else f"BROKEN: {check.broken}"
            entries = "" if check.broken is not None else str(check.entries)
            table.add_row(f"{what} {check.name}", entries, verdict)
        out.show(table)
        if broken:
            out.show(f"{len(broken)} of {len(checks)} access logs were altered or cut.")

    out.emit(doc, render)
    if broken:
        raise typer.Exit(int(ExitCode.AUDIT_BROKEN))
