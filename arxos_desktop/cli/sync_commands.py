"""`arx login`, `arx logout` and `arx sync`: this device and its sync server.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). The sign-in lives in
:mod:`arxos_desktop.account`; the loop is :class:`sync.client.SyncClient` over
the replica's :class:`~arxos_desktop.store.remote.ReplicaSyncTarget`. What this
module adds is the words: being offline is normal for a field device, so it is
reported calmly (with the count of changes kept safe) and gets its own exit
code, as does a sign-in the server no longer accepts. Heavy modules (httpx,
the store) are imported inside the commands so ``arx --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from arxos_desktop.account import (
    Credentials,
    CredentialsCorruptError,
    clear_credentials,
    load_credentials,
    normalize_server_url,
    save_credentials,
)
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, open_replica, state
from arxos_desktop.errors import ArxosError

#: Mirror ``sync.protocol.DEFAULT_PUSH_BATCH`` / ``MAX_PUSH_BATCH`` (importing it would slow
#: down ``--help``); ``tests/test_cli_sync.py`` checks they still match.
PUSH_BATCH_DEFAULT = 100
PUSH_BATCH_MAX = 500
_PHASES = {"push": "Sending changes", "pull": "Receiving changes", "files": "Downloading files"}


class ServerUnreachableError(ArxosError):
    """The sync server cannot be reached; local work is safe (exit code 7)."""


class NotSignedInError(ArxosError):
    """No sign-in, or one the server no longer accepts (exit code 8)."""


class SyncFailedError(ArxosError):
    """The server refused or kept failing; it said why (exit code 1)."""


def _home() -> Path:
    from arxos_desktop.config import resolve_home

    return resolve_home(state.home)


def _changes(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


def offline_message(server: str, pending: int) -> str:
    """The calm sentence for a device that is simply out of reach of its server."""
    if pending:
        verb = "is" if pending == 1 else "are"
        return (
            f"Cannot reach the sync server at {server}; your {_changes(pending)} "
            f"{verb} safe and will sync later"
        )
    return f"Cannot reach the sync server at {server}; nothing is waiting to sync"


def _pending_counts(home: Path) -> tuple[int, int]:
    """(pending, rejected) outbox counts, without creating a replica that is not there."""
    from arxos_desktop.config import REPLICA_FILE

    if not (home / REPLICA_FILE).exists():
        return 0, 0
    from sync.outbox import ChangeState, count_changes

    with open_replica() as replica:
        return count_changes(replica.conn), count_changes(replica.conn, state=ChangeState.REJECTED)


def _require_credentials(home: Path) -> Credentials:
    try:
        credentials = load_credentials(home)
    except CredentialsCorruptError as exc:
        raise NotSignedInError(str(exc)) from None
    if credentials is None:
        raise NotSignedInError("This device is not signed in to a sync server; run arx login")
    return credentials


def _translated(exc: Exception, server: str, pending: Callable[[], int]) -> ArxosError:
    """A sync or transfer error as the CLI's error with its exit code (see ``cli.ExitCode``)."""
    from sync import client
    from sync.transfer import TransferInterruptedError

    if isinstance(exc, client.OfflineError | TransferInterruptedError):
        return ServerUnreachableError(offline_message(server, pending()))
    if isinstance(exc, client.SignInRequiredError):
        reason = str(exc).rstrip(".")
        return NotSignedInError(reason if "arx login" in reason else f"{reason}; run arx login")
    return SyncFailedError(str(exc))


# -- login / logout --------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, err=True, type=str)
    if not password:
        raise InputError("No password given")
    return password


def _revoke(credentials: Credentials, timeout: float = 5.0) -> bool:
    """Ask the server to end this sign-in; False if it could not be reached or refused."""
    import httpx

    if not credentials.refresh_token:
        return False
    try:
        response = httpx.post(
            f"{credentials.server}/v1/auth/logout",
            json={"refresh_token": credentials.refresh_token},
            timeout=timeout,
        )
    except httpx.HTTPError:
        return False
    return response.status_code in (200, 204)


