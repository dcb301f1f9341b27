"""The device side of sync: signing in, the push/pull loop, and access changes.

``auth`` signs in and keeps the tokens fresh, ``loop`` is :class:`SyncClient`,
``rescope`` brings the replica in line with the user's current access, and
``target`` is what the loop needs from the replica. Every public name is
importable from here.
"""

from __future__ import annotations

from sync.client.auth import RefreshingAuth, Tokens, sign_in
from sync.client.errors import (
    ClientSyncError,
    OfflineError,
    ServerError,
    SignInRequiredError,
    TooManyRequestsError,
)
from sync.client.loop import SyncClient
from sync.client.target import Progress, SyncReport, SyncTarget

__all__ = [
    "ClientSyncError",
    "OfflineError",
    "Progress",
    "RefreshingAuth",
    "ServerError",
    "SignInRequiredError",
    "SyncClient",
    "SyncReport",
    "SyncTarget",
    "Tokens",
    "TooManyRequestsError",
    "sign_in",
]
