"""Moving blob bytes between a request and storage: coalesced, bounded, resumable.

Bodies are streamed to and from storage in a worker thread, never held whole in
memory; uploads use a thread pool of their own so slow networks cannot starve
the threads every other route needs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import BinaryIO, Final

import anyio
import anyio.from_thread
from anyio.lowlevel import RunVar
from starlette.requests import ClientDisconnect, Request

#: Bytes gathered from the request before each hop to the storage thread.
WRITE_CHUNK: Final = 1 << 20
#: An upload holds a worker thread while its body arrives; uploads get their own pool so
#: slow networks cannot starve the threads every other (sync) route and dependency needs.
_MAX_CONCURRENT_UPLOADS: Final = 64
_upload_slots: RunVar[anyio.CapacityLimiter] = RunVar("blob_upload_slots")
_READ_CHUNK: Final = 1 << 20
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """First and last byte of a single ``bytes=`` range, clipped to *size*.

    ``None`` means "ignore it and send everything" (RFC 9110 allows that for a
    malformed or multi-part range); ``ValueError`` means 416.
    """
    match = _RANGE.fullmatch(header.strip())
    if match is None or not (match[1] or match[2]):
        return None
    if match[1]:
        start = int(match[1])
        end = int(match[2]) if match[2] else start
        if end < start:
            return None
        if start >= size:
            raise ValueError("range starts past the end")
        return start, min(end, size - 1) if match[2] else size - 1
    suffix = int(match[2])
    if suffix == 0 or size == 0:
        raise ValueError("empty suffix range")
    return max(0, size - suffix), size - 1


async def coalesce(
    stream: AsyncGenerator[bytes, None], size: int, idle_seconds: float
) -> AsyncGenerator[bytes, None]:
    """Join the server's small receive chunks so each thread hop carries ~*size* bytes.

    Raises ``TimeoutError`` if no byte arrives for *idle_seconds*, so a stalled
    client cannot hold an upload slot forever.
    """
    buffer = bytearray()
    try:
        while True:
            with anyio.fail_after(idle_seconds):
                chunk = await anext(stream, None)
            if chunk is None:
                break
            buffer += chunk
            if len(buffer) >= size:
                yield bytes(buffer)
                buffer.clear()
    except Exception:
        # Stalled or dropped: hand over what did arrive, so the resume need not resend it.
        if buffer:
            yield bytes(buffer)
        raise
    else:
        if buffer:
            yield bytes(buffer)
    finally:
        await stream.aclose()


def uploads_limiter() -> anyio.CapacityLimiter:
    """The upload thread pool of the running event loop (a RunVar, like anyio's own)."""
    try:
        return _upload_slots.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(_MAX_CONCURRENT_UPLOADS)
        _upload_slots.set(limiter)
        return limiter


def blocking(chunks: AsyncIterator[bytes]) -> Iterator[bytes]:
    """Pull an async iterator from a worker thread, one event-loop round trip per chunk."""

    async def step() -> bytes | None:
        try:
            return await anext(chunks)
        except StopAsyncIteration:
            return None

    while (chunk := anyio.from_thread.run(step)) is not None:
        yield chunk


async def drain(request: Request) -> None:
    """Read and drop a body we do not need, so the connection stays usable."""
    with contextlib.suppress(ClientDisconnect):
        async for _ in request.stream():
            continue


def read_range(file: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    """Yield *length* bytes from *start*; Starlette runs this in a thread, so reads may block."""
    with file:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(_READ_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
