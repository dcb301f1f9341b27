"""`arx login` and `arx logout`: this device's sign-in to its sync server.

Mounted by :mod:`arxos_desktop.cli.main`. The sign-in lives in
:mod:`arxos_desktop.account`; before asking for tokens the address is checked to
be an ArxOS sync server (:func:`~arxos_desktop.cli.server_check.check_server`), so a
wrong address is named as such instead of failing on the answer's shape.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from arxos_desktop.account import (
    Credentials,
    CredentialsCorruptError,
    clear_credentials,
    load_credentials,
    normalize_server_url,
    save_credentials,
)
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, open_replica
from arxos_desktop.cli.server_check import (
    NotAServerError,
    NotSignedInError,
    ServerUnreachableError,
    SyncFailedError,
    changes_text,
    check_server,
    home_dir,
    pending_counts,
)


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

    home = home_dir()
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
    unreachable = ServerUnreachableError(
        f"Cannot reach the sync server at {url}; check the address and the connection"
    )
    if not check_server(url):
        raise unreachable
    try:
        tokens = sign_in(url, email=email, password=password, device_id=device_id)
    except OfflineError:
        raise unreachable from None
    except (KeyError, TypeError, ValueError):  # a 200 whose body is not a token pair
        raise NotAServerError(url) from None
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
    after = f" {changes_text(pending)} waiting; run arx sync." if pending else ""
    out.emit(doc, lambda: out.show(f"Signed in to {url} as {email}.{after}"))


def logout() -> None:
    """Sign this device out: the server forgets the sign-in, unsent changes stay here."""
    home = home_dir()
    try:
        credentials = load_credentials(home)
        damaged = False
    except CredentialsCorruptError:
        credentials, damaged = None, True
    revoked = _revoke(credentials) if credentials is not None else None
    signed_in = clear_credentials(home) and not damaged
    pending, rejected = pending_counts(home)
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
            kept = f"{changes_text(pending)} waiting to sync"
            kept += f" and {rejected} rejected" if rejected else ""
            out.show(f"Kept on this device: {kept}. They sync after the next arx login.")

    out.emit(doc, render)
