"""A sync client for this device's sign-in, shared by `arx sync` and the app's sync worker.

The refresh token is single-use: the server spends it on every refresh, so a
refreshed pair must reach ``credentials.json`` at once, or the next start would
present a spent token and be signed out. Both front ends get that from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arxos_desktop.account import Credentials, save_credentials
from sync.client import RefreshingAuth, SyncClient, SyncTarget, Tokens


def client_for(
    credentials: Credentials, home: Path, target: SyncTarget, **options: Any
) -> SyncClient:
    """A client of *credentials*' server whose refreshed tokens are saved in *home* at once.

    *options* go to :class:`~sync.client.SyncClient` (``batch_size``, ``attempts``…).
    """
    return SyncClient(
        credentials.server, target=target, auth=auth_for(credentials, home), **options
    )


def auth_for(credentials: Credentials, home: Path) -> RefreshingAuth:
    """httpx authentication with *credentials* that saves every refreshed pair in *home*."""
    current = [credentials]

    def persist(tokens: Tokens) -> None:
        current[0] = current[0].with_tokens(tokens.access_token, tokens.refresh_token)
        save_credentials(home, current[0])

    return RefreshingAuth(
        Tokens(credentials.access_token, credentials.refresh_token),
        refresh_url=f"{credentials.server}/v1/auth/refresh",
        on_refresh=persist,
    )
