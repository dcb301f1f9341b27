"""What a sign-in may cost: attempts per account and per address, and hashing at once.

Each password check is an Argon2 hash holding 64 MiB for ~0.1 s, so guessing
passwords is also a way to exhaust memory and CPU. Attempts are counted with
the ``limits`` library (moving windows): every attempt against the caller's
address, failed ones against the account, so a stranger cannot keep someone
out by logging in *as* themselves but can no longer guess; past either limit
the answer is 429 with ``Retry-After``. The checks themselves run a few at a
time; a sign-in that waits too long for its turn is answered 429 as well.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import HTTPException, status
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from sync.server.core.config import ServerSettings


class TooManyAttemptsError(HTTPException):
    """429 with how long to wait, in seconds, as ``Retry-After`` and in the sentence."""

    def __init__(self, seconds: int, reason: str) -> None:
        seconds = max(1, seconds)
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"{reason}; try again in {seconds} seconds",
            headers={"Retry-After": str(seconds)},
        )


class LoginGuard:
    """The limits of one app's sign-ins (kept on ``app.state.login_guard``)."""

    def __init__(self, settings: ServerSettings) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.login_limit_storage))
        self._per_account = parse_many(settings.login_limit_per_account)
        self._per_address = parse_many(settings.login_limit_per_address)
        self._concurrency = settings.password_hash_concurrency
        self._wait = settings.password_hash_wait_seconds
        self._slots: anyio.Semaphore | None = None

    def admit(self, account: str, address: str) -> None:
        """Count this attempt against *address*; 429 if either limit is used up."""
        self._refuse_if_spent(self._per_account, "account", account)
        self._refuse_if_spent(self._per_address, "address", address)
        for limit in self._per_address:
            self._limiter.hit(limit, "address", address)

    def failed(self, account: str) -> None:
        """A wrong password (or unknown email) for *account*."""
        for limit in self._per_account:
            self._limiter.hit(limit, "account", account)

    def _refuse_if_spent(self, limits: list[RateLimitItem], kind: str, key: str) -> None:
        waits = [
            stats.reset_time - time.time()
            for limit in limits
            if not self._limiter.test(limit, kind, key)
            for stats in [self._limiter.get_window_stats(limit, kind, key)]
        ]
        if waits:
            raise TooManyAttemptsError(math.ceil(max(waits)), "Too many sign-in attempts")

    @asynccontextmanager
    async def hashing_slot(self) -> AsyncIterator[None]:
        """A turn to check a password; 429 if none frees up in time."""
        if self._slots is None:  # made on the event loop that serves the app
            self._slots = anyio.Semaphore(self._concurrency)
        try:
            with anyio.fail_after(self._wait):
                await self._slots.acquire()
        except TimeoutError:
            raise TooManyAttemptsError(1, "The server is busy signing others in") from None
        try:
            yield
        finally:
            self._slots.release()