def login(
    server: Annotated[
        str | None,
        typer.Option("--server", metavar="URL", help="Sync server, e.g. https://sync.example.com."),
    ] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="EMAIL")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Sign this device in to a sync server (asks for what is not given; the password is
    never shown)."""
    from sync.client import OfflineError, SignInRequiredError, sign_in
    from sync.errors import SyncError
    from sync.outbox import count_changes

    home = _home()
    try:
        previous = load_credentials(home)
    except CredentialsCorruptError:
        previous = None  # signing in again is exactly the cure
    if server is None:
        server = previous.server if previous else typer.prompt("Sync server URL", err=True)
    url = normalize_server_url(server)
    if email is None:
        known = previous.email if previous and previous.server == url else None
        email = known or typer.prompt("Email", err=True)
    email = email.strip()
    password = _read_password(password_stdin)
    with open_replica() as replica:
        device_id, pending = replica.device_id, count_changes(replica.conn)
    try:
        tokens = sign_in(url, email=email, password=password, device_id=device_id)
    except OfflineError:
        raise ServerUnreachableError(
            f"Cannot reach the sync server at {url}; check the address and the connection"
        ) from None
    except SignInRequiredError as exc:
        raise NotSignedInError(str(exc)) from None  # e.g. "Wrong email or password"
    except SyncError as exc:
        raise SyncFailedError(str(exc)) from None
    if previous is not None and previous.server == url:
        _revoke(previous)  # best effort: the replaced sign-in should not stay valid
    path = save_credentials(
        home, Credentials(url, email, tokens.access_token, tokens.refresh_token)
    )
    doc = {
        "server": url,
        "email": email,
        "device_id": device_id,
        "pending_changes": pending,
        "credentials": str(path),
    }
    after = f" {_changes(pending)} waiting; run arx sync." if pending else ""
    out.emit(doc, lambda: out.show(f"Signed in to {url} as {email}.{after}"))


def logout() -> None:
    """Sign this device out: the server forgets the sign-in, unsent changes stay here."""
    home = _home()
    try:
        credentials = load_credentials(home)
        damaged = False
    except CredentialsCorruptError:
        credentials, damaged = None, True
    revoked = _revoke(credentials) if credentials is not None else None
    signed_in = clear_credentials(home) and not damaged
    pending, rejected = _pending_counts(home)
    doc = {
        "signed_out": signed_in,
        "server": credentials.server if credentials else None,
        "server_revoked": revoked,
        "pending_changes": pending,
        "rejected_changes": rejected,
    }

    def render() -> None:
        if credentials is None:
            extra = " (removed a damaged sign-in file)" if damaged else ""
            out.show(f"This device was not signed in{extra}.")
        else:
            out.show(f"Signed out of {credentials.server}.")
            if not revoked:
                out.show("The server could not be told; that sign-in ends there when it expires.")
        if pending or rejected:
            kept = f"{_changes(pending)} waiting to sync"
            kept += f" and {rejected} rejected" if rejected else ""
            out.show(f"Kept on this device: {kept}. They sync after the next arx login.")

    out.emit(doc, render)


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
    """A client whose refreshed tokens are saved at once (the old refresh token is spent)."""
    from sync.client import RefreshingAuth, SyncClient, Tokens

    current = [credentials]

    def persist(tokens: Tokens) -> None:
        current[0] = current[0].with_tokens(tokens.access_token, tokens.refresh_token)
        save_credentials(home, current[0])

    auth = RefreshingAuth(
        Tokens(credentials.access_token, credentials.refresh_token),
        refresh_url=f"{credentials.server}/v1/auth/refresh",
        on_refresh=persist,
    )
    return SyncClient(credentials.server, target=target, auth=auth, batch_size=batch)


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
    out.show(Text(f"Synced with {doc['server']} in {doc['seconds']:.1f} s", style="bold green"))
    out.show(table)
    if doc["rejected_changes"]:
        out.show(f"{_changes(doc['rejected_changes'])} rejected; arx outbox --rejected shows why.")
    if doc["conflicts"]:
        out.show("Someone else changed the same fields: arx conflicts lists them.")
    if doc["pending_changes"]:
        out.show(f"{_changes(doc['pending_changes'])} still waiting to sync.")


def _sync_once(client: Any, target: Any, server: str) -> None:
    from sync.errors import SyncError

    if not client.probe():
        raise ServerUnreachableError(offline_message(server, target.pending_count()))
    try:
        pushing = target.pending_count()
        with _phase_progress(not state.json, pushing) as progress:
            report = client.sync_once(progress)
    except SyncError as exc:
        raise _translated(exc, server, target.pending_count) from None
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
        out.show(line)
        for reason, count in Counter(doc["rejections"]).items():
            out.show(Text(f"    rejected ×{count}: {reason}", style="red"))

    def on_error(error: Exception) -> None:
        message = str(_translated(error, server, target.pending_count))
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
                raise _translated(exc, server, target.pending_count) from None
            except SyncError as exc:  # a blob transfer error escapes SyncClient.watch
                on_error(exc)
                stop.wait(interval)
    except KeyboardInterrupt:
        stop.set()
        if not state.json:
            out.show(f"Stopped; {_changes(target.pending_count())} waiting to sync.")


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

    home = _home()
    credentials = _require_credentials(home)
    with open_replica() as replica:
        target = ReplicaSyncTarget(replica)
        client = _client(credentials, home, target, batch)
        try:
            if watch:
                _watch(client, target, credentials.server, interval)
            else:
                _sync_once(client, target, credentials.server)
        finally:
            client.close()
