"""Fetching what devices need to check access passes, as one step of every sync.

The whole set is small (a few keys per organisation, the unexpired withdrawn
passes, one owner per building) and replaces the stored one, so a retired key
or a building the user lost stops counting at the next sync.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from pydantic import ValidationError

from sync.client.errors import ServerError
from sync.client.target import SyncTarget
from sync.trust import AccessTrust

Request = Callable[..., httpx.Response]


def pull_trust(request: Request, target: SyncTarget) -> AccessTrust:
    """Fetch the trust set and hand it to the replica; returns what was stored."""
    response = request("GET", "/v1/access/trust")
    try:
        trust = AccessTrust.model_validate_json(response.content)
    except (ValueError, ValidationError) as exc:
        raise ServerError("The sync server sent access-pass keys this app cannot read") from exc
    target.store_trust(trust)
    return trust
