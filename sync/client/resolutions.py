"""Sending the conflicts closed on this device, so every other device closes them too.

Resolutions wait in the replica's queue until the server answers them; sending
one again after a lost answer is harmless, because the server keeps the first
resolution of each conflict and answers a repeat with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import httpx
from pydantic import ValidationError

from sync import jsonfast
from sync.client.errors import ServerError
from sync.client.target import SyncTarget
from sync.protocol import MAX_RESOLUTIONS, ResolveResponse

#: Asks a pull for conflict records with their resolutions (``docs/sync-protocol.md``).
WITH_RESOLUTIONS: Final = {"resolutions": "true"}

Request = Callable[..., httpx.Response]


def push_resolutions(request: Request, target: SyncTarget) -> int:
    """Send every queued resolution, a bounded batch per request; how many were answered."""
    answered = 0
    while batch := target.pending_resolutions(MAX_RESOLUTIONS):
        body: dict[str, Any] = {
            "device_id": target.device_id,
            "resolutions": [
                {"conflict_id": conflict_id, "resolution": resolution}
                for conflict_id, resolution in batch
            ],
        }
        response = request(
            "POST",
            "/v1/sync/resolve",
            content=jsonfast.dumps_bytes(body),
            headers={"Content-Type": "application/json"},
        )
        try:
            answer = ResolveResponse.model_validate_json(response.content)
        except (ValueError, ValidationError) as exc:
            raise ServerError("The sync server sent an answer this app cannot read") from exc
        sent = {conflict_id for conflict_id, _ in batch}
        results = [r for r in answer.results if r.conflict_id in sent]
        if not results:
            raise ServerError("The sync server did not answer for the resolutions sent")
        target.record_resolutions(results)
        answered += len(results)
    return answered
