"""``GET /v1/sync/events``: a server-sent-events stream of "a new cursor exists"."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from sync.protocol import MAX_SEQ
from sync.server import crud
from sync.server.api.deps import CurrentUser
from sync.server.db import session_scope
from sync.server.events import NewsBoard, newest_visible

router = APIRouter(prefix="/sync", tags=["sync"])

#: How often a stream re-reads the database (pushes handled by other processes).
POLL_SECONDS = 5.0
#: A comment line this often keeps proxies from closing an idle stream.
KEEPALIVE_SECONDS = 15.0


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Event stream"}},
)
async def sync_events(
    request: Request,
    user: CurrentUser,
    cursor: Annotated[int, Query(ge=0, le=MAX_SEQ, description="The device's cursor")] = 0,
    seconds: Annotated[int, Query(ge=1, le=3600, description="Close the stream after")] = 300,
) -> StreamingResponse:
    """Stream ``cursor`` events whenever rows you may see change after your cursor."""
    engine = request.app.state.engine
    board: NewsBoard = request.app.state.news

    def newest() -> int:
        with session_scope(engine) as session:
            return newest_visible(session, list(crud.building_access(session, user.id)))

    async def stream() -> AsyncIterator[str]:
        last = cursor
        quiet_since = time.monotonic()
        closes_at = quiet_since + seconds
        yield "retry: 5000\n\n"
        while time.monotonic() < closes_at and not await request.is_disconnected():
            current = await run_in_threadpool(newest)
            if current > last:
                last = current
                quiet_since = time.monotonic()
                yield f"event: cursor\ndata: {json.dumps({'cursor': current})}\n\n"
            elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": still here\n\n"
            await board.wait(min(POLL_SECONDS, max(0.0, closes_at - time.monotonic())))

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
