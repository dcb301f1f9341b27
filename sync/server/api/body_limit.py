"""Request bodies capped per route before and while they arrive.

A declared ``Content-Length`` over the route's cap is answered 413 at once,
without reading a byte; a chunked body is counted as it streams through and cut
off (413) the moment it passes the cap. Nothing is buffered here: the route
reads the body once, as before, through a ``receive`` that only counts.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, status
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.core.config import ServerSettings


class BodyTooLargeError(HTTPException):
    """The body passed its route's cap; FastAPI answers it like any HTTP error."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"The request body is larger than this server accepts here ({limit} bytes)",
            headers={"Connection": "close"},
        )


def route_limits(settings: ServerSettings) -> Callable[[str], int | None]:
    """The cap of a request path; None for blob uploads, which enforce ``Upload-Length``."""

    def limit_for(path: str) -> int | None:
        if path.startswith("/v1/blobs/"):
            return None
        if path.startswith("/v1/auth/"):
            return settings.auth_body_max_bytes
        if path.startswith("/v1/access/"):
            return settings.access_body_max_bytes
        if path == "/v1/sync/push":
            return settings.push_body_max_bytes
        return settings.body_max_bytes

    return limit_for


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


class BodyLimitMiddleware:
    """Answers 413 for a body over its route's cap (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int | None]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(str(scope["path"])) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and not 0 <= declared <= limit:
            await _answer(send, BodyTooLargeError(limit))
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except BodyTooLargeError as exc:
            if started:  # the route answered already and read on: nothing left to say
                raise
            await _answer(send, exc)


async def _answer(send: Send, error: BodyTooLargeError) -> None:
    response = JSONResponse({"detail": error.detail}, error.status_code, error.headers)
    await response({"type": "http"}, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
