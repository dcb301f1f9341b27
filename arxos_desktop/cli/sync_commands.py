"""`arx sync`: send this device's changes to its sync server and fetch everyone else's.

Mounted by :mod:`arxos_desktop.cli.main`. The loop is :class:`sync.client.SyncClient`
over the replica's :class:`~arxos_desktop.store.remote.ReplicaSyncTarget`; what this
module adds is the words (errors in :mod:`arxos_desktop.cli.server_check`). Heavy
modules (httpx, the store) are imported inside the command so ``arx --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from arxos_desktop.account import Credentials
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import open_replica, state
from arxos_desktop.cli.server_check import (
    ServerUnreachableError,
    changes_text,
    check_server,
    home_dir,
    offline_message,
    require_credentials,
    translated,
)

#: Mirror ``sync.protocol.DEFAULT_PUSH_BATCH`` / ``MAX_PUSH_BATCH`` (importing it would slow
#: down ``--help``); ``tests/test_cli_sync.py`` checks they still match.
PUSH_BATCH_DEFAULT = 100
PUSH_BATCH_MAX = 500
_PHASES = {"push": "Sending changes", "pull": "Receiving changes", "files": "Downloading files"}


# -- sync ------------------------------------------------------------------------------


@contextmanager
def _phase_progress(enabled: bool, pushing: int) -> Iterator[Callable[[str, int, int], None]]:
    """One Rich bar per sync phase on stderr; silent for --json and when stderr is a pipe.

    *pushing* (the pending count) is the push total: the client only knows whether more
    is pending, not how much.
    """
    err = out.console(stderr=True)
    if not enabled or not err.is_terminal:
        yield lambda phase, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        tasks: dict[str, Any] = {}

        def advance(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=None)
            if phase == "push":
                total = pushing
            bar.update(tasks[phase], completed=done, total=max(total, done))

        yield advance


def _client(credentials: Credentials, home: Path, target: Any, batch: int) -> Any:
    from arxos_desktop.sync_client import client_for

    return client_for(credentials, home, target, batch_size=batch)


def _report_doc(report: Any, server: str, target: Any) -> dict[str, Any]:
    from sync.outbox import ChangeState, count_changes

    doc: dict[str, Any] = {"server": server, **asdict(report)}
    doc["seconds"] = round(report.seconds, 3)
    doc["pending_changes"] = target.pending_count()
    doc["rejected_changes"] = count_changes(target.replica.conn, state=ChangeState.REJECTED)
    return doc


def _removed_by_scope(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''} you no longer have access to"


def _show_summary(doc: dict[str, Any]) -> None:
    table = out.PlainTable.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row(
        "Pushed",
        f"{doc['pushed']}: {doc['accepted']} accepted, {doc['merged']} merged, "
        f"{doc['rejected']} rejected",
    )
    for reason, count in Counter(doc["rejections"]).items():
        table.add_row("", Text(f"rejected ×{count}: {reason}", style="red"))
    table.add_row("Pulled", f"{doc['pulled']} row{'s' if doc['pulled'] != 1 else ''}")
    if doc["removed_by_scope"]:
        table.add_row("Removed", _removed_by_scope(doc["removed_by_scope"]))
    table.add_row("Conflicts", f"{doc['conflicts']} new")
    table.add_row("Files", f"{doc['blobs_uploaded']} up, {doc['blobs_downloaded']} down")
    table.add_row("Cursor", str(doc["cursor"]))
    if doc.get("audit_refused"):
        table.add_row("Access log", Text(f"not accepted: {doc['audit_refused']}", style="red"))
    out.show(Text(f"Synced with {doc['server']} in {doc['seconds']:.1f} s", style="bold green"))
    out.show(table)
    if doc["rejected_changes"]:
        out.show(
            f"{changes_text(doc['rejected_changes'])} rejected; arx outbox --rejected shows why."
        )
    if doc["conflicts"]:
        out.show("Someone else changed the same fields: arx conflicts lists them.")
    if doc["pending_changes"]:
        out.show(f"{changes_text(doc['pending_changes'])} still waiting to sync.")


def _sync_once(client: Any, target: Any, server: str) -> None:
    from sync.errors import SyncError

    if not check_server(server):
        raise ServerUnreachableError(offline_message(server, target.pending_count()))
    try:
        pushing = target.pending_count()
        with _phase_progress(not state.json, pushing) as progress:
            report = client.sync_once(progress)
    except SyncError as exc:
        raise translated(exc, server, target.pending_count) from None
    doc = _report_doc(report, server, target)
    out.emit(doc, lambda: _show_summary(doc))


def _watch(client: Any, target: Any, server: str, interval: float) -> None:
    """Sync until Ctrl+C: one line per run (JSON Lines with --json), errors in plain words."""
    from sync.client import SignInRequiredError
    from sync.errors import SyncError

    stop = threading.Event()

    def now() -> str:
        return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")

    def on_report(report: Any) -> None:
        doc = _report_doc(report, server, target)
        if state.json:
            out.emit_json({"time": now(), "report": doc})
            return
        line = (
            f"{now()}  pushed {doc['pushed']} ({doc['accepted']} accepted, {doc['merged']} "
            f"merged, {doc['rejected']} rejected), pulled {doc['pulled']}, "
            f"{doc['conflicts']} new conflicts, files {doc['blobs_uploaded']} up "
            f"{doc['blobs_downloaded']} down"
        )
        if doc["removed_by_scope"]:
            line += f", {_removed_by_scope(doc['removed_by_scope'])}"
        if doc.get("audit_refused"):
            line += f", access log not accepted: {doc['audit_refused']}"
        out.show(line)
        for reason, count in Counter(doc["rejections"]).items():
            out.show(Text(f"    rejected ×{count}: {reason}", style="red"))

    def on_error(error: Exception) -> None:
        message = str(translated(error, server, target.pending_count))
        if state.json:
            out.emit_json({"time": now(), "error": message})
        else:
            out.console().print(Text(f"{now()}  {message}", style="yellow"), markup=False)

    if not state.json:
        out.show(f"Syncing with {server} every {interval:g} s (longer offline); Ctrl+C stops.")
    try:
        while not stop.is_set():
            try:
                client.watch(stop, interval=interval, on_report=on_report, on_error=on_error)
            except SignInRequiredError as exc:
                raise translated(exc, server, target.pending_count) from None
            except SyncError as exc:  # a blob transfer error escapes SyncClient.watch
                on_error(exc)
                stop.wait(interval)
    except KeyboardInterrupt:
        stop.set()
        if not state.json:
            out.show(f"Stopped; {changes_text(target.pending_count())} waiting to sync.")


def sync(
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep syncing until Ctrl+C (one line per run).")
    ] = False,
    interval: Annotated[
        float,
        typer.Option(min=1.0, metavar="SECONDS", help="Seconds between runs with --watch."),
    ] = 30.0,
    batch: Annotated[
        int,
        typer.Option(min=1, max=PUSH_BATCH_MAX, metavar="N", help="Changes per push request."),
    ] = PUSH_BATCH_DEFAULT,
) -> None:
    """Send local changes to the sync server and fetch everyone else's (needs arx login).

    With --json: one JSON document with the run's report; with --watch, one JSON
    object per line per run.
    """
    from arxos_desktop.store.remote import ReplicaSyncTarget

    home = home_dir()
    credentials = require_credentials(home)
    with open_replica() as replica:
        target = ReplicaSyncTarget(replica)
        client = _client(credentials, home, target, batch)
        try:
            if watch:
                check_server(credentials.server)  # a wrong address fails now, not every run
                _watch(client, target, credentials.server, interval)
            else:
                _sync_once(client, target, credentials.server)
        finally:
            client.close()
