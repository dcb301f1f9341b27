"""Telling connected devices that there is something new to pull.

Devices keep one server-sent-events stream open; after a push commits, the
streams of this process wake at once. Streams also re-check the database every
few seconds, so a push handled by another API process behind the same load
balancer reaches them too: the service stays stateless.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from sqlalchemy import func
from sqlmodel import Session, col, select

from sync.server.replication import StoredRow


class NewsBoard:
    """Wakes every waiting stream of this process; safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def publish(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float) -> None:
        """Return when news is published, or after *timeout* seconds."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._lock:
            self._waiters.add(entry)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            with self._lock:
                self._waiters.discard(entry)


def newest_visible(session: Session, buildings: list[str]) -> int:
    """The newest sequence among rows of these buildings (what a pull could bring)."""
    if not buildings:
        return 0
    newest = session.exec(
        select(func.max(StoredRow.seq)).where(col(StoredRow.building_id).in_(buildings))
    ).one()
    return int(newest or 0)
